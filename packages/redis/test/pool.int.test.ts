import { createClientPool } from 'redis';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import type { HostObservation } from '@poolaudit/host';
import { auditPool, detach, isAudited } from '@poolaudit/redis';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { startRedis } from '../../../test/harness/redis.js';
import type { RedisServer } from '../../../test/harness/redis.js';
import type { ClientSelf } from '../src/internal/shapes.js';
import { socketOf } from '../src/internal/socket-of.js';

/** The real instance behind what node-redis hands out (a private member in its types). */
const selfOf = (x: object): ClientSelf => (x as unknown as { _self: ClientSelf })._self;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function poolOf(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return pool;
}

type Pool = ReturnType<typeof createClientPool>;

/** One burst: `width` tasks at once, each holding its client for 100 ms (a BLPOP that times out). */
async function burst(pool: Pool, width: number, ports: Set<number>): Promise<void> {
  await Promise.all(
    Array.from({ length: width }, () =>
      pool.execute((client) => {
        const port = socketOf(selfOf(client))?.localPort;
        if (port !== undefined) ports.add(port);
        return client.sendCommand(['BLPOP', 'poolaudit:node-redis:never', '0.1']);
      }),
    ),
  );
}

describe('a node-redis pool', () => {
  let server: RedisServer;
  let pool: Pool | undefined;
  let observation: HostObservation | undefined;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    observation?.detach();
    observation = undefined;
    pool?.destroy();
    pool = undefined;
  });

  it('with the defaults, under bursts every 4 s: the cleanup churn is named after cleanupDelay', async () => {
    const auditor = createAuditor({ detectors: { 'idle-timeout-churn': { minEvents: 2, minSeconds: 1 } } });
    observation = observeHost(auditor, { intervalMs: 60_000 });
    pool = createClientPool({ socket: { host: '127.0.0.1', port: server.port } });
    expect(auditPool(pool, { auditor })).toBe(pool);
    expect(isAudited(pool)).toBe(true);
    await pool.connect();
    const ports = new Set<number>();
    // Bounded: three bursts of 8, 4 s apart.
    for (let i = 0; i < 3; i++) {
      if (i > 0) await pause(4000);
      await burst(pool, 8, ports);
    }
    const name = `node-redis-pool 127.0.0.1:${server.port}`;
    const { stats, findings } = poolOf(auditor, name);
    // Each quiet spell, 3 s after the last release, the pool destroyed the 7 clients above minimum 1.
    expect(stats.closed.idleTimeout).toBe(14);
    expect(stats.closedDetail['cleanupDelay']).toBe(14);
    expect(stats.created).toBe(8 + 14);
    expect(stats.open).toBe(8);
    // Each task that found no idle client waited for the connect of a client made for it: not a WaitCount.
    expect(stats.waitCount).toBe(0);
    expect(stats.timings.wait.count).toBe(stats.acquired);
    expect(findings.find((f) => f.code === 'pool-saturated')).toBeUndefined();
    expect(stats.closedBy.local).toBe(14);
    const churn = findings.find((f) => f.code === 'idle-timeout-churn');
    expect(churn?.message).toContain('cleanupDelay=3 s');
    expect(churn?.advice).toContain('Raise cleanupDelay to at least');
    expect(churn?.advice).toContain('Or raise minimum from 1 to 8');
    // The pool closed them: each left a TIME_WAIT socket here, as the kernel shows on those ports.
    await observation.refresh();
    const tw = poolOf(auditor, name).stats.timeWait;
    expect(tw.source).toBe('kernel');
    // Linux may give a new connection toward the same server the port of one of those TIME_WAIT sockets
    // (net.ipv4.tcp_tw_reuse), ending it early: the footprint is what the kernel still holds (seen: 13 of 14).
    expect(tw.footprint).toBe(countSsSockets('time-wait', server.port, ports));
    expect(tw.footprint).toBeGreaterThanOrEqual(12);
    // node-redis published each member's connect: connect timings come with the members.
    expect(stats.timings.connect.count).toBe(stats.created);
  });

  it('with the advice (cleanupDelay above the gap), the same bursts churn nothing', async () => {
    const auditor = createAuditor({ detectors: { 'idle-timeout-churn': { minEvents: 2, minSeconds: 1 } } });
    const poolOptions = { cleanupDelay: 6000 };
    pool = createClientPool({ socket: { host: '127.0.0.1', port: server.port } }, poolOptions);
    auditPool(pool, { auditor, poolOptions, name: 'cache' });
    await pool.connect();
    const ports = new Set<number>();
    for (let i = 0; i < 3; i++) {
      if (i > 0) await pause(4000);
      await burst(pool, 8, ports);
    }
    const { stats, findings, config } = poolOf(auditor, 'cache');
    expect(config.idleTimeoutMs).toBe(6000);
    expect(stats.closed.idleTimeout).toBe(0);
    expect(stats.created).toBe(8);
    expect(findings.find((f) => f.code === 'idle-timeout-churn')).toBeUndefined();
    expect(countSsSockets('time-wait', server.port, ports)).toBe(0);
    pool.destroy();
    pool = undefined;
    const after = poolOf(auditor, 'cache').stats;
    await eventually(() => poolOf(auditor, 'cache').stats.open === 0);
    expect(after.closed.idleTimeout).toBe(0);
    expect(poolOf(auditor, 'cache').stats.closedDetail['pool-destroy']).toBe(8);
  });

  it('at maximum, a task waits for a client to come back: WaitCount, pending, and pool-saturated', async () => {
    const auditor = createAuditor({ detectors: { 'pool-saturated': { minEvents: 2, minSeconds: 1 } } });
    const poolOptions = { maximum: 2, minimum: 2 };
    pool = createClientPool({ socket: { host: '127.0.0.1', port: server.port } }, poolOptions);
    auditPool(pool, { auditor, poolOptions, name: 'small' });
    await pool.connect();
    const tasks = Array.from({ length: 8 }, () =>
      pool!.execute((client) => client.sendCommand(['BLPOP', 'poolaudit:node-redis:never', '0.1'])),
    );
    expect(poolOf(auditor, 'small').stats.pending).toBe(6);
    await Promise.all(tasks);
    const { stats, findings } = poolOf(auditor, 'small');
    expect(stats).toMatchObject({ created: 2, acquired: 8, waitCount: 6, pending: 0, inUse: 0 });
    // Each wave of two waits for the one before it: about 100, 200 and 300 ms.
    expect(stats.timings.wait.max).toBeGreaterThanOrEqual(250);
    expect(findings.find((f) => f.code === 'pool-saturated')?.advice).toContain('maximum');
  });

  it('is the same pool audited and not: replies, keys, and detach restores it', async () => {
    const auditor = createAuditor();
    pool = createClientPool({ socket: { host: '127.0.0.1', port: server.port } });
    await pool.connect();
    const self = selfOf(pool);
    const keys = Object.getOwnPropertyNames(self);
    await pool.set('poolaudit:node-redis:k', 'v');
    const raw = await pool.get('poolaudit:node-redis:k');
    auditPool(pool, { auditor });
    expect(await pool.get('poolaudit:node-redis:k')).toBe(raw);
    const multi = await pool.multi().incr('poolaudit:node-redis:n').incr('poolaudit:node-redis:n').exec();
    expect(multi).toHaveLength(2);
    const name = `node-redis-pool 127.0.0.1:${server.port}`;
    // The member connected before the audit is adopted at its first task.
    expect(poolOf(auditor, name).stats).toMatchObject({ open: 1, acquired: 2, inUse: 0 });
    expect(detach(pool)).toBe(true);
    expect(isAudited(pool)).toBe(false);
    expect(Object.getOwnPropertyNames(self)).toEqual(keys);
    expect(await pool.get('poolaudit:node-redis:k')).toBe(raw);
    expect(poolOf(auditor, name).stats.acquired).toBe(2);
  });

  it('refuses what is not a node-redis pool, and says what to use for a client', () => {
    expect(() => auditPool({})).toThrow(/node-redis 5 or 6 pool/);
    const notPool = {
      _self: {
        emit() {},
        connect() {},
        sendCommand() {},
        _executePipeline() {},
        _getQueue() {},
        destroy() {},
        ref() {},
      },
    };
    expect(() => auditPool(notPool)).toThrow(/use auditClient\(\)/);
    expect(() => auditPool(createClientPool(), { poolOption: {} } as never)).toThrow(
      /poolOption.*did you mean.*poolOptions/s,
    );
  });
});
