import type { UndiciConfig, UndiciOptions } from './types.js';

// Defaults from undici `lib/dispatcher/client.js` (the same in 6, 7 and 8).
const KEEP_ALIVE_TIMEOUT_MS = 4e3;
const KEEP_ALIVE_MAX_TIMEOUT_MS = 600e3;
const KEEP_ALIVE_THRESHOLD_MS = 2e3;

/**
 * Maps undici's own options (as passed to `new Client/Pool/Agent/BalancedPool`) to core's `PoolConfig`,
 * with the option names advice should use. Pure: usable on a config file before any dispatcher exists.
 *
 * `kind` says what the options belong to: a `Client` holds exactly one socket, the others `connections`.
 */
export function readUndiciConfig(
  options: UndiciOptions | null | undefined,
  kind: 'Client' | 'Pool' | 'BalancedPool' | 'Agent' = 'Pool',
): UndiciConfig {
  const o = options ?? {};
  const pipelining = numberOr(o.pipelining, 1);
  const timeoutMs = numberOr(o.keepAliveTimeout, KEEP_ALIVE_TIMEOUT_MS);
  const maxRequests = numberOr(o.maxRequestsPerClient, 0);
  const connections = numberOr(o.connections, 0);
  const clientTtl = numberOr(o.clientTtl, 0);
  return {
    config: {
      // undici: `connections` null (or 0) means no limit (lib/dispatcher/pool.js `connections || null`).
      maxOpen: kind === 'Client' ? 1 : connections > 0 ? connections : null,
      maxIdle: null,
      idleTimeoutMs: pipelining === 0 ? 0 : timeoutMs,
      maxLifetimeMs: clientTtl > 0 ? clientTtl : null,
      // undici queues without bound and has no acquire timeout.
      queueLimit: null,
      acquireTimeoutMs: null,
      keepAlive: pipelining !== 0,
    },
    settings: {
      maxOpen: 'connections',
      idleTimeoutMs: 'keepAliveTimeout',
      maxLifetimeMs: 'clientTtl',
      keepAlive: 'pipelining',
    },
    keepAlive: {
      timeoutMs,
      maxTimeoutMs: numberOr(o.keepAliveMaxTimeout, KEEP_ALIVE_MAX_TIMEOUT_MS),
      thresholdMs: numberOr(o.keepAliveTimeoutThreshold, KEEP_ALIVE_THRESHOLD_MS),
      pipelining,
      maxRequestsPerClient: maxRequests > 0 ? maxRequests : null,
    },
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
