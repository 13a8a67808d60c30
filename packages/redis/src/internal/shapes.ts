/**
 * The parts of node-redis 5 and 6 (`@redis/client`) the audit uses, none of them private fields: a client's
 * `_self` (the real instance behind the objects `createClient()` and `withCommandOptions()` hand out), its
 * events (emitted through `emit`), the methods that write commands or end it, its commands queue's
 * `pendingCount`; a pool's `_self`, `execute()` and its public counters.
 */
export interface ClientSelf {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  connect(): Promise<unknown>;
  sendCommand(...args: unknown[]): unknown;
  _executePipeline(...args: unknown[]): unknown;
  _executeMulti(...args: unknown[]): unknown;
  destroy(): void;
  close(): Promise<void>;
  QUIT(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): Promise<void>;
  ref(): void;
  unref(): void;
  _getQueue(): { readonly pendingCount: number };
  readonly options: ClientOptions | undefined;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly _clientId?: string;
}

/** The client options node-redis keeps (`client.options`): what the defaults and the lint read. */
export interface ClientOptions {
  readonly url?: string;
  readonly socket?: Readonly<Record<string, unknown>>;
  readonly database?: number;
  readonly pingInterval?: number;
  readonly disableOfflineQueue?: boolean;
  readonly [key: string]: unknown;
}

export interface NodeRedisClient {
  readonly _self: ClientSelf;
}

export interface PoolSelf {
  execute(fn: (client: NodeRedisClient) => unknown): Promise<unknown>;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  readonly idleClients: number;
  readonly clientsInUse: number;
  readonly totalClients: number;
  readonly tasksQueueLength: number;
  readonly isOpen: boolean;
}

export interface NodeRedisPool {
  readonly _self: PoolSelf;
}

const CLIENT_METHODS = ['emit', 'connect', 'sendCommand', '_executePipeline', '_getQueue', 'destroy', 'ref'];
const POOL_METHODS = ['execute', 'connect', 'close', 'destroy'];

/** A node-redis 5/6 client (`createClient()`), by the methods the audit hooks. */
export function isNodeRedisClient(value: unknown): value is NodeRedisClient {
  const self = selfOf(value);
  return (
    self !== undefined && CLIENT_METHODS.every((m) => typeof self[m] === 'function') && !('execute' in self)
  );
}

/** A node-redis 5/6 pool (`createClientPool()`), by its `execute()` and counters. */
export function isNodeRedisPool(value: unknown): value is NodeRedisPool {
  const self = selfOf(value);
  return (
    self !== undefined &&
    POOL_METHODS.every((m) => typeof self[m] === 'function') &&
    typeof self['tasksQueueLength'] === 'number' &&
    typeof self['totalClients'] === 'number'
  );
}

function selfOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const self = (value as { _self?: unknown })._self;
  return typeof self === 'object' && self !== null ? (self as Record<string, unknown>) : undefined;
}
