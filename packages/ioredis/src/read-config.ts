import { InvalidOptionError, booleanOption, numberOption } from '@poolaudit/core';
import type { PoolConfig, SettingNames } from '@poolaudit/core';

/** Which ioredis constructor the options are for. */
export type IoredisKind = 'redis' | 'cluster';

/** A client's settings in core's shape, with the ioredis option behind each. */
export interface IoredisConfig {
  readonly config: PoolConfig;
  readonly settings: SettingNames;
}

/**
 * Maps ioredis options (as written, or `client.options`) to core's `PoolConfig`. Pure: it reads nothing
 * but its argument, so the startup linter and the CLI run it on config files too.
 *
 * A `Redis` is a pool of exactly one multiplexed connection: `maxOpen` 1, kept open until the client is
 * closed (no idle timeout, no maximum lifetime); `lazyConnect` decides whether it is opened up front;
 * `enableOfflineQueue: false` refuses commands while offline instead of queueing them. A `Cluster` keeps
 * one such connection per node (`maxOpen` unknown until the slots are known); its node options come from
 * `redisOptions`.
 */
export function readIoredisConfig(
  options: Readonly<Record<string, unknown>> | undefined,
  kind: IoredisKind = 'redis',
): IoredisConfig {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidOptionError('options', 'an object of ioredis options', options);
  }
  if (kind !== 'redis' && kind !== 'cluster') {
    throw new InvalidOptionError('kind', '"redis" or "cluster"', kind);
  }
  const o = options ?? {};
  const nodeOptions =
    kind === 'cluster' && typeof o['redisOptions'] === 'object' && o['redisOptions'] !== null
      ? (o['redisOptions'] as Readonly<Record<string, unknown>>)
      : kind === 'cluster'
        ? {}
        : o;
  // ioredis applies `stream.setKeepAlive(true, keepAlive)` whenever keepAlive is a number (lib/Redis.ts);
  // the default (0 in v5, 30000 in v6) is a number, so TCP keep-alive is on unless it is set to a non-number.
  const keepAliveValue = nodeOptions['keepAlive'];
  const keepAlive = keepAliveValue === undefined || typeof keepAliveValue === 'number';
  const offlineQueue = booleanOption(o, 'enableOfflineQueue') ?? true;
  const lazy = booleanOption(kind === 'cluster' ? o : nodeOptions, 'lazyConnect') ?? false;
  const config: PoolConfig = {
    maxOpen: kind === 'redis' ? 1 : null,
    maxIdle: kind === 'redis' ? 1 : null,
    minIdle: lazy ? 0 : 1,
    idleTimeoutMs: null,
    maxLifetimeMs: null,
    queueLimit: offlineQueue ? null : 0,
    keepAlive,
  };
  const settings: SettingNames = {
    minIdle: 'lazyConnect',
    queueLimit: 'enableOfflineQueue',
    keepAlive: kind === 'cluster' ? 'redisOptions.keepAlive' : 'keepAlive',
  };
  return { config, settings };
}

/** `slotsRefreshInterval` as ioredis applies it: a positive number of ms, or off. */
export function slotsRefreshIntervalOf(options: Readonly<Record<string, unknown>>): number | undefined {
  const n = numberOption(options, 'slotsRefreshInterval');
  return typeof n === 'number' && n > 0 ? n : undefined;
}
