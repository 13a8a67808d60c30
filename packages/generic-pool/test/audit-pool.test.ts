import { createPool } from 'generic-pool';
import mysql from 'mysql2';
import type { Pool } from 'generic-pool';
import { InvalidOptionError, UnsupportedPoolError, createAuditor } from '@poolaudit/core';
import { auditPool, detach, isAudited } from '../src/index.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { auditorFor, thingFactory } from './support/fake-factory.js';
import type { Thing } from './support/fake-factory.js';

const pools: Pool<unknown>[] = [];

/** A pool closed after the test (drained and cleared). */
function track<T>(pool: Pool<T>): Pool<T> {
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  for (const pool of pools.splice(0)) {
    detach(pool);
    await pool.drain();
    await pool.clear();
  }
});

/** The pool's own gauges next to the ledger's. */
function gauges(pool: Pool<unknown>, stats: { open: number; idle: number; inUse: number; pending: number }) {
  return {
    ours: { open: stats.open, idle: stats.idle, inUse: stats.inUse, pending: stats.pending },
    pools: { open: pool.size, idle: pool.available, inUse: pool.borrowed, pending: pool.pending },
  };
}

describe('auditPool: arguments', () => {
  it('rejects objects that are not generic-pool pools with UnsupportedPoolError', () => {
    for (const value of [undefined, null, 42, {}, { acquire: () => undefined }, new Map()]) {
      expect(() => auditPool(value as unknown as Pool<unknown>)).toThrow(UnsupportedPoolError);
    }
    try {
      auditPool({} as unknown as Pool<unknown>);
    } catch (err) {
      expect((err as UnsupportedPoolError).code).toBe('POOLAUDIT_UNSUPPORTED_POOL');
      expect((err as Error).message).toMatch(/generic-pool 3\.x Pool, got a plain object/);
    }
  });

  it('rejects bad options with InvalidOptionError naming the option and the value', () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const bad: [unknown, RegExp][] = [
      [{ name: '' }, /name must be a non-empty string, got ""/],
      [{ name: 7 }, /name must be a non-empty string, got 7/],
      [{ auditor: {} }, /auditor must be an Auditor/],
      [{ socketOf: 'stream' }, /socketOf must be a function.*got "stream"/],
      [
        'orders',
        /auditPool\(\): options must be an object \(\{ name, auditor, socketOf, createOptions \}\), got "orders"/,
      ],
    ];
    for (const [options, message] of bad) {
      expect(() => auditPool(pool, options as never)).toThrow(InvalidOptionError);
      expect(() => auditPool(pool, options as never)).toThrow(message);
    }
    expect(isAudited(pool)).toBe(false);
  });
});

describe('auditPool: attach and detach', () => {
  it('returns the same pool and restores exactly what it replaced', async () => {
    const { factory } = thingFactory();
    const pool = track(createPool(factory, { max: 2 }));
    // Every own property but the emitter's bookkeeping (compared by eventNames() below).
    const own = (o: object) =>
      Object.getOwnPropertyNames(o)
        .filter((k) => k !== '_events' && k !== '_eventsCount')
        .map((k) => [k, Object.getOwnPropertyDescriptor(o, k)]);
    const before = own(pool);
    const enumerable = Object.keys(pool);
    const { auditor } = auditorFor();
    expect(auditPool(pool, { auditor, name: 'things' })).toBe(pool);
    expect(isAudited(pool)).toBe(true);
    // Audited, the pool has the same own keys and no listener more: the hooks dispatch from Pool.prototype.
    expect(Object.getOwnPropertyDescriptor(pool, 'acquire')).toBeUndefined();
    expect(Object.keys(pool)).toEqual(enumerable);
    expect(pool.eventNames()).toEqual([]);
    expect(detach(pool)).toBe(true);
    expect(detach(pool)).toBe(false);
    expect(own(pool)).toEqual(before);
    expect((pool as unknown as { _factory: unknown })._factory).toBe(factory);
    expect(pool.eventNames()).toEqual([]);
    expect(Object.keys(pool)).toEqual(enumerable);
    // Nothing is recorded once detached.
    const thing = await pool.acquire();
    await pool.release(thing);
    expect(auditor.snapshot().pools[0]!.stats.acquired).toBe(0);
  });

  it('leaves a wrapper installed over ours in place, and ours then passes calls through', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const ours = pool.acquire.bind(pool);
    const theirs = (priority?: number) => ours(priority);
    pool.acquire = theirs;
    detach(pool);
    expect(Object.getOwnPropertyDescriptor(pool, 'acquire')?.value).toBe(theirs);
    await pool.release(await pool.acquire());
    expect(snap().stats.acquired).toBe(0);
  });

  it('auditing twice keeps the first audit: a new name renames it, another auditor is ignored with a warning', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const first = auditorFor();
    const second = auditorFor();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      auditPool(pool, { auditor: first.auditor });
      await pool.release(await pool.acquire());
      const acquire = Reflect.get(pool, 'acquire') as unknown;
      expect(auditPool(pool, { name: 'jobs', auditor: first.auditor })).toBe(pool);
      expect(auditPool(pool, { auditor: second.auditor })).toBe(pool);
      expect(Reflect.get(pool, 'acquire')).toBe(acquire);
      await pool.release(await pool.acquire());
      expect(first.auditor.poolNames()).toEqual(['jobs']);
      expect(first.pool().stats.acquired).toBe(2);
      expect(second.auditor.snapshot().pools).toHaveLength(0);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('auditPool() was called again for the pool "jobs"');
    } finally {
      warn.mockRestore();
    }
  });

  it('names the library of a pool from elsewhere, and the near miss of a mistyped option', () => {
    const mysqlPool = mysql.createPool({ host: '127.0.0.1', port: 1 });
    expect(() => auditPool(mysqlPool as never)).toThrow(
      'poolaudit: @poolaudit/generic-pool expects a generic-pool 3.x Pool, got a mysql2 Pool: audit it with auditPool() from @poolaudit/mysql2',
    );
    mysqlPool.end();
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    expect(() => auditPool(pool, { nmae: 'x' } as never)).toThrow(
      'poolaudit: auditPool(): unknown option nmae; did you mean name? (known: name, auditor, socketOf, createOptions)',
    );
  });

  it('createOptions: a typo generic-pool dropped is a generic-pool/unknown-option finding', async () => {
    const given = { max: 2, acquireTimeoutMilis: 500, evictionRunIntervalMillis: 1000 };
    const pool = track(createPool(thingFactory().factory, given));
    const auditor = createAuditor();
    auditPool(pool, { auditor, createOptions: given });
    const finding = (await auditor.lint()).find((f) => f.code === 'generic-pool/unknown-option');
    expect(finding?.evidence).toEqual({
      unknownOptions: 'acquireTimeoutMilis',
      suggestions: 'acquireTimeoutMillis',
    });
    expect(finding?.advice).toBe('Rename acquireTimeoutMilis to acquireTimeoutMillis.');
  });

  it('drain() then clear(): the pool has ended, and its record leaves once the TIME_WAIT window has passed', async () => {
    let now = 0;
    const auditor = createAuditor({
      clock: () => now,
      logger: { info: () => undefined, warn: () => undefined },
    });
    const pool = track(createPool(thingFactory().factory, { max: 2 }));
    auditPool(pool, { auditor, name: 'ends' });
    await pool.release(await pool.acquire());
    now = 10_000;
    expect(auditor.poolNames()).toEqual(['ends']);
    await pool.drain();
    expect(auditor.poolNames()).toEqual(['ends']); // draining: still taking releases
    await pool.clear();
    expect(auditor.snapshot().pools[0]?.stats).toMatchObject({ open: 0, closed: { shutdown: 1 } });
    now += 59_000;
    expect(auditor.poolNames()).toEqual(['ends']);
    now += 2_000;
    // The pool object is still referenced here: it left because it ended, not because it was collected.
    expect(auditor.poolNames()).toEqual([]);
    expect(pool.size).toBe(0);
  });

  it('counts resources that exist when auditing starts, borrowed ones as in use', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 3, min: 2 }));
    await eventually(() => pool.available === 2);
    const held = await pool.acquire();
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const g = gauges(pool, snap().stats);
    expect(g.ours).toEqual(g.pools);
    await pool.release(held);
    expect(snap().stats).toMatchObject({ open: 2, inUse: 0, idle: 2 });
  });

  it('a disabled auditor records nothing and the pool works', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor } = auditorFor({ enabled: false });
    auditPool(pool, { auditor });
    await pool.release(await pool.acquire());
    expect(auditor.snapshot().pools).toEqual([]);
  });
});

describe('auditPool: what it records', () => {
  it("keeps the pool's own gauges and counts acquires, releases and user destroys", async () => {
    const pool = track(createPool(thingFactory().factory, { max: 3 }));
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor, name: 'things' });
    const a = await pool.acquire();
    const b = await pool.acquire();
    let g = gauges(pool, snap().stats);
    expect(g.ours).toEqual({ open: 2, idle: 0, inUse: 2, pending: 0 });
    expect(g.ours).toEqual(g.pools);
    await pool.release(a);
    await pool.destroy(b);
    await expect(pool.release({ id: 99 })).rejects.toThrow('Resource not currently part of this pool');
    await expect(pool.destroy(b)).rejects.toThrow('Resource not currently part of this pool');
    g = gauges(pool, snap().stats);
    expect(g.ours).toEqual(g.pools);
    const stats = snap().stats;
    expect(stats).toMatchObject({ created: 2, acquired: 2, waitCount: 0, timeouts: 0 });
    expect(stats.closed.other).toBe(1);
    expect(stats.closedDetail).toEqual({ destroy: 1 });
    expect(stats.closedBy.unknown).toBe(1);
    expect(snap()).toMatchObject({
      name: 'things',
      kind: 'generic-pool',
      config: { maxOpen: 3, minIdle: 0, idleTimeoutMs: null },
      settings: { maxOpen: 'max', minIdle: 'min' },
      rawConfig: { max: 3, min: 0, idleTimeoutMillis: 30000 },
    });
  });

  it('counts an acquire as a wait only when nothing was idle and it started no resource of its own', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const first = await pool.acquire(); // creates: a connect, not a wait
    expect(snap().stats.waitCount).toBe(0);
    const second = pool.acquire(); // the pool is full: waits for the release
    expect(snap().stats.pending).toBe(1);
    await pool.release(first);
    await pool.release(await second);
    await pool.release(await pool.acquire()); // idle at hand: no wait
    expect(snap().stats).toMatchObject({ acquired: 3, waitCount: 1, pending: 0 });
  });

  it('counts acquire timeouts (TimeoutError) and other acquire failures', async () => {
    const pool = track(
      createPool(thingFactory().factory, { max: 1, acquireTimeoutMillis: 20, maxWaitingClients: 2 }),
    );
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const held = await pool.acquire();
    const waiting = [pool.acquire(), pool.acquire()];
    await expect(pool.acquire()).rejects.toThrow('max waitingClients count exceeded');
    for (const p of waiting) await expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
    await pool.release(held);
    expect(snap().stats).toMatchObject({ timeouts: 2, acquireErrors: 3, waitCount: 2, pending: 0 });
  });

  it('classifies the hard idle timeout with min > 0 as a close the pool refills at once', async () => {
    const pool = track(
      createPool(thingFactory().factory, {
        max: 3,
        min: 2,
        idleTimeoutMillis: 20,
        evictionRunIntervalMillis: 10,
      }),
    );
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    expect(await eventually(() => (snap().stats.closedDetail['idleTimeoutMillis'] ?? 0) >= 4, 3000)).toBe(
      true,
    );
    const stats = snap().stats;
    expect(stats.closed.idleTimeout).toBe(stats.closedDetail['idleTimeoutMillis']);
    expect(stats.events['min-refill']).toBeGreaterThanOrEqual(4);
    expect(stats.events['idle-closed-below-min']).toBe(stats.events['min-refill']);
    expect(stats.created).toBeGreaterThanOrEqual(6);
  });

  it('classifies the soft idle timeout, which keeps min and refills nothing', async () => {
    const pool = track(
      createPool(thingFactory().factory, {
        max: 3,
        min: 1,
        softIdleTimeoutMillis: 20,
        idleTimeoutMillis: 60_000,
        evictionRunIntervalMillis: 10,
      }),
    );
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const things = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const thing of things) await pool.release(thing);
    expect(await eventually(() => snap().stats.closed.idleTimeout === 2, 3000)).toBe(true);
    expect(snap().stats.closedDetail).toEqual({ softIdleTimeoutMillis: 2 });
    expect(snap().stats.events['min-refill']).toBeUndefined();
    expect(pool.size).toBe(1);
  });

  it('classifies failed validation as an error, drain + clear as shutdown, and counts factory errors', async () => {
    const { factory } = thingFactory({
      invalid: new Set([1]),
      failCreate: new Set([3]),
      failDestroy: new Set([2]),
    });
    const pool = track(createPool(factory, { max: 2, testOnBorrow: true }));
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const errors: string[] = [];
    pool.on('factoryCreateError', (e: Error) => errors.push(e.message));
    pool.on('factoryDestroyError', (e: Error) => errors.push(e.message));
    const first = await pool.acquire(); // 1 is created, fails validation, 2 serves
    expect(first).toEqual({ id: 2 });
    const second = await pool.acquire(); // 3 fails to create, 4 serves
    expect(second).toEqual({ id: 4 });
    await pool.release(first);
    await pool.release(second);
    await pool.drain();
    await pool.clear();
    expect(errors).toEqual(['create 3 failed', 'destroy 2 failed']);
    const stats = snap().stats;
    expect(stats.closed).toMatchObject({ error: 1, shutdown: 2 });
    expect(stats.closedDetail).toEqual({ validate: 1, drain: 2 });
    expect(stats.events).toMatchObject({ 'destroy-error': 1, drain: 1, clear: 1 });
    expect(stats.connectErrors).toBe(1);
    expect(stats.lastConnectError).toMatchObject({
      code: 'unknown',
      message: 'create 3 failed',
      endpoint: null,
    });
    expect(stats.open).toBe(0);
  });

  it("counts a failed create of the pool's min fill that was under way when the audit started", async () => {
    const { factory } = thingFactory({ failCreate: new Set([1]) });
    const pool = track(createPool(factory, { min: 1, max: 2 }));
    const { auditor, pool: snap } = auditorFor();
    // Audited right after createPool: its constructor already sent create 1 to the factory.
    auditPool(pool, { auditor });
    expect(await eventually(() => snap().stats.connectErrors === 1)).toBe(true);
    expect(snap().stats.lastConnectError?.message).toBe('create 1 failed');
    expect(pool.eventNames()).toEqual([]);
  });

  it('tracks resources that are not objects', async () => {
    let n = 0;
    const pool = track(
      createPool({ create: () => Promise.resolve(++n), destroy: () => Promise.resolve() }, { max: 2 }),
    );
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    const a = await pool.acquire();
    const b = await pool.acquire();
    await pool.release(a);
    await pool.destroy(b);
    expect(snap().stats).toMatchObject({ created: 2, acquired: 2, open: 1, inUse: 0, idle: 1 });
  });

  it('a socketOf that throws is counted and the pool goes on', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, {
      auditor,
      socketOf: () => {
        throw new Error('no socket here');
      },
    });
    await pool.release(await pool.acquire());
    expect(snap().stats).toMatchObject({ created: 1, acquired: 1 });
    expect(snap().stats.events['socket-of-error']).toBe(1);
  });
});

describe('a failure inside auditing', () => {
  it('detaches, warns with POOLAUDIT_AUDIT_FAILED, and the pool goes on as if never audited', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor } = auditorFor();
    auditPool(pool, { auditor });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    // The adapter reads the pool's parsed options before the pool does: make that first read fail.
    const config = (pool as unknown as { _config: Record<string, unknown> })._config;
    let reads = 0;
    Object.defineProperty(config, 'maxWaitingClients', {
      get: () => {
        if (reads++ === 0) throw new Error('internals changed');
        return undefined;
      },
      configurable: true,
    });
    try {
      const thing = await pool.acquire();
      expect(thing).toEqual({ id: 1 });
      await pool.release(thing);
      expect(isAudited(pool)).toBe(false);
      expect(Object.getOwnPropertyDescriptor(pool, 'acquire')).toBeUndefined();
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/internals changed/), {
        code: 'POOLAUDIT_AUDIT_FAILED',
      });
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('leak detection', () => {
  it('reports a resource held past the threshold with the stack of the caller that acquired it', async () => {
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor, pool: snap } = auditorFor({ leakDetectionThresholdMs: 30 });
    auditPool(pool, { auditor });
    const released: { heldMs: number; stack: string }[] = [];
    auditor.on('leak-released', (e) => released.push(e));
    async function checkoutForNightlyReport(): Promise<Thing> {
      return pool.acquire();
    }
    const thing = await checkoutForNightlyReport();
    expect(await eventually(() => snap().leaks.length === 1, 2000)).toBe(true);
    const [leak] = snap().leaks;
    const frames = leak!.stack.split('\n');
    expect(frames[0]).toBe('Error: acquired here');
    expect(frames[1]).toMatch(/at checkoutForNightlyReport .*audit-pool\.test\.ts/);
    expect(leak!.stack).not.toMatch(/pool-audit|generic-pool[/\\]lib/);
    expect(auditor.findings().map((f) => f.code)).toContain('connection-leak');
    await pool.release(thing);
    expect(released).toHaveLength(1);
    expect(released[0]!.stack).toBe(leak!.stack);
    expect(snap().leaks).toEqual([]);
  });

  it('leaves Error.prepareStackTrace as it was', async () => {
    const before = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    const pool = track(createPool(thingFactory().factory, { max: 1 }));
    const { auditor } = auditorFor({ leakDetectionThresholdMs: 1000 });
    auditPool(pool, { auditor });
    await pool.release(await pool.acquire());
    expect(Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace')).toEqual(before);
    expect(new Error('x').stack).toMatch(/^Error: x\n/);
  });
});
