import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** A queue as ioredis keeps it (a `denque`): only its length is read. */
export interface QueueLike {
  readonly length: number;
}

/** An ioredis command as `sendCommand` receives it. */
export interface CommandLike {
  readonly name: string;
}

/**
 * The parts of an ioredis `Redis` the adapter reads at run time. `offlineQueue` is private in the typings
 * but is a plain property (`lib/Redis.ts` `resetOfflineQueue()`); `commandQueue` is public (`@ignore`).
 */
export interface RedisInternals extends EventEmitter {
  readonly isCluster: boolean;
  readonly status: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly stream?: Socket | undefined;
  readonly commandQueue: QueueLike;
  readonly offlineQueue: QueueLike;
  // Function-typed properties: the adapter keeps, wraps and restores them on the instance.
  sendCommand: (this: RedisInternals, command: CommandLike, stream?: unknown) => unknown;
  disconnect: (this: RedisInternals, reconnect?: boolean) => void;
  /** Sets `status` and emits the status's event on the next tick (lib/Redis.ts `setStatus`). */
  setStatus: (this: RedisInternals, status: string, arg?: unknown) => void;
  duplicate: (this: RedisInternals, override?: Readonly<Record<string, unknown>>) => RedisInternals;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The parts of an ioredis `Cluster` the adapter reads at run time (`lib/cluster/index.ts`). */
export interface ClusterInternals extends EventEmitter {
  readonly isCluster: boolean;
  /** Undefined until `connect()` has run. */
  readonly status: string | undefined;
  readonly options: Readonly<Record<string, unknown>>;
  readonly startupNodes?: readonly unknown[];
  readonly offlineQueue: QueueLike;
  /** The cluster's node pool (lib/cluster/ConnectionPool.ts): emits `+node` / `-node`, re-emitted by the cluster. */
  readonly connectionPool?: EventEmitter;
  nodes(role?: 'all' | 'master' | 'slave'): RedisInternals[];
  /** Sets `status` and emits its event on the next tick. */
  setStatus: (this: ClusterInternals, status: string) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasQueue(value: unknown): boolean {
  return isObject(value) && typeof value['length'] === 'number';
}

/**
 * Whether some prototype on `value`'s chain defines every one of `methods` itself: the brand of an ioredis
 * class (`Redis.prototype`, `Cluster.prototype`), which a subclass, an instance method stubbed by a test,
 * or an object copied from another ioredis install (5 or 6) all keep.
 */
function brandedBy(value: object, methods: readonly string[]): boolean {
  for (
    let proto: unknown = Object.getPrototypeOf(value);
    isObject(proto);
    proto = Object.getPrototypeOf(proto)
  ) {
    const own = proto;
    if (methods.every((m) => typeof Object.getOwnPropertyDescriptor(own, m)?.value === 'function'))
      return true;
  }
  return false;
}

// Defined by lib/Redis.ts and lib/cluster/index.ts themselves (not inherited from Commander).
const REDIS_BRAND = ['sendCommand', 'duplicate', 'disconnect', 'connect'] as const;
const CLUSTER_BRAND = ['nodes', 'refreshSlotsCache', 'sendCommand', 'connect'] as const;

/**
 * A standalone (or sentinel) ioredis client: what `new Redis()` built, in whatever state it is (`status` is
 * not read: a client whose `connect()` is overridden may not have one yet).
 */
export function isRedisClient(value: unknown): value is RedisInternals {
  return (
    isObject(value) &&
    value['isCluster'] === false &&
    brandedBy(value, REDIS_BRAND) &&
    isObject(value['options']) &&
    hasQueue(value['commandQueue']) &&
    hasQueue(value['offlineQueue'])
  );
}

/**
 * An ioredis `Cluster`, in whatever state it is: the constructor sets `isCluster`, `options` and
 * `offlineQueue` before it calls `connect()`, which sets `status` (lib/cluster/index.ts): a Cluster whose
 * `connect()` is stubbed, or not run yet, has no `status`.
 */
export function isClusterClient(value: unknown): value is ClusterInternals {
  return (
    isObject(value) &&
    value['isCluster'] === true &&
    brandedBy(value, CLUSTER_BRAND) &&
    isObject(value['options']) &&
    hasQueue(value['offlineQueue'])
  );
}
