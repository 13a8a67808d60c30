import type { GenericPoolConfig } from './types.js';

/** generic-pool's defaults (`lib/PoolDefaults.js`, 3.9.0). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** generic-pool's option names for core's normalized settings. */
const SETTINGS = {
  maxOpen: 'max',
  maxIdle: 'max',
  minIdle: 'min',
  idleTimeoutMs: 'idleTimeoutMillis',
  queueLimit: 'maxWaitingClients',
  acquireTimeoutMs: 'acquireTimeoutMillis',
} as const;

/**
 * Maps generic-pool options (as passed to `createPool(factory, options)`, or a pool's parsed `_config`) to
 * core's `PoolConfig`, parsing them the way generic-pool 3.x does (`lib/PoolOptions.js`): `max` at least 1
 * (default 1), `min` clamped to `max`, `0`/unset timeouts replaced by their defaults. Pure: reads nothing
 * but its argument.
 *
 * - `idleTimeoutMs` is the hard `idleTimeoutMillis` (default 30 s) — `null` when
 *   `evictionRunIntervalMillis` is 0, because then the evictor never runs and nothing is closed for idle time.
 * - `maxIdle` is `null` (generic-pool keeps every idle resource up to `max`); there is no lifetime option.
 */
export function readGenericPoolConfig(options: Readonly<Record<string, unknown>> = {}): GenericPoolConfig {
  const parsedMax = parseInteger(options['max']);
  const max = Math.max(Number.isNaN(parsedMax) ? 1 : parsedMax, 1);
  const parsedMin = parseInteger(options['min']);
  const min = Math.min(Number.isNaN(parsedMin) ? 0 : parsedMin, max);
  const evictionRunIntervalMillis = orDefault(options['evictionRunIntervalMillis'], 0);
  const idleTimeoutMillis = orDefault(options['idleTimeoutMillis'], DEFAULT_IDLE_TIMEOUT_MS);
  const acquireTimeout = options['acquireTimeoutMillis']
    ? parseInteger(options['acquireTimeoutMillis'])
    : NaN;
  const waiting =
    options['maxWaitingClients'] !== undefined ? parseInteger(options['maxWaitingClients']) : NaN;
  return {
    config: {
      maxOpen: max,
      maxIdle: null,
      minIdle: min,
      idleTimeoutMs: evictionRunIntervalMillis > 0 ? idleTimeoutMillis : null,
      maxLifetimeMs: null,
      queueLimit: Number.isNaN(waiting) ? null : waiting,
      acquireTimeoutMs: Number.isNaN(acquireTimeout) ? null : acquireTimeout,
    },
    settings: SETTINGS,
  };
}

/** The options worth showing in a report, as generic-pool parsed them (the `Promise` class left out). */
export function rawOptionsOf(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of SHOWN_OPTIONS) if (config[key] !== undefined) raw[key] = config[key];
  return raw;
}

const SHOWN_OPTIONS = [
  'max',
  'min',
  'maxWaitingClients',
  'acquireTimeoutMillis',
  'destroyTimeoutMillis',
  'idleTimeoutMillis',
  'softIdleTimeoutMillis',
  'evictionRunIntervalMillis',
  'numTestsPerEvictionRun',
  'testOnBorrow',
  'fifo',
  'priorityRange',
  'autostart',
] as const;

/** `parseInt(value, 10)` as generic-pool applies it to any value (`NaN` when it is not a number). */
function parseInteger(value: unknown): number {
  return typeof value === 'number' || typeof value === 'string' ? Number.parseInt(String(value), 10) : NaN;
}

/** `value || fallback`, as generic-pool reads its timing options. */
function orDefault(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof n === 'number' && n !== 0 && !Number.isNaN(n) ? n : fallback;
}
