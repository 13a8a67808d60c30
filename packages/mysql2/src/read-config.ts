import { InvalidOptionError } from '@poolaudit/core';
import type { PoolConfig, SettingNames } from '@poolaudit/core';
import type { Mysql2PoolConfig } from './types.js';

/** mysql2's option name for each normalized setting: advice names what users write. */
export const MYSQL2_SETTING_NAMES: SettingNames = Object.freeze({
  maxOpen: 'connectionLimit',
  maxIdle: 'maxIdle',
  idleTimeoutMs: 'idleTimeout',
  queueLimit: 'queueLimit',
  acquireTimeoutMs: 'waitForConnections',
  keepAlive: 'enableKeepAlive',
});

/**
 * Maps mysql2 pool options to the normalized `PoolConfig`, with mysql2's own defaults and quirks
 * (`lib/pool_config.js`, `lib/base/pool.js`):
 *
 * - `connectionLimit` (default 10; `0` = unlimited → `maxOpen: null`).
 * - `maxIdle` (default `connectionLimit`). mysql2 starts its idle reaper only when
 *   `maxIdle < connectionLimit`; otherwise nothing caps the idle list but `connectionLimit` itself.
 * - `idleTimeout` (default 60000 ms) is enforced by that same reaper, so it is `null` (never) unless
 *   `maxIdle < connectionLimit`.
 * - `queueLimit` (default 0 = unbounded → `null`).
 * - `waitForConnections: false` fails an acquire at once (`acquireTimeoutMs: 0`); otherwise callers
 *   wait without limit (`null`): mysql2 has no acquire timeout.
 * - `enableKeepAlive` (default true). mysql2 has no maximum lifetime (`maxLifetimeMs: null`) and no
 *   minimum idle (`minIdle: 0`).
 *
 * Accepts the options given to `createPool()` (an object or a `mysql://…?connectionLimit=…` URL) or a
 * pool's resolved `pool.config`. Pure: reads nothing but its argument.
 */
export function readMysql2Config(options: unknown): Mysql2PoolConfig {
  const o = optionsRecord(options);
  const connectionLimit = numberOr(o['connectionLimit'], 10);
  const maxIdle = numberOr(o['maxIdle'], connectionLimit);
  const idleTimeout = numberOr(o['idleTimeout'], 60_000);
  const queueLimit = numberOr(o['queueLimit'], 0);
  const waitForConnections = o['waitForConnections'] === undefined || Boolean(o['waitForConnections']);
  const connection = o['connectionConfig'];
  const keepAliveOption =
    typeof connection === 'object' && connection !== null
      ? (connection as Record<string, unknown>)['enableKeepAlive']
      : o['enableKeepAlive'];
  // lib/base/pool.js: the reaper that enforces both maxIdle and idleTimeout runs only in this case.
  const reaperRuns = maxIdle < connectionLimit;
  const config: PoolConfig = {
    maxOpen: connectionLimit === 0 ? null : connectionLimit,
    maxIdle: reaperRuns ? Math.max(0, maxIdle) : connectionLimit === 0 ? null : connectionLimit,
    minIdle: 0,
    idleTimeoutMs: reaperRuns ? idleTimeout : null,
    maxLifetimeMs: null,
    queueLimit: queueLimit > 0 ? queueLimit : null,
    acquireTimeoutMs: waitForConnections ? null : 0,
    keepAlive: keepAliveOption !== false,
  };
  return { config, settings: MYSQL2_SETTING_NAMES };
}

function optionsRecord(options: unknown): Readonly<Record<string, unknown>> {
  if (typeof options === 'string') return urlOptions(options);
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    const o = options as Record<string, unknown>;
    // createPool({ uri }) reads the URL's parameters under the explicit options (lib/connection_config.js).
    return typeof o['uri'] === 'string' ? { ...urlOptions(o['uri']), ...definedOnly(o) } : o;
  }
  throw new InvalidOptionError('options', 'mysql2 pool options (an object or a mysql:// URL)', options);
}

/** Query parameters of a connection URL, parsed as mysql2's `ConnectionConfig.parseUrl` does. */
function urlOptions(url: string): Record<string, unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError('options', 'a valid mysql:// URL', '[unparseable URL]');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of parsed.searchParams) {
    try {
      out[key] = JSON.parse(value) as unknown;
    } catch {
      out[key] = value;
    }
  }
  return out;
}

function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** mysql2's `isNaN(x) ? fallback : Number(x)`. */
function numberOr(value: unknown, fallback: number): number {
  const n = Number(value);
  return value === undefined || Number.isNaN(n) ? fallback : n;
}
