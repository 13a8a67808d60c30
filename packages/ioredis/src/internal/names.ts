import type { ClusterInternals, RedisInternals } from './shapes.js';

/** `redis 127.0.0.1:6379`, `redis /tmp/redis.sock`, `redis sentinel mymaster`. */
export function defaultRedisName(client: RedisInternals): string {
  const o = client.options;
  if (typeof o['path'] === 'string' && o['path'] !== '') return `redis ${o['path']}`;
  if (Array.isArray(o['sentinels']) && typeof o['name'] === 'string') return `redis sentinel ${o['name']}`;
  return `redis ${hostPort(o['host'], o['port'], 'localhost')}`;
}

/** `redis-cluster 127.0.0.1:7000,127.0.0.1:7001`: the startup nodes as given. */
export function defaultClusterName(cluster: ClusterInternals): string {
  const nodes = (cluster.startupNodes ?? []).map(startupNode).filter((n) => n !== '');
  return `redis-cluster ${nodes.length > 0 ? nodes.join(',') : hostPort(undefined, undefined, CLUSTER_HOST)}`;
}

function startupNode(node: unknown): string {
  if (typeof node === 'number') return hostPort(undefined, node, CLUSTER_HOST);
  if (typeof node === 'string') {
    if (node.includes('://')) {
      try {
        const url = new URL(node);
        return hostPort(url.hostname, url.port === '' ? undefined : url.port, CLUSTER_HOST);
      } catch {
        return '';
      }
    }
    return /^\d+$/.test(node) ? hostPort(undefined, node, CLUSTER_HOST) : node;
  }
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    return hostPort(o['host'], o['port'], CLUSTER_HOST);
  }
  return '';
}

// ioredis' own defaults: `localhost:6379` for a Redis (lib/redis/RedisOptions.ts), `127.0.0.1:6379` for a
// cluster node (lib/cluster/util.ts getNodeKey).
const CLUSTER_HOST = '127.0.0.1';

function hostPort(host: unknown, port: unknown, defaultHost: string): string {
  const h = typeof host === 'string' && host !== '' ? host : defaultHost;
  const p = typeof port === 'number' || (typeof port === 'string' && port !== '') ? String(port) : '6379';
  return h.includes(':') && !h.startsWith('[') ? `[${h}]:${p}` : `${h}:${p}`;
}
