import { createPool } from 'generic-pool';
import type { Options, Pool } from 'generic-pool';
import { auditPool, detach } from '../src/index.js';
import { auditorFor, thingFactory } from './support/fake-factory.js';
import type { Thing } from './support/fake-factory.js';

type Mode = 'unaudited' | 'audited' | 'detached';

/**
 * One workload over acquire, release, destroy, use, drain and clear, with their errors (timeouts, full
 * queue, unknown resources, failing create/destroy/validate, acquire while draining) and concurrent calls.
 * Everything observable goes into the log in the order it happens, including microtask ticks of an
 * unrelated promise chain, so that an extra tick anywhere shows.
 */
async function workload(mode: Mode, options: Options): Promise<string[]> {
  const { factory, log } = thingFactory({
    failCreate: new Set([5]),
    failDestroy: new Set([2]),
    invalid: new Set([7]),
  });
  const pool = createPool(factory, options);
  const { auditor } = auditorFor({ leakDetectionThresholdMs: 5 });
  if (mode !== 'unaudited') auditPool(pool, { auditor });
  if (mode === 'detached') detach(pool);
  pool.on('factoryCreateError', (e: Error) => log.push(`event factoryCreateError ${e.message}`));
  pool.on('factoryDestroyError', (e: Error) => log.push(`event factoryDestroyError ${e.message}`));

  const show = (v: unknown): string =>
    typeof v === 'object' && v !== null ? `#${(v as Thing).id}` : typeof v === 'string' ? v : 'undefined';
  const call = <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const p = run();
    log.push(`${label} returned ${p instanceof Promise ? 'a Promise' : typeof p}`);
    p.then(
      (v) => log.push(`${label} resolved ${show(v)}`),
      (e: unknown) => log.push(`${label} rejected ${(e as Error).name}: ${(e as Error).message}`),
    );
    return p;
  };
  const state = (label: string): void => {
    log.push(
      `${label}: size=${pool.size} available=${pool.available} borrowed=${pool.borrowed} pending=${pool.pending} spare=${pool.spareResourceCapacity}`,
    );
  };
  const ticks = async (label: string, n = 12): Promise<void> => {
    let chain = Promise.resolve();
    for (let i = 0; i < n; i++) chain = chain.then(() => void log.push(`${label} tick ${i}`));
    await chain;
  };

  // Concurrent acquires beyond max: creates, waits, a full queue.
  const a = call('acquire a', () => pool.acquire());
  const b = call('acquire b', () => pool.acquire());
  const c = call('acquire c', () => pool.acquire(0));
  const d = call('acquire d', () => pool.acquire());
  const e = call('acquire e (queue full)', () => pool.acquire()).catch(() => undefined);
  state('after acquires');
  await ticks('burst');
  const [ra, rb] = await Promise.all([a, b]);
  state('a and b held');

  // Release and destroy, good and bad, in one synchronous run.
  void call('release a', () => pool.release(ra));
  call('release unknown', () => pool.release({ id: 99 })).catch(() => undefined);
  void call('destroy b', () => pool.destroy(rb));
  call('destroy b again', () => pool.destroy(rb)).catch(() => undefined);
  state('after release/destroy');
  await ticks('release');
  const [rc, rd] = await Promise.all([c, d]);
  await e;

  // A timeout while both are held.
  const late = call('acquire (times out)', () => pool.acquire()).catch(() => undefined);
  await late;
  state('after timeout');

  // use(): resolve and reject paths.
  void call('release c', () => pool.release(rc));
  await call('use ok', () => pool.use((t: Thing) => Promise.resolve(`used #${t.id}`)));
  await call('use fails', () => pool.use(() => Promise.reject(new Error('work failed')))).catch(
    () => undefined,
  );
  void call('release d', () => pool.release(rd));
  await ticks('use');
  state('after use');

  // Borrow for the drain: drain waits for the release, acquires are refused meanwhile.
  const held = await call('acquire held', () => pool.acquire());
  const drained = call('drain', () => pool.drain());
  call('acquire while draining', () => pool.acquire()).catch(() => undefined);
  await ticks('draining', 6);
  void call('release held', () => pool.release(held));
  await drained;
  state('drained');
  await call('clear', () => pool.clear());
  await ticks('cleared');
  state('cleared');
  auditor.close();
  return log;
}

describe('an audited pool behaves exactly as the unaudited one', () => {
  const configurations: [string, Options][] = [
    ['plain', { max: 2, acquireTimeoutMillis: 30, maxWaitingClients: 4 }],
    [
      'min, testOnBorrow, LIFO',
      { max: 2, min: 1, testOnBorrow: true, fifo: false, acquireTimeoutMillis: 30, maxWaitingClients: 4 },
    ],
    ['priorities', { max: 2, priorityRange: 2, acquireTimeoutMillis: 30, maxWaitingClients: 4 }],
  ];

  it.each(configurations)('%s: same calls, results, errors and order', async (_name, options) => {
    const unaudited = await workload('unaudited', options);
    const audited = await workload('audited', options);
    const detached = await workload('detached', options);
    expect(unaudited.length).toBeGreaterThan(60);
    expect(unaudited.some((l) => l.includes('TimeoutError'))).toBe(true);
    expect(unaudited.some((l) => l.includes('max waitingClients count exceeded'))).toBe(true);
    expect(unaudited.some((l) => l.includes('pool is draining'))).toBe(true);
    expect(unaudited.some((l) => l.includes('event factoryDestroyError'))).toBe(true);
    expect(audited).toEqual(unaudited);
    expect(detached).toEqual(unaudited);
  });

  it('the recorded counts match what the workload did', async () => {
    const { factory } = thingFactory();
    const pool: Pool<Thing> = createPool(factory, { max: 2, acquireTimeoutMillis: 30, maxWaitingClients: 1 });
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const [x, y] = await Promise.all([pool.acquire(), pool.acquire()]);
    const waiting = pool.acquire();
    await expect(pool.acquire()).rejects.toThrow('max waitingClients');
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' });
    await pool.release(x);
    await pool.destroy(y);
    await pool.drain();
    await pool.clear();
    expect(snap().stats).toMatchObject({
      created: 2,
      acquired: 2,
      acquireErrors: 2,
      timeouts: 1,
      waitCount: 1,
      open: 0,
      closed: { other: 1, shutdown: 1 },
    });
  });
});
