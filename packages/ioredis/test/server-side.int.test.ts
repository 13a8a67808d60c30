import { once } from 'node:events';
import Redis from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot, PoolStats } from '@poolaudit/core';
import { auditRedis, detachRedis } from '../src/index.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { startRedis } from '../../../test/harness/redis.js';
import type { RedisServer } from '../../../test/harness/redis.js';

function pool(auditor: Auditor, name: string): PoolSnapshot {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (!found) throw new Error(`no pool ${name}`);
  return found;
}

/** The ledger's invariants: gauges add up, and what was created and not closed is open. */
function expectInvariants(stats: PoolStats): void {
  const closed = Object.values(stats.closed).reduce((a, b) => a + b, 0);
  expect(stats.open).toBe(stats.idle + stats.inUse);
  expect(stats.created - closed).toBe(stats.open);
  expect(stats.open).toBeGreaterThanOrEqual(0);
  expect(stats.inUse).toBeGreaterThanOrEqual(0);
}

async function closeClient(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = once(redis, 'end');
  redis.disconnect();
  await ended;
}

describe('who closes: quit() and disconnect(), read at the socket', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.close();
  });

  it('disconnect() closes first here (TIME_WAIT here); quit() lets the server close first (none here)', async () => {
    const auditor = createAuditor();
    const name = 'sides';
    const byDisconnect = auditRedis(new Redis({ host: '127.0.0.1', port: server.port }), {
      auditor,
      name,
      readServerSettings: false,
    });
    const byQuit = auditRedis(new Redis({ host: '127.0.0.1', port: server.port }), {
      auditor,
      name,
      readServerSettings: false,
    });
    await Promise.all([byDisconnect.ping(), byQuit.ping()]);
    const disconnectPort = byDisconnect.stream.localPort as number;
    const quitPort = byQuit.stream.localPort as number;

    await closeClient(byDisconnect);
    const quitEnded = once(byQuit, 'end');
    expect(await byQuit.quit()).toBe('OK');
    await quitEnded;

    const p = pool(auditor, name);
    expect(p.stats.created).toBe(2);
    expect(p.stats.closed.shutdown).toBe(2);
    expect(p.stats.closedDetail).toEqual({ disconnect: 1, quit: 1 });
    expect(p.stats.closedBy).toEqual({ local: 1, remote: 1, reset: 0, unknown: 0 });
    expect(p.stats.timeWait.footprint).toBe(1);
    expectInvariants(p.stats);
    // The kernel agrees: our side of the disconnect()ed connection sits in TIME_WAIT, the quit() one does not.
    expect(countSsSockets('time-wait', server.port, new Set([disconnectPort]))).toBe(1);
    expect(countSsSockets('time-wait', server.port, new Set([quitPort]))).toBe(0);
  });
});

describe('a server with timeout 1', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis(['--timeout', '1']);
  });
  afterAll(async () => {
    await server.close();
  });

  it('closes idle clients: remote closes are counted, reconnects too, and server-closes-first fires', async () => {
    const auditor = createAuditor();
    const name = 'idle';
    const clients = Array.from({ length: 3 }, () =>
      // Reading the server's settings opens a connection and sends commands: opt-in.
      auditRedis(new Redis({ host: '127.0.0.1', port: server.port }), {
        auditor,
        name,
        readServerSettings: true,
      }),
    );
    await Promise.all(clients.map((c) => c.ping()));

    // The server's timeout was read on a connection of its own and recorded for the detector.
    expect(
      await eventually(() => pool(auditor, name).annotations['serverIdleTimeoutMs'] === 1000, 5000),
    ).toBe(true);
    expect(pool(auditor, name).annotations['serverMaxClients']).toBeGreaterThan(0);
    expect(pool(auditor, name).annotations['serverConfigReadable']).toBe(true);

    const fired = await eventually(
      () => auditor.findings().some((f) => f.code === 'server-closes-first' && f.pool === name),
      15_000,
      100,
    );
    expect(fired).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.closed.remote).toBeGreaterThanOrEqual(5);
    expect(p.stats.closedBy.remote).toBe(p.stats.closed.remote);
    expect(p.stats.closedBy.local).toBe(0);
    expect(p.stats.events['reconnect']).toBeGreaterThanOrEqual(p.stats.closed.remote - clients.length);
    expectInvariants(p.stats);
    const finding = p.findings.find((f) => f.code === 'server-closes-first');
    expect(finding?.evidence['serverIdleTimeoutMs']).toBe(1000);
    expect(finding?.message).toMatch(/idle for 1s/);

    // The clients still work after all those reconnects.
    expect(await Promise.all(clients.map((c) => c.ping()))).toEqual(['PONG', 'PONG', 'PONG']);
    await Promise.all(clients.map(closeClient));
  }, 30_000);
});

describe('CLIENT KILL and a restart under load', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.close();
  });

  it('counts the reconnects, keeps the invariants and throws nothing into the application', async () => {
    const auditor = createAuditor();
    const name = 'killed';
    const redis = auditRedis(new Redis({ host: '127.0.0.1', port: server.port }), {
      auditor,
      name,
      readServerSettings: false,
    });
    // The application handles connection errors (ECONNREFUSED while the server restarts) as it would anyway.
    redis.on('error', () => {});
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);

    let stop = false;
    let ok = 0;
    let failed = 0;
    const load = (async () => {
      for (let i = 0; i < 20_000 && !stop; i++) {
        try {
          await redis.incr('poolaudit:killed');
          ok++;
        } catch {
          failed++;
        }
      }
    })();

    await eventually(() => ok > 50);
    const id = String(await redis.client('ID'));
    const before = pool(auditor, name).stats.created;
    expect((await server.cli('CLIENT', 'KILL', 'ID', id)).trim()).toBe('1');
    expect(await eventually(() => pool(auditor, name).stats.created === before + 1)).toBe(true);
    const afterKill = ok;
    expect(await eventually(() => ok > afterKill + 50)).toBe(true);

    await server.restart();
    expect(await eventually(() => pool(auditor, name).stats.created === before + 2, 10_000)).toBe(true);
    const afterRestart = ok;
    expect(await eventually(() => ok > afterRestart + 50, 10_000)).toBe(true);
    stop = true;
    await load;
    process.off('uncaughtException', onUncaught);

    const p = pool(auditor, name);
    expect(p.stats.events['reconnect']).toBe(2);
    // CLIENT KILL: the server's FIN. The restart: a FIN, or a reset when requests were unread.
    expect(p.stats.closed.remote + p.stats.closed.error).toBe(2);
    expect(p.stats.closedBy.remote + p.stats.closedBy.reset).toBe(2);
    expect(p.stats.closedBy.local).toBe(0);
    expect(p.stats.open).toBe(1);
    expectInvariants(p.stats);
    expect(uncaught).toEqual([]);
    // Commands in flight when the server went away are retried by ioredis (autoResendUnfulfilledCommands).
    expect(failed).toBe(0);
    expect(Number(await redis.get('poolaudit:killed'))).toBeGreaterThan(0);

    await closeClient(redis);
    expectInvariants(pool(auditor, name).stats);
    expect(detachRedis(redis)).toBe(true);
  }, 30_000);
});

describe('server settings', () => {
  it('tolerate CONFIG being disabled: nothing is annotated and the client works', async () => {
    const server = await startRedis(['--rename-command', 'CONFIG', '""', '--timeout', '7']);
    try {
      const auditor = createAuditor();
      const redis = auditRedis(new Redis({ host: '127.0.0.1', port: server.port }), {
        auditor,
        name: 'no-config',
        readServerSettings: true,
      });
      expect(await redis.ping()).toBe('PONG');
      // The reader's CONFIG GETs were refused: that is recorded, and nothing else is.
      expect(
        await eventually(() => pool(auditor, 'no-config').annotations['serverConfigReadable'] === false),
      ).toBe(true);
      expect(pool(auditor, 'no-config').annotations).toEqual({ serverConfigReadable: false });
      expect(await redis.ping()).toBe('PONG');
      await closeClient(redis);
    } finally {
      await server.close();
    }
  }, 15_000);
});
