import { once } from 'node:events';
import Redis from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolStats } from '@poolaudit/core';
import { auditRedis } from '../src/index.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { freePort } from '../../../test/harness/free-port.js';
import { startRedis } from '../../../test/harness/redis.js';

function stats(auditor: Auditor): PoolStats {
  const found = auditor.snapshot().pools[0];
  if (!found) throw new Error('no pool');
  return found.stats;
}

async function closeClient(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = once(redis, 'end');
  redis.disconnect();
  await ended;
}

describe('in use and pending', () => {
  it('a command awaiting its reply makes the connection in use until the reply is read', async () => {
    const auditor = createAuditor();
    const key = `poolaudit:blpop:${process.pid}`;
    const waiter = auditRedis(new Redis({ host: '127.0.0.1', port: 6379 }), { auditor, name: 'blpop' });
    const pusher = new Redis({ host: '127.0.0.1', port: 6379 });
    try {
      await waiter.ping();
      expect(stats(auditor).inUse).toBe(0);
      const popped = waiter.blpop(key, 5);
      expect(await eventually(() => stats(auditor).inUse === 1)).toBe(true);
      expect(stats(auditor).idle).toBe(0);
      await pusher.rpush(key, 'item');
      expect(await popped).toEqual([key, 'item']);
      expect(stats(auditor).inUse).toBe(0);
      expect(stats(auditor).idle).toBe(1);
      expect(stats(auditor).acquired).toBe(2);
    } finally {
      await closeClient(waiter);
      await closeClient(pusher);
    }
  });

  it('commands queued while the server is away are pending, and their wait is timed once served', async () => {
    const auditor = createAuditor();
    const port = await freePort();
    const redis = auditRedis(
      new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50, maxRetriesPerRequest: null }),
      { auditor, name: 'offline', readServerSettings: false },
    );
    redis.on('error', () => {}); // ECONNREFUSED until the server is up
    const replies = Promise.all([redis.ping(), redis.ping('a'), redis.ping('b')]);
    expect(stats(auditor).pending).toBe(3);
    expect(stats(auditor).open).toBe(0);
    expect(await eventually(() => stats(auditor).connectErrors >= 1)).toBe(true);

    const server = await startRedis([], port);
    try {
      expect(await replies).toEqual(['PONG', 'a', 'b']);
      const s = stats(auditor);
      expect(s.pending).toBe(0);
      expect(s.created).toBe(1);
      expect(s.events['offline-queued']).toBe(3);
      expect(s.acquired).toBe(3);
      expect(s.timings.wait.max).toBeGreaterThan(0);
      // Waiting for the connection to come up is not waiting for a free connection: no saturation.
      expect(s.waitCount).toBe(0);
      expect(auditor.findings().filter((f) => f.code === 'pool-saturated')).toEqual([]);
      await closeClient(redis);
    } finally {
      await server.close();
    }
  });
});
