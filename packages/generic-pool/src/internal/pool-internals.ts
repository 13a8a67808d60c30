/**
 * The parts of a generic-pool 3.x `Pool` instance the adapter reads or wraps (`lib/Pool.js`, 3.9.0). They
 * are internal to generic-pool, so `isGenericPool()` checks every one before the adapter touches a pool.
 */
export interface PoolInternals {
  acquire(this: PoolInternals, priority?: number): PromiseLike<unknown>;
  release(this: PoolInternals, resource: unknown): PromiseLike<void>;
  destroy(this: PoolInternals, resource: unknown): PromiseLike<void>;
  drain(this: PoolInternals): PromiseLike<void>;
  clear(this: PoolInternals): PromiseLike<void>;
  /** The single choke point of every destroy: eviction, failed validation, `destroy()`, `clear()` (L132–151). */
  _destroy(this: PoolInternals, pooledResource: PooledResource): void;
  /** One evictor run (L355–396). */
  _evict(this: PoolInternals): void;
  on(event: string, listener: (reason: unknown) => void): unknown;
  removeListener(event: string, listener: (reason: unknown) => void): unknown;
  readonly pending: number;
  _factory: Factory;
  readonly _config: PoolOptions;
  readonly _draining: boolean;
  readonly _started: boolean;
  readonly _allObjects: ReadonlySet<PooledResource>;
  readonly _factoryCreateOperations: ReadonlySet<unknown>;
  readonly _resourceLoans: ReadonlyMap<unknown, unknown>;
  readonly _availableObjects: { readonly length: number };
  readonly _waitingClientsQueue: WaitingQueue;
  /** Hands `pooledResource` to the next waiting request; true once it has (L273–290). */
  _dispatchPooledResourceToNextWaitingClient(this: PoolInternals, pooledResource: PooledResource): boolean;
}

/** The pool's queue of waiting requests (`lib/PriorityQueue.js`), one per pool. */
export interface WaitingQueue {
  readonly length: number;
  enqueue(this: WaitingQueue, request: object, priority: unknown): void;
  dequeue(this: WaitingQueue): object | undefined;
}

/** The factory object the pool holds (`this._factory`). */
export interface Factory {
  readonly create: (this: unknown, ...args: unknown[]) => unknown;
  readonly destroy: (this: unknown, ...args: unknown[]) => unknown;
  readonly validate?: (this: unknown, ...args: unknown[]) => unknown;
}

/** generic-pool's parsed options (`lib/PoolOptions.js`). */
export interface PoolOptions {
  readonly max: number;
  readonly min: number;
  readonly autostart: boolean;
  readonly maxWaitingClients?: number;
  readonly idleTimeoutMillis: number;
  readonly softIdleTimeoutMillis: number;
  readonly [option: string]: unknown;
}

/** generic-pool's wrapper around each resource (`lib/PooledResource.js`). */
export interface PooledResource {
  readonly obj: unknown;
  /** `IDLE`, `ALLOCATED`, `INVALID`, `RETURNING` or `VALIDATION`. */
  readonly state: string;
  readonly lastIdleTime: number | null;
}

const METHODS = [
  'acquire',
  'release',
  'destroy',
  'drain',
  'clear',
  '_destroy',
  '_evict',
  '_dispatchPooledResourceToNextWaitingClient',
  'on',
] as const;

/** True for an object with everything the adapter needs of a generic-pool 3.x `Pool`. */
export function isGenericPool(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pool = value as Record<string, unknown>;
  if (!METHODS.every((m) => typeof pool[m] === 'function')) return false;
  const factory = pool['_factory'] as Record<string, unknown> | null | undefined;
  const config = pool['_config'] as Record<string, unknown> | null | undefined;
  return (
    typeof factory?.['create'] === 'function' &&
    typeof config?.['max'] === 'number' &&
    pool['_allObjects'] instanceof Set &&
    pool['_factoryCreateOperations'] instanceof Set &&
    pool['_resourceLoans'] instanceof Map &&
    typeof (pool['_availableObjects'] as { length?: unknown } | undefined)?.length === 'number' &&
    typeof (pool['_waitingClientsQueue'] as { length?: unknown } | undefined)?.length === 'number' &&
    typeof (pool['_waitingClientsQueue'] as { enqueue?: unknown }).enqueue === 'function' &&
    typeof (pool['_waitingClientsQueue'] as { dequeue?: unknown }).dequeue === 'function'
  );
}

/** Whether `acquire()` will reject at once without queueing (`lib/Pool.js` L440–461). */
export function rejectsAtOnce(pool: PoolInternals): boolean {
  if (pool._draining) return true;
  const { maxWaitingClients, max, min, autostart } = pool._config;
  if (maxWaitingClients === undefined) return false;
  let count = pool._allObjects.size + pool._factoryCreateOperations.size;
  // An unstarted pool (autostart: false) starts first thing in acquire(), creating up to `min` resources.
  if (!pool._started && !autostart) count = Math.max(count, min);
  return (
    max - count < 1 &&
    pool._availableObjects.length < 1 &&
    pool._waitingClientsQueue.length >= maxWaitingClients
  );
}

/**
 * Which rule of generic-pool's `DefaultEvictor` (`lib/DefaultEvictor.js` L4–20) evicted an idle resource:
 * the soft one (idle longer than `softIdleTimeoutMillis` while more than `min` are idle) is checked first,
 * then the hard one (idle longer than `idleTimeoutMillis`, whatever `min` says). `availableBefore` is the
 * idle count the evictor saw (the resource included). Neither rule: a custom evictor decided.
 */
export function evictionRule(
  config: PoolOptions,
  pooledResource: PooledResource,
  availableBefore: number,
  now: number,
): 'softIdleTimeoutMillis' | 'idleTimeoutMillis' | 'evictor' {
  const idleTime = now - (pooledResource.lastIdleTime ?? now);
  const soft = config.softIdleTimeoutMillis;
  if (soft > 0 && soft < idleTime && config.min < availableBefore) return 'softIdleTimeoutMillis';
  if (config.idleTimeoutMillis < idleTime) return 'idleTimeoutMillis';
  return 'evictor';
}
