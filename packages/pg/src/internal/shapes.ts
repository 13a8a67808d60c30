/** The pg-pool 3 internals the audit reads (pg-pool/index.js); checked by `isPgPool` before any use. */

/** A `pg.Client` as the pool holds it. */
export interface PgClient {
  readonly connection?: { readonly stream?: unknown };
  readonly host?: string;
  readonly port?: number;
  /** Set false once the connection died (an error event, the server's FIN). */
  readonly _queryable?: boolean;
  /** Set by `client.end()`. */
  readonly _ending?: boolean;
  readonly _connected?: boolean;
  /** How many times the pool has taken it back (incremented before the 'release' event). */
  readonly _poolUseCount?: number;
  /** pg-pool's `newClient()` calls it once, right after adding the client to `_clients`. */
  connect(callback?: unknown): unknown;
}

/** A queued acquire (`PendingItem`): pg-pool marks it when its `connectionTimeoutMillis` passes. */
export interface PendingItem {
  readonly timedOut?: boolean;
}

export interface IdleItem {
  readonly client: PgClient;
}

export interface PgPoolOptions extends Record<string, unknown> {
  readonly max: number;
  readonly min: number;
  readonly maxUses: number;
  readonly idleTimeoutMillis: number;
  readonly maxLifetimeSeconds: number;
  readonly connectionTimeoutMillis?: number;
}

export interface PgPool {
  /** The pool's resolved options (pg-pool fills in `max`, `min`, `maxUses`, `idleTimeoutMillis`, …). */
  readonly options: PgPoolOptions;
  /** Every client, connecting or connected; replaced by a filtered copy on each removal. */
  _clients: PgClient[];
  /** Idle clients; the same array for the pool's life. */
  readonly _idle: IdleItem[];
  /** Queued acquires; the same array for the pool's life. */
  readonly _pendingQueue: PendingItem[];
  /** Clients past `maxLifetimeSeconds`, removed at their next release. */
  readonly _expired: WeakSet<object>;
  readonly ending: boolean;
  /** Hands `client` to an acquire; emits 'connect' (new clients) and 'acquire' first (pg-pool/index.js). */
  _acquireClient(
    this: PgPool,
    client: PgClient,
    pendingItem: unknown,
    idleListener: unknown,
    isNew: boolean,
  ): unknown;
  /** Takes `client` back: counts the use, emits 'release', then keeps or removes it. */
  _release(this: PgPool, client: PgClient, idleListener: unknown, err: unknown): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  query(text: string, cb: (err: Error | null, result?: { rows: Record<string, unknown>[] }) => void): unknown;
}

/** Whether `value` is a pg-pool 3 pool (`pg.Pool` or a subclass). */
export function isPgPool(value: unknown): value is PgPool {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v['_clients']) &&
    Array.isArray(v['_idle']) &&
    Array.isArray(v['_pendingQueue']) &&
    v['_expired'] instanceof WeakSet &&
    typeof v['options'] === 'object' &&
    v['options'] !== null &&
    typeof v['connect'] === 'function' &&
    typeof v['on'] === 'function'
  );
}
