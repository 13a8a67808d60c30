import { once } from 'node:events';
import { Cluster } from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot, PoolStats } from '@poolaudit/core';
import { auditRedis, detachRedis } from '../src/index.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { startRedisCluster } from '../../../test/harness/redis.js';
import type { RedisClusterHandle } from '../../../test/harness/redis.js';

function pool(auditor: Auditor, name: string): PoolSnapshot {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (!found) throw new Error(`no pool ${name}`);
  return found;
}

function expectInvariants(stats: PoolStats): void {
  const closed = Object.values(stats.closed).reduce((a, b) => a + b, 0);
  expect(stats.open).toBe(stats.idle + stats.inUse);
  expect(stats.created - closed).toBe(stats.open);
}

const CLUSTER_EVENTS = ['+node', '-node', 'connecting', 'end', 'ready', 'close', 'refresh'] as const;

describe('a three-node Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 30_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it('is one pool: nodes appear, slot-refresh connections are counted and classified', async () => {
    const auditor = createAuditor();
    const startupNodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
    const raw = new Cluster(startupNodes, { slotsRefreshInterval: 200 });
    const listenersBefore = CLUSTER_EVENTS.map((e) => raw.listenerCount(e));
    const client = auditRedis(raw, { auditor });
    expect(client).toBe(raw);
    const name = `redis-cluster ${cluster.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;

    await once(client, 'ready');
    // Keys spread over the slots, so every master serves some of them.
    const keys = Array.from({ length: 60 }, (_, i) => `poolaudit:cluster:${i}`);
    await Promise.all(keys.map((k, i) => client.set(k, String(i))));
    expect(await Promise.all(keys.map((k) => client.get(k)))).toEqual(keys.map((_, i) => String(i)));

    // The periodic refresh (every 200 ms) opens a throw-away connection to a node and disconnects it.
    expect(
      await eventually(() => (pool(auditor, name).stats.closedDetail['slots-refresh'] ?? 0) >= 3, 10_000),
    ).toBe(true);

    const p = pool(auditor, name);
    expect(p.kind).toBe('ioredis');
    expect(p.stats.events['node-added']).toBe(3);
    expect(p.recent.clientsCreated.count).toBe(1);
    expect(client.nodes('all')).toHaveLength(3);
    // One connection per node endpoint, open and used.
    for (const port of cluster.ports) {
      const endpoint = p.endpoints.find((e) => e.endpoint === `127.0.0.1:${port}`);
      expect(endpoint).toBeDefined();
      expect(endpoint?.created).toBeGreaterThanOrEqual(1);
    }
    expect(p.stats.acquired).toBeGreaterThanOrEqual(2 * keys.length);
    // Refresh connections: counted as they are made, closed here first, classified as slots-refresh.
    const refreshes = p.stats.closedDetail['slots-refresh'] ?? 0;
    expect(p.stats.events['slots-refresh']).toBeGreaterThanOrEqual(refreshes);
    expect(p.stats.closed.other).toBe(refreshes);
    expect(p.stats.closedBy.local).toBe(refreshes);
    expect(p.stats.timeWait.footprint).toBe(refreshes);
    expect(p.stats.closed.remote).toBe(0);
    expectInvariants(p.stats);
    expect(p.findings.filter((f) => f.code === 'client-per-request')).toEqual([]);

    const nodes = client.nodes('all');
    const ended = once(client, 'end');
    client.disconnect();
    await ended;
    expect(await eventually(() => pool(auditor, name).stats.open === 0)).toBe(true);
    const after = pool(auditor, name);
    expect(after.stats.closed.shutdown).toBe(3);
    expect(after.stats.closedDetail['disconnect']).toBe(3);
    expect(after.stats.events['node-removed']).toBe(3);
    expectInvariants(after.stats);

    expect(detachRedis(client)).toBe(true);
    expect(CLUSTER_EVENTS.map((e) => raw.listenerCount(e))).toEqual(listenersBefore);
    for (const node of nodes) {
      expect(Object.prototype.hasOwnProperty.call(node, 'duplicate')).toBe(false);
      expect(Object.prototype.hasOwnProperty.call(node, 'sendCommand')).toBe(false);
      expect(Object.prototype.hasOwnProperty.call(node, 'disconnect')).toBe(false);
    }
  }, 30_000);
});
