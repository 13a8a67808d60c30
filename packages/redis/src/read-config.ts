import { InvalidOptionError, booleanOption } from '@poolaudit/core';
import type { PoolConfig } from '@poolaudit/core';
import type { NodeRedisConfig } from './types.js';

/** `createClientPool()`'s defaults (`RedisClientPool`'s `#DEFAULTS`, node-redis 5 and 6). */
export const NODE_REDIS_POOL_DEFAULTS = {
  minimum: 1,
  maximum: 100,
  acquireTimeout: 3_000,
  cleanupDelay: 3_000,
} as const;

/**
 * Maps node-redis client options (`createClient(options)`, or `client.options`) to core's `PoolConfig`. A
 * client is a pool of one multiplexed connection, opened by `connect()` and kept until the client is closed
 * (no idle timeout, no maximum lifetime); `disableOfflineQueue` refuses commands while not ready instead of
 * queueing them; TCP keep-alive is on unless `socket.keepAlive` is `false`. Pure: reads nothing but its
 * argument, so the CLI runs it on config files too.
 */
export function readNodeRedisConfig(options?: Readonly<Record<string, unknown>>): NodeRedisConfig {
  const o = objectOf(options, 'options', 'an object of node-redis client options');
  const socket = objectOf(o['socket'], 'socket', 'an object of socket options');
  const config: PoolConfig = {
    maxOpen: 1,
    maxIdle: 1,
    minIdle: 1,
    idleTimeoutMs: null,
    maxLifetimeMs: null,
    queueLimit: booleanOption(o, 'disableOfflineQueue') === true ? 0 : null,
    keepAlive: socket['keepAlive'] !== false,
  };
  return {
    config,
    settings: { queueLimit: 'disableOfflineQueue', keepAlive: 'socket.keepAlive' },
  };
}

/**
 * Maps the options of `createClientPool(clientOptions, poolOptions)` to core's `PoolConfig`, the way
 * node-redis applies them: up to `maximum` clients, each one connection; `minimum` opened by `connect()`
 * and never cleaned up; `cleanupDelay` after the last release every idle client above `minimum` is
 * destroyed (an idle timeout for the pool as a whole); a task waits at most `acquireTimeout` for a client.
 */
export function readNodeRedisPoolConfig(
  poolOptions?: Readonly<Record<string, unknown>>,
  clientOptions?: Readonly<Record<string, unknown>>,
): NodeRedisConfig {
  const p = objectOf(poolOptions, 'poolOptions', 'an object of createClientPool() options');
  const client = readNodeRedisConfig(clientOptions);
  const maximum = count(p['maximum']) ?? NODE_REDIS_POOL_DEFAULTS.maximum;
  const minimum = Math.min(count(p['minimum']) ?? NODE_REDIS_POOL_DEFAULTS.minimum, maximum);
  const acquire = count(p['acquireTimeout']) ?? NODE_REDIS_POOL_DEFAULTS.acquireTimeout;
  return {
    config: {
      maxOpen: maximum,
      maxIdle: null,
      minIdle: minimum,
      idleTimeoutMs: count(p['cleanupDelay']) ?? NODE_REDIS_POOL_DEFAULTS.cleanupDelay,
      maxLifetimeMs: null,
      queueLimit: null,
      // node-redis waits without limit when acquireTimeout is 0.
      acquireTimeoutMs: acquire > 0 ? acquire : null,
      keepAlive: client.config.keepAlive ?? null,
    },
    settings: {
      maxOpen: 'maximum',
      maxIdle: 'maximum',
      minIdle: 'minimum',
      idleTimeoutMs: 'cleanupDelay',
      acquireTimeoutMs: 'acquireTimeout',
      keepAlive: 'socket.keepAlive',
    },
  };
}

function objectOf(value: unknown, name: string, expected: string): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(name, expected, value);
  }
  return value as Readonly<Record<string, unknown>>;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
