import { InvalidOptionError } from '@poolaudit/core';
import type { PoolConfig, SettingNames } from '@poolaudit/core';
import type { PgPoolConfig } from './types.js';

/** pg's option name for each normalized setting: advice names what users write. */
export const PG_SETTING_NAMES: SettingNames = Object.freeze({
  maxOpen: 'max',
  maxIdle: 'max',
  minIdle: 'min',
  idleTimeoutMs: 'idleTimeoutMillis',
  maxLifetimeMs: 'maxLifetimeSeconds',
  acquireTimeoutMs: 'connectionTimeoutMillis',
  keepAlive: 'keepAlive',
});

/**
 * Maps node-postgres pool options to the normalized `PoolConfig`, with pg-pool's own defaults
 * (pg-pool/index.js constructor):
 *
 * - `max` (default 10; `0` also means 10: pg-pool writes `options.max || 10`). pg-pool keeps every
 *   released client idle, so `maxIdle` is `max`.
 * - `min` (default 0): the idle timer spares a client while no more than `min` exist. pg-pool opens none
 *   ahead of demand.
 * - `idleTimeoutMillis` (default 10000; `0` disables the idle timer → `null`).
 * - `maxLifetimeSeconds` (default 0 = none → `null`).
 * - `connectionTimeoutMillis` (default 0 = an acquire waits forever → `null`).
 * - `keepAlive` is the client's TCP keep-alive (default false).
 *
 * Accepts the options given to `new Pool()` or a pool's resolved `pool.options`. Pure.
 */
export function readPgConfig(options: unknown): PgPoolConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'node-postgres pool options (an object)', options);
  }
  const o = options as Readonly<Record<string, unknown>>;
  const max = positiveOr(o['max'], positiveOr(o['poolSize'], 10));
  const min = positiveOr(o['min'], 0);
  const idleTimeout = o['idleTimeoutMillis'] === undefined ? 10_000 : Number(o['idleTimeoutMillis']) || 0;
  const lifetime = positiveOr(o['maxLifetimeSeconds'], 0);
  const connectionTimeout = positiveOr(o['connectionTimeoutMillis'], 0);
  const config: PoolConfig = {
    maxOpen: max,
    maxIdle: max,
    minIdle: min,
    idleTimeoutMs: idleTimeout > 0 ? idleTimeout : null,
    maxLifetimeMs: lifetime > 0 ? lifetime * 1000 : null,
    queueLimit: null,
    acquireTimeoutMs: connectionTimeout > 0 ? connectionTimeout : null,
    keepAlive: o['keepAlive'] === true,
  };
  return { config, settings: PG_SETTING_NAMES };
}

/** pg-pool's `options.x || fallback`: anything falsy (0, undefined, NaN) takes the default. */
function positiveOr(value: unknown, fallback: number): number {
  const n = Number(value);
  return value === undefined || value === null || Number.isNaN(n) || n === 0 ? fallback : n;
}
