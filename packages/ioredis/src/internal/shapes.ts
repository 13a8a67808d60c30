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
  duplicate: (this: RedisInternals, override?: Readonly<Record<string, unknown>>) => RedisInternals;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The parts of an ioredis `Cluster` the adapter reads at run time (`lib/cluster/index.ts`). */
export interface ClusterInternals extends EventEmitter {
  readonly isCluster: boolean;
  readonly status: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly startupNodes?: readonly unknown[];
  readonly offlineQueue: QueueLike;
  nodes(role?: 'all' | 'master' | 'slave'): RedisInternals[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasQueue(value: unknown): boolean {
  return isObject(value) && typeof value['length'] === 'number';
}

/** A standalone (or sentinel) ioredis client, recognised by shape so that any ioredis 5 copy works. */
export function isRedisClient(value: unknown): value is RedisInternals {
  return (
    isObject(value) &&
    value['isCluster'] === false &&
    typeof value['sendCommand'] === 'function' &&
    typeof value['disconnect'] === 'function' &&
    typeof value['duplicate'] === 'function' &&
    typeof value['on'] === 'function' &&
    typeof value['status'] === 'string' &&
    isObject(value['options']) &&
    hasQueue(value['commandQueue']) &&
    hasQueue(value['offlineQueue'])
  );
}

/** An ioredis `Cluster`, recognised by shape. */
export function isClusterClient(value: unknown): value is ClusterInternals {
  return (
    isObject(value) &&
    value['isCluster'] === true &&
    typeof value['nodes'] === 'function' &&
    typeof value['on'] === 'function' &&
    typeof value['status'] === 'string' &&
    isObject(value['options']) &&
    hasQueue(value['offlineQueue'])
  );
}
