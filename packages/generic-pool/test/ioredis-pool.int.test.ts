import { once } from 'node:events';
import { createPool } from 'generic-pool';
import type { Options, Pool } from 'generic-pool';
import Redis from 'ioredis';
import { auditPool, detach } from '../src/index.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { auditorFor } from './support/fake-factory.js';

// The shared Redis: only PING and connection-level commands here, nothing that changes its state.
const REDIS_PORT = 6379;
const pools: Pool<Redis>[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) {
    detach(pool);
    await pool.drain();
    await pool.clear();
  }
});

/** An audited pool of ioredis clients; `close` picks QUIT (the server closes) or disconnect() (we close). */
function redisPool(options: Options, close: 'quit' | 'disconnect') {
  const localPorts: number[] = [];
  const pool = createPool<Redis>(
    {
      async create() {
        const client = new Redis({
          host: '127.0.0.1',
          port: REDIS_PORT,
          lazyConnect: true,
          maxRetriesPerRequest: 1,
        });
        client.on('error', () => undefined);
        await client.connect();
        localPorts.push(client.stream.localPort!);
        return client;
      },
      async destroy(client) {
        // generic-pool's clear() can destroy a resource twice (it leaves them in its idle list).
        if (client.status === 'end') return;
        const ended = once(client, 'end');
        if (close === 'quit') await client.quit();
        else client.disconnect();
        await ended;
      },
    },
    options,
  );
  pools.push(pool);
  const { auditor, pool: snap } = auditorFor();
  // No socketOf: the default reads the client's `stream`.
  auditPool(pool, { auditor, name: 'redis' });
  return { pool, auditor, snap, localPorts };
}

/** Waits until the ledger has settled who closed every connection it saw. */
async function settled(snap: ReturnType<typeof redisPool>['snap']): Promise<boolean> {
  return eventually(() => {
    const { closedBy, created } = snap().stats;
    return closedBy.local + closedBy.remote + closedBy.reset + closedBy.unknown === created;
  });
}

describe('a generic-pool of ioredis clients', () => {
  it('QUIT lets the server close first: closed remotely, no TIME_WAIT here', async () => {
    const { pool, snap, localPorts } = redisPool({ max: 3 }, 'quit');
    const clients = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(await Promise.all(clients.map((c) => c.ping()))).toEqual(['PONG', 'PONG', 'PONG']);
    await pool.destroy(clients[0]);
    await pool.release(clients[1]);
    await pool.release(clients[2]);
    expect(snap().stats).toMatchObject({ created: 3, acquired: 3, open: 2, idle: 2, inUse: 0 });
    expect(snap().endpoints).toEqual([expect.objectContaining({ endpoint: `127.0.0.1:${REDIS_PORT}` })]);
    await pool.drain();
    await pool.clear();
    expect(await settled(snap)).toBe(true);
    const stats = snap().stats;
    expect(stats.closedDetail).toEqual({ destroy: 1, drain: 2 });
    expect(stats.closedBy).toEqual({ local: 0, remote: 3, reset: 0, unknown: 0 });
    expect(stats.timeWait.footprint).toBe(0);
    expect(countSsSockets('time-wait', REDIS_PORT, new Set(localPorts))).toBe(0);
  });

  it('min > 0 with a short hard idleTimeoutMillis and disconnect(): refill churn, each TIME_WAIT ours', async () => {
    const { pool, snap, localPorts } = redisPool(
      { max: 4, min: 2, idleTimeoutMillis: 100, evictionRunIntervalMillis: 40 },
      'disconnect',
    );
    expect(await eventually(() => snap().stats.closed.idleTimeout >= 6, 5000)).toBe(true);
    await pool.drain();
    await pool.clear();
    expect(await settled(snap)).toBe(true);
    const stats = snap().stats;
    expect(stats.closed.idleTimeout).toBe(stats.closedDetail['idleTimeoutMillis']);
    expect(stats.events['idle-closed-below-min']).toBe(stats.closed.idleTimeout);
    expect(stats.created).toBe(stats.closed.idleTimeout + stats.closed.shutdown);
    expect(stats.closedBy.local).toBe(stats.created);
    const reused = localPorts.length - new Set(localPorts).size;
    expect(countSsSockets('time-wait', REDIS_PORT, new Set(localPorts))).toBe(
      stats.timeWait.footprint - reused,
    );
  });
});
