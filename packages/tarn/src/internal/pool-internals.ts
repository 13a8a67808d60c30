/**
 * The parts of a tarn 3.x `Pool` the adapter reads or wraps (`src/Pool.ts`, 3.0–3.1). They are internal to
 * tarn, so `isTarnPool()` checks every one before the adapter touches a pool.
 */
export interface PoolInternals {
  readonly min: number;
  readonly max: number;
  readonly acquireTimeoutMillis: number;
  readonly createTimeoutMillis: number;
  readonly destroyTimeoutMillis: number;
  readonly idleTimeoutMillis: number;
  readonly reapIntervalMillis: number;
  readonly createRetryIntervalMillis: number;
  readonly propagateCreateError: boolean;
  readonly used: readonly TarnResource[];
  readonly free: readonly TarnResource[];
  readonly pendingCreates: readonly unknown[];
  readonly pendingAcquires: readonly unknown[];
  /** The id the next event will carry (tarn numbers acquires, creates and destroys in one sequence). */
  readonly eventId: number;
  numPendingAcquires(): number;
  /**
   * Every event tarn reports goes through this one method, listeners or not (`acquireRequest` … `poolDestroySuccess`):
   * the adapter's dispatch point, so that it adds no listener and no promise of its own.
   */
  _executeEventHandlers(this: PoolInternals, eventName: string, ...args: unknown[]): void;
  /** One reaping cycle: idle resources past `idleTimeoutMillis` (above `min`) are destroyed. */
  check(this: PoolInternals): void;
  /** Ends the pool. */
  destroy(this: PoolInternals): unknown;
}

/** tarn's wrapper of one pooled resource. */
export interface TarnResource {
  readonly resource: unknown;
}

/** Whether `value` has the shape of a tarn 3.x pool. */
export function isTarnPool(value: unknown): value is PoolInternals {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p['_executeEventHandlers'] === 'function' &&
    typeof p['check'] === 'function' &&
    typeof p['destroy'] === 'function' &&
    typeof p['acquire'] === 'function' &&
    typeof p['release'] === 'function' &&
    typeof p['numPendingAcquires'] === 'function' &&
    Array.isArray(p['used']) &&
    Array.isArray(p['free']) &&
    typeof p['max'] === 'number' &&
    typeof p['eventId'] === 'number'
  );
}

/** The options a tarn pool keeps on itself, under the names `new Pool()` takes. */
export function optionsOf(pool: PoolInternals): Record<string, unknown> {
  return {
    min: pool.min,
    max: pool.max,
    acquireTimeoutMillis: pool.acquireTimeoutMillis,
    createTimeoutMillis: pool.createTimeoutMillis,
    destroyTimeoutMillis: pool.destroyTimeoutMillis,
    idleTimeoutMillis: pool.idleTimeoutMillis,
    reapIntervalMillis: pool.reapIntervalMillis,
    createRetryIntervalMillis: pool.createRetryIntervalMillis,
    propagateCreateError: pool.propagateCreateError,
  };
}
