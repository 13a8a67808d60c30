import type { TarnConfig } from './types.js';

/** tarn's defaults (`src/Pool.ts`, 3.x). */
export const TARN_DEFAULTS = {
  acquireTimeoutMillis: 30_000,
  createTimeoutMillis: 30_000,
  destroyTimeoutMillis: 5_000,
  idleTimeoutMillis: 30_000,
  reapIntervalMillis: 1_000,
  createRetryIntervalMillis: 200,
} as const;

/**
 * Maps tarn options (as given to `new Pool(options)`, or read back from a pool, which keeps them under the
 * same names) to core's `PoolConfig`, the way tarn applies them: `0`/unset timeouts take tarn's defaults.
 * `prefix` is put before each option name in the advice (`pool.` for knex's `pool: { … }`); `lifetimeMs` is
 * knex's `maxConnectionLifetimeMillis`, which tarn itself does not have. Pure: reads nothing but its arguments.
 *
 * - `maxIdle` is `null`: tarn keeps every idle resource up to `max` until `idleTimeoutMillis` reaps it
 *   (never below `min`).
 * - tarn does not refill to `min` by itself: `min` only keeps resources from being reaped.
 */
export function readTarnConfig(
  options: Readonly<Record<string, unknown>> = {},
  prefix = '',
  lifetimeMs: number | null = null,
): TarnConfig {
  const max = integer(options['max']) ?? 1;
  const min = Math.min(integer(options['min']) ?? 0, max);
  return {
    config: {
      maxOpen: max,
      maxIdle: null,
      minIdle: min,
      idleTimeoutMs: time(options['idleTimeoutMillis'], TARN_DEFAULTS.idleTimeoutMillis),
      maxLifetimeMs: lifetimeMs,
      queueLimit: null,
      acquireTimeoutMs: time(options['acquireTimeoutMillis'], TARN_DEFAULTS.acquireTimeoutMillis),
    },
    settings: {
      maxOpen: `${prefix}max`,
      maxIdle: `${prefix}max`,
      minIdle: `${prefix}min`,
      idleTimeoutMs: `${prefix}idleTimeoutMillis`,
      maxLifetimeMs: `${prefix}maxConnectionLifetimeMillis`,
      acquireTimeoutMs: `${prefix}acquireTimeoutMillis`,
    },
  };
}

/** The options worth showing in a report (never the create/destroy/validate functions). */
export function rawOptionsOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of SHOWN_OPTIONS) if (options[key] !== undefined) raw[key] = options[key];
  return raw;
}

const SHOWN_OPTIONS = [
  'min',
  'max',
  'acquireTimeoutMillis',
  'createTimeoutMillis',
  'destroyTimeoutMillis',
  'idleTimeoutMillis',
  'reapIntervalMillis',
  'createRetryIntervalMillis',
  'propagateCreateError',
] as const;

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** `value || fallback`, as tarn reads its timing options. */
function time(value: unknown, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;
}
