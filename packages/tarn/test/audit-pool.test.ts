import { Pool, TimeoutError } from 'tarn';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { auditPool, detach, isAudited, readTarnConfig } from '@poolaudit/tarn';

type Resource = { id: number; valid: boolean };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function poolOf(auditor: Auditor, name = 'tarn'): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name}`);
  return pool;
}

function makePool(options: Partial<ConstructorParameters<typeof Pool<Resource>>[0]> = {}) {
  let next = 0;
  const destroyed: number[] = [];
  const pool = new Pool<Resource>({
    create: () => Promise.resolve({ id: ++next, valid: true }),
    destroy: (r) => {
      destroyed.push(r.id);
    },
    validate: (r) => r.valid,
    min: 0,
    max: 2,
    ...options,
  });
  return { pool, destroyed };
}

/** Every event of the pool's own emitter (protected in tarn's types) with its listener count. */
function listenersOf(pool: Pool<Resource>): [string | symbol, number][] {
  const emitter = (pool as unknown as { emitter: import('node:events').EventEmitter }).emitter;
  return emitter.eventNames().map((e) => [e, emitter.listenerCount(e)]);
}

let pools: Pool<Resource>[] = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
  pools = [];
});

describe('auditPool() on a tarn pool', () => {
  it('counts acquires, waits, releases and creates; the pool keeps its keys and listeners', async () => {
    const auditor = createAuditor();
    const { pool } = makePool();
    pools.push(pool);
    const onAcquire = () => undefined;
    pool.on('acquireSuccess', onAcquire);
    const keys = Object.keys(pool);
    const listeners = listenersOf(pool);
    expect(auditPool(pool, { auditor })).toBe(pool);
    expect(isAudited(pool)).toBe(true);
    const [a, b] = await Promise.all([pool.acquire().promise, pool.acquire().promise]);
    // A third acquire with both lent and max 2: it waits for a release (Go WaitCount).
    const third = pool.acquire().promise;
    await pause(5);
    expect(poolOf(auditor).stats).toMatchObject({ open: 2, inUse: 2, pending: 1 });
    pool.release(a);
    const c = await third;
    expect(c).toBe(a);
    pool.release(b);
    pool.release(c);
    const { stats } = poolOf(auditor);
    expect(stats).toMatchObject({ created: 2, open: 2, inUse: 0, idle: 2, acquired: 3, waitCount: 1 });
    expect(stats.timings.connect.count).toBe(2);
    expect(Object.keys(pool)).toEqual(keys);
    expect(listenersOf(pool)).toEqual(listeners);
  });

  it('reads why each resource was destroyed: reaped idle, failed validation, the pool destroyed', async () => {
    const auditor = createAuditor();
    const { pool, destroyed } = makePool({ idleTimeoutMillis: 100, reapIntervalMillis: 20 });
    auditPool(pool, { auditor });
    const r = await pool.acquire().promise;
    pool.release(r);
    // The reaper takes it once it has been idle for 100 ms.
    await pause(250);
    expect(destroyed).toEqual([1]);
    expect(poolOf(auditor).stats.closed.idleTimeout).toBe(1);
    expect(poolOf(auditor).stats.closedDetail['idleTimeoutMillis']).toBe(1);
    const bad = await pool.acquire().promise;
    bad.valid = false;
    pool.release(bad);
    const good = await pool.acquire().promise; // the invalid one is destroyed on the way
    expect(good.id).toBe(3);
    expect(poolOf(auditor).stats.closedDetail['validate']).toBe(1);
    pool.release(good);
    await pool.destroy();
    const { stats } = poolOf(auditor);
    expect(stats.closed.shutdown).toBe(1);
    expect(stats.open).toBe(0);
    expect(stats.created).toBe(3);
  });

  it('counts acquire timeouts and failed creates', async () => {
    const auditor = createAuditor();
    const failing = new Pool<Resource>({
      create: () =>
        Promise.reject(
          Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        ),
      destroy: () => undefined,
      min: 0,
      max: 1,
      acquireTimeoutMillis: 100,
      createRetryIntervalMillis: 20,
    });
    pools.push(failing);
    auditPool(failing, { auditor, name: 'refused' });
    // tarn's timeout carries the last create error's message.
    await expect(failing.acquire().promise).rejects.toBeInstanceOf(TimeoutError);
    const { stats } = poolOf(auditor, 'refused');
    expect(stats.connectErrors).toBeGreaterThanOrEqual(2);
    expect(stats.lastConnectError?.code).toBe('ECONNREFUSED');
    expect(stats.timeouts).toBe(1);
  });

  it('adopts what the pool holds, renames on a second audit, and detach() puts every method back', async () => {
    const auditor = createAuditor();
    const { pool } = makePool();
    pools.push(pool);
    const held = await pool.acquire().promise;
    const idle = await pool.acquire().promise;
    pool.release(idle);
    const check: unknown = Reflect.get(pool, 'check');
    auditPool(pool, { auditor });
    expect(poolOf(auditor).stats).toMatchObject({ open: 2, inUse: 1, idle: 1 });
    auditPool(pool, { auditor, name: 'jobs' });
    expect(auditor.poolNames()).toEqual(['jobs']);
    pool.release(held);
    expect(poolOf(auditor, 'jobs').stats.inUse).toBe(0);
    const acquired = poolOf(auditor, 'jobs').stats.acquired;
    expect(detach(pool)).toBe(true);
    expect(isAudited(pool)).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(pool, 'check')).toBe(false);
    expect(Reflect.get(pool, 'check')).toBe(check);
    pool.release(await pool.acquire().promise);
    expect(poolOf(auditor, 'jobs').stats.acquired).toBe(acquired);
  });

  it('counts an acquire requested in the same tick, before the audit, when it is served', async () => {
    const auditor = createAuditor();
    const { pool } = makePool();
    pools.push(pool);
    const early = pool.acquire().promise;
    auditPool(pool, { auditor });
    pool.release(await early);
    expect(poolOf(auditor).stats).toMatchObject({ created: 1, acquired: 1, inUse: 0, idle: 1 });
  });

  it('rejects what is not a tarn pool, and bad options, naming them', () => {
    expect(() => auditPool({} as never)).toThrow('poolaudit: @poolaudit/tarn expects a tarn 3.x Pool');
    const { pool } = makePool();
    pools.push(pool);
    expect(() => auditPool(pool, { nmae: 'x' } as never)).toThrow(/nmae.*did you mean name/);
  });
});

describe('readTarnConfig()', () => {
  it("maps tarn's options, with its defaults, and names them as knex takes them", () => {
    expect(readTarnConfig({ min: 0, max: 10 }, 'pool.', 60_000)).toEqual({
      config: {
        maxOpen: 10,
        maxIdle: null,
        minIdle: 0,
        idleTimeoutMs: 30_000,
        maxLifetimeMs: 60_000,
        queueLimit: null,
        acquireTimeoutMs: 30_000,
      },
      settings: {
        maxOpen: 'pool.max',
        maxIdle: 'pool.max',
        minIdle: 'pool.min',
        idleTimeoutMs: 'pool.idleTimeoutMillis',
        maxLifetimeMs: 'pool.maxConnectionLifetimeMillis',
        acquireTimeoutMs: 'pool.acquireTimeoutMillis',
      },
    });
  });
});
