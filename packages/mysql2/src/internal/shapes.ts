import type { EventEmitter } from 'node:events';

/**
 * mysql2's `Queue` (`lib/ring_queue.js`; `denque` before 3.24): only what every version has. The audit
 * wraps `push`, `pop`, `shift`, `removeOne` and `get` on a pool's own queues.
 */
export interface RingQueue<T> {
  readonly length: number;
  get(index: number): T | undefined;
  push(...items: T[]): number;
  pop(): T | undefined;
  shift(): T | undefined;
  removeOne(index: number): T | undefined;
}

/** The connection options a pool's connections are made from (`lib/connection_config.js`). */
export interface CoreConnectionConfig {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  socketPath?: string;
  ssl?: unknown;
  stream?: unknown;
  enableKeepAlive?: boolean;
  keepAliveInitialDelay?: number;
  gracefulEnd?: boolean;
  connectTimeout?: number;
}

/** `lib/pool_config.js` as the pool holds it in `pool.config`. */
export interface CorePoolConfig {
  connectionLimit: number;
  maxIdle: number;
  idleTimeout: number;
  queueLimit: number;
  waitForConnections: boolean;
  resetOnRelease?: boolean;
  connectionConfig: CoreConnectionConfig;
}

/** A `PoolConnection` (`lib/pool_connection.js`), as far as auditing reads it. */
export interface CorePoolConnection extends EventEmitter {
  stream: unknown;
  config: CoreConnectionConfig;
  /** Set on release (`Date.now()`); the idle reaper compares it with `idleTimeout`. */
  lastActiveTime: number;
  /** The pool while the connection belongs to it; null once removed. */
  _pool: CorePool | null;
  /** True once the handshake and authentication completed. */
  authorized?: boolean;
  /** Set when the socket closed without an error of its own (`PROTOCOL_CONNECTION_LOST`). */
  _protocolError?: unknown;
  /** The error that ended the connection (a network error, a failed handshake), set after it is reported. */
  _fatalError?: unknown;
  /** Set by `close()` / `destroy()`, and by a failed handshake before it reports. */
  _closing?: boolean;
}

/** The callback pool (`lib/base/pool.js`): the state and methods the adapter reads and wraps. */
export interface CorePool extends EventEmitter {
  config: CorePoolConfig;
  _allConnections: RingQueue<CorePoolConnection>;
  _freeConnections: RingQueue<CorePoolConnection>;
  _connectionQueue: RingQueue<unknown>;
  _closed: boolean;
  getConnection(cb: unknown): unknown;
  releaseConnection(conn: unknown): unknown;
  _removeConnection(conn: CorePoolConnection): unknown;
  end(...args: unknown[]): unknown;
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): unknown;
}

/** A cluster node (`lib/pool_cluster.js` `add()`). */
export interface CoreClusterNode {
  id: string;
  pool: CorePool;
}

/** `PoolCluster` (`lib/pool_cluster.js`). */
export interface CorePoolCluster extends EventEmitter {
  _nodes: Record<string, CoreClusterNode | undefined>;
  /** Ids of the nodes in service: `add()` pushes each new one (lib/pool_cluster.js). */
  _serviceableNodeIds: string[];
  add(...args: unknown[]): unknown;
  of(...args: unknown[]): unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const QUEUE_METHODS = ['get', 'push', 'pop', 'shift', 'removeOne'] as const;

function isQueue(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value['length'] === 'number' &&
    QUEUE_METHODS.every((m) => typeof value[m] === 'function')
  );
}

/** A mysql2 callback pool: `createPool()`, or the `.pool` inside a promise pool. */
export function isCorePool(value: unknown): value is CorePool {
  return (
    isObject(value) &&
    typeof value['getConnection'] === 'function' &&
    typeof value['releaseConnection'] === 'function' &&
    typeof value['_removeConnection'] === 'function' &&
    typeof value['end'] === 'function' &&
    isObject(value['config']) &&
    isObject(value['config']['connectionConfig']) &&
    isQueue(value['_allConnections']) &&
    isQueue(value['_freeConnections']) &&
    isQueue(value['_connectionQueue'])
  );
}

/** A `mysql2/promise` pool: it wraps a callback pool in `.pool` (`lib/promise/pool.js`). */
export function isPromisePool(value: unknown): value is { pool: CorePool } {
  return isObject(value) && typeof value['getConnection'] === 'function' && isCorePool(value['pool']);
}

/** A mysql2 `PoolCluster`. */
export function isCoreCluster(value: unknown): value is CorePoolCluster {
  return (
    isObject(value) &&
    isObject(value['_nodes']) &&
    Array.isArray(value['_serviceableNodeIds']) &&
    typeof value['add'] === 'function' &&
    typeof value['of'] === 'function' &&
    typeof value['getConnection'] === 'function'
  );
}

/** A `mysql2/promise` pool cluster: it wraps a `PoolCluster` in `.poolCluster`. */
export function isPromiseCluster(value: unknown): value is { poolCluster: CorePoolCluster } {
  return isObject(value) && isCoreCluster(value['poolCluster']);
}
