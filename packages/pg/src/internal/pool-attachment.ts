import { Socket } from 'node:net';
import { endpointKey, reportAuditFailure, wrapInstanceMethod, wrapMethodOf } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';
import type { PendingItem, PgClient, PgPool } from './shapes.js';

/** One acquire, from `connect()` (or `query()`) until it gets a client or fails; settled once. */
interface Acquire {
  readonly startedAt: number;
  /** It had to wait: every client was busy and the pool was at `max` (Go `WaitCount`). */
  readonly queued: boolean;
  /** The queue entry pg-pool made for it, when it was queued. */
  readonly item: PendingItem | undefined;
  settled: boolean;
}

/** What the audit knows of one client of the pool. */
interface ClientState {
  /** When the pool created it (auditor clock); undefined for a client adopted when the audit began. */
  readonly connectStartedAt: number | undefined;
  /** The acquire it was created for, until that acquire gets it. */
  acquire: Acquire | undefined;
  /** It is in the ledger (connected, with the stream it talks over). */
  opened: boolean;
  inUse: boolean;
  /** What its connect failed with (`client.connect()`'s error), once it failed. */
  connectError: unknown;
  /** Its connect succeeded: a removal before it entered the ledger is a failed `onConnect` hook. */
  connectSucceeded: boolean;
  /** Why the pool removes it, decided at the release that removes it. */
  reason: CloseReason | undefined;
  detail: string | undefined;
  closed: boolean;
}

type Clients = PgClient[];

/** SQLSTATE classes that mean the server ended the session: 57 operator intervention, 08 connection. */
const SERVER_ENDED = /^(57P0[1-5]|08)/;

/**
 * The audit of one pg-pool 3 pool. Acquires and releases are read where pg-pool emits 'acquire' and
 * 'release': `_acquireClient` and `_release`, hooked for this pool from the prototype (`wrapMethodOf`), so
 * no listener is added (an 'error' listener would even change what pg-pool does). What those calls leave
 * out is read from the pool's lists (pg-pool/index.js):
 *
 * - `_clients` is replaced by a filtered copy on every removal (`_remove`, a failed connect, a failed
 *   `onConnect`): the property becomes an accessor with the same key and enumerability, whose setter sees
 *   each removal as it starts, and whose arrays' `push` marks each client created (its connect start);
 * - `_pendingQueue` (the same array for the pool's life): `push` queues an acquire, `shift` serves one,
 *   `splice` drops one whose `connectionTimeoutMillis` passed.
 *
 * The pool keeps its own keys (with their enumerability), its prototype and its behaviour; every wrapper
 * calls the original once and returns its result; auditing work is guarded, and a failure detaches.
 */
export class PoolAttachment {
  active = true;
  private endedSaid = false;
  private clients: Clients;
  private readonly states = new WeakMap<object, ClientState>();
  /** The acquires in `_pendingQueue`, in its order: pg-pool adds at the end and serves from the front. */
  private readonly waiting: Acquire[] = [];
  /** The acquire `_pulseQueue` just took off the queue, for the client that serves it. */
  private served: Acquire | undefined;
  private readonly restores: (() => void)[] = [];
  private unwrapClients: (() => void) | undefined;
  /** `_acquireClient` is about to emit 'acquire': a client (new or idle) is handed to an acquire. */
  acquiring(client: PgClient): void {
    if (this.active) this.guard(() => this.acquired(client));
  }
  /** `_release` is about to count the use and emit 'release' (`useCount`: the count it will have). */
  releasing(err: unknown, client: PgClient, useCount: number): void {
    if (this.active) this.guard(() => this.released(err, client, useCount));
  }

  constructor(
    readonly pool: PgPool,
    readonly probe: PoolProbe,
    /** Changed only by a second `auditPool()` with another name (audit-pool.ts). */
    public name: string,
  ) {
    this.clients = pool._clients;
  }

  attach(): void {
    const pool = this.pool;
    this.restores.push(
      watchAssignments(pool, '_clients', (next) => this.replaceClients(next as Clients)),
      // end() sets its callback before it starts removing clients, even when there are none to remove.
      watchAssignments(pool, '_endCallback', () => this.ending()),
    );
    const queue = pool._pendingQueue as unknown[];
    this.restores.push(
      wrapInstanceMethod(queue, 'push', (original) => wrapQueuePush(this, original)),
      wrapInstanceMethod(queue, 'shift', (original) => wrapQueueShift(this, original)),
      wrapInstanceMethod(queue, 'splice', (original) => wrapQueueSplice(this, original)),
    );
    this.watchClients(this.clients);
    // Where pg-pool emits 'acquire' and 'release', hooked for this pool alone: no listener is added to it.
    this.restores.push(
      wrapMethodOf(pool, '_acquireClient', (original) => wrapAcquireClient(this, original)),
      wrapMethodOf(pool, '_release', (original) => wrapRelease(this, original)),
    );
    this.adopt();
  }

  /** Restores the pool exactly and leaves the auditor. */
  detach(): void {
    if (!this.active) return;
    this.active = false;
    this.unwrapClients?.();
    for (const restore of this.restores.splice(0)) restore();
    this.probe.unregister();
  }

  /** `_clients.push(client)` in `newClient()`: a client is created for an acquire and starts connecting. */
  created(client: PgClient): void {
    if (this.states.has(client)) return;
    const served = this.served;
    this.served = undefined;
    const now = this.probe.acquireStart();
    const acquire = served ?? { startedAt: now, queued: false, item: undefined, settled: false };
    const state = newState(now, acquire);
    this.states.set(client, state);
    watchConnect(client, state);
  }

  /** `_pendingQueue.push(item)` in `connect()`: the acquire waits for a client. */
  enqueued(item: unknown): void {
    const pool = this.pool;
    this.waiting.push({
      startedAt: this.probe.acquireStart(),
      // pg-pool queues even when a client is idle (served on the next tick): that is not a wait.
      queued: pool._idle.length === 0 && this.clients.length >= pool.options.max,
      item: item as PendingItem,
      settled: false,
    });
  }

  /** `_pendingQueue.shift()` in `_pulseQueue()`: an idle client or a new one serves this acquire next. */
  dequeued(item: unknown): void {
    this.served = item === undefined ? undefined : this.takeWaiting(item);
  }

  /** `_pendingQueue.splice()` by the acquire timer: those acquires failed, timed out. */
  droppedFromQueue(items: readonly unknown[]): void {
    for (const item of items) {
      const acquire = this.takeWaiting(item);
      if (acquire) this.fail(acquire, true);
    }
  }

  /** The acquire of a queue entry leaving the queue: the first one, unless the queue was reordered. */
  private takeWaiting(item: unknown): Acquire | undefined {
    const waiting = this.waiting;
    if (waiting[0]?.item === item) return waiting.shift();
    const i = waiting.findIndex((a) => a.item === item);
    return i === -1 ? undefined : waiting.splice(i, 1)[0];
  }

  /** pg-pool's 'acquire' moment: a client (new or idle) is handed to an acquire. */
  private acquired(client: PgClient): void {
    const state = this.states.get(client) ?? this.adoptLate(client);
    const served = state.acquire ?? this.served;
    state.acquire = undefined;
    this.served = undefined;
    if (!state.opened) this.open(client, state);
    // A client past maxLifetimeSeconds while idle is taken and released at once by pg-pool itself.
    if (served === undefined && this.pool._expired.has(client) && this.isIdle(client)) return;
    // An acquire whose connectionTimeoutMillis passed meanwhile: pg-pool releases the client straight back.
    if (served?.item?.timedOut === true) {
      this.fail(served, true);
      return;
    }
    const startedAt = served?.startedAt ?? this.probe.acquireStart();
    if (served) served.settled = true;
    state.inUse = true;
    this.probe.acquired(client, startedAt, served?.queued ?? false);
  }

  /**
   * pg-pool's 'release' moment (`_release`, before it decides; `useCount` is the use count it has counted
   * by then): the client goes back idle, or is removed for the first reason `_release` tests.
   */
  private released(err: unknown, client: PgClient, useCount: number): void {
    const state = this.states.get(client) ?? this.adoptLate(client);
    if (state.inUse) {
      state.inUse = false;
      this.probe.released(client);
    }
    const pool = this.pool;
    if (err) [state.reason, state.detail] = releasedWithError(client, err);
    else if (pool.ending) state.reason = 'shutdown';
    else if (client._queryable === false) state.reason = 'remote';
    else if (client._ending === true) [state.reason, state.detail] = ['other', 'client.end()'];
    else if (useCount >= pool.options.maxUses) [state.reason, state.detail] = ['maxLifetime', 'maxUses'];
    else if (pool._expired.has(client)) [state.reason, state.detail] = ['maxLifetime', 'maxLifetimeSeconds'];
  }

  /** `pool.end()`: the pool leaves its auditor once the clients it still has are closed. */
  private ending(): void {
    if (!this.active || !this.pool.ending || this.endedSaid) return;
    this.guard(() => {
      this.endedSaid = true;
      this.probe.ended();
    });
  }

  /** `_clients` is replaced: the clients left out are being removed. */
  private replaceClients(next: Clients): void {
    const previous = this.clients;
    this.clients = next;
    if (!this.active) return;
    this.guard(() => {
      this.watchClients(next);
      if (!Array.isArray(previous) || !Array.isArray(next)) return;
      for (const client of previous) if (!next.includes(client)) this.removing(client);
    });
  }

  private removing(client: PgClient): void {
    const state = this.states.get(client);
    if (!state || state.closed) return;
    state.closed = true;
    if (!state.opened) {
      // It never connected (or its onConnect hook failed): so did the acquire it was created for.
      if (state.acquire) this.fail(state.acquire, this.connectTimedOut(state));
      if (state.connectStartedAt !== undefined) this.connectFailed(client, state);
      return;
    }
    if (state.inUse) {
      state.inUse = false;
      this.probe.released(client);
    }
    if (state.reason !== undefined) {
      this.probe.closed(client, state.reason, state.detail);
      return;
    }
    // An idle client: removed by end(), by its idle timer, or because its connection died (the server
    // ended the session: idle_session_timeout, pg_terminate_backend, a restart).
    if (this.pool.ending) this.probe.closed(client, 'shutdown');
    else if (client._queryable === false || streamEnded(client)) this.probe.closed(client, 'remote');
    else this.probe.closed(client, 'idleTimeout');
  }

  /** Enters the client into the ledger with the stream it talks over (a TLSSocket once `ssl` upgraded it). */
  private open(client: PgClient, state: ClientState): void {
    state.opened = true;
    const stream = client.connection?.stream;
    const host = client.host ?? 'localhost';
    const overUnixSocket = host.startsWith('/');
    const socket = stream instanceof Socket && !overUnixSocket ? stream : null;
    this.probe.opened(client, {
      socket,
      ...(socket === null
        ? {
            endpoint: overUnixSocket
              ? `${host}/.s.PGSQL.${client.port ?? 5432}`
              : endpointKey(host, client.port ?? 5432),
          }
        : {}),
      ...(state.connectStartedAt !== undefined ? { connectStartedAt: state.connectStartedAt } : {}),
    });
  }

  private fail(acquire: Acquire, timedOut: boolean): void {
    if (acquire.settled) return;
    acquire.settled = true;
    this.probe.acquireFailed(acquire.startedAt, acquire.queued, timedOut);
  }

  private connectFailed(client: PgClient, state: ClientState): void {
    const host = client.host ?? 'localhost';
    const stream = client.connection?.stream as { errored?: unknown } | undefined;
    this.probe.connectFailed({
      endpoint: host.startsWith('/')
        ? `${host}/.s.PGSQL.${client.port ?? 5432}`
        : endpointKey(host, client.port ?? 5432),
      error: state.connectSucceeded
        ? { code: 'onConnect', message: "the pool's onConnect hook failed" }
        : (state.connectError ?? stream?.errored),
    });
  }

  /** pg-pool gives no reason for a failed connect; its connectionTimeoutMillis passing is the timeout. */
  private connectTimedOut(state: ClientState): boolean {
    const limit = Number(this.pool.options.connectionTimeoutMillis) || 0;
    return (
      limit > 0 &&
      state.connectStartedAt !== undefined &&
      this.probe.now() - state.connectStartedAt >= limit - 1
    );
  }

  private isIdle(client: PgClient): boolean {
    return this.pool._idle.some((item) => item.client === client);
  }

  /**
   * Clients that exist when the audit attaches: connected ones enter the ledger, those not idle in use.
   * Acquires already queued wait from now on, as far as the audit can tell.
   */
  private adopt(): void {
    for (const item of this.pool._pendingQueue) {
      this.waiting.push({ startedAt: this.probe.acquireStart(), queued: true, item, settled: false });
    }
    for (const client of this.clients) {
      const state = this.adoptLate(client);
      if (client._connected !== true) continue;
      this.open(client, state);
      if (!this.isIdle(client)) {
        state.inUse = true;
        this.probe.acquired(client, this.probe.now(), false);
      }
    }
  }

  private adoptLate(client: PgClient): ClientState {
    const state = newState(undefined, undefined);
    this.states.set(client, state);
    return state;
  }

  /** Watches `push` on the pool's current client list (the previous list is gone). */
  private watchClients(clients: Clients): void {
    this.unwrapClients?.();
    this.unwrapClients = undefined;
    if (!Array.isArray(clients)) return;
    this.unwrapClients = wrapInstanceMethod(clients, 'push', (original) => wrapClientsPush(this, original));
  }

  guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.failed(err);
    }
  }

  /** Auditing failed: say so once and let the pool go on unaudited. */
  failed(err: unknown): void {
    if (!this.active) return;
    reportAuditFailure('pg', this.name, err);
    try {
      this.probe.count('audit-failed');
      this.detach();
    } catch {
      this.active = false;
    }
  }
}

function newState(connectStartedAt: number | undefined, acquire: Acquire | undefined): ClientState {
  return {
    connectStartedAt,
    acquire,
    opened: false,
    inUse: false,
    connectError: undefined,
    connectSucceeded: false,
    reason: undefined,
    detail: undefined,
    closed: false,
  };
}

/**
 * Keeps what a new client's `connect()` calls back with: pg-pool drops the error after handing it to the
 * acquire. The wrapper exists between `_clients.push(client)` and the `client.connect(cb)` right after it
 * in `newClient()` (the same synchronous step, before anybody else can see the client) and takes itself
 * off on that call: the client keeps its own keys.
 */
function watchConnect(client: PgClient, state: ClientState): void {
  const restore = wrapInstanceMethod(
    client,
    'connect',
    (original) =>
      function connect(this: PgClient, callback?: unknown): unknown {
        restore();
        if (typeof callback !== 'function') return original.call(this, callback);
        return original.call(this, (err: unknown, ...rest: unknown[]) => {
          if (err) state.connectError = err;
          else state.connectSucceeded = true;
          return (callback as (...args: unknown[]) => unknown)(err, ...rest);
        });
      },
  );
  // Should a pg-pool version connect otherwise, the wrapper still leaves within the tick.
  process.nextTick(restore);
}

/** `release(err)`: the server ended the session (SQLSTATE 57P0x, 08xxx) → `remote`; anything else `error`. */
function releasedWithError(client: PgClient, err: unknown): [CloseReason, string | undefined] {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && SERVER_ENDED.test(code)) return ['remote', code];
  if (client._queryable === false || streamEnded(client))
    return ['remote', typeof code === 'string' ? code : undefined];
  // pool.query() releases with the query's error, so any failed query costs its connection.
  return ['error', typeof code === 'string' ? `release(err) ${code}` : 'release(err)'];
}

function streamEnded(client: PgClient): boolean {
  const stream = client.connection?.stream as { readableEnded?: boolean; destroyed?: boolean } | undefined;
  return stream?.readableEnded === true || stream?.destroyed === true;
}

/**
 * Turns the pool's own data property `key` into an accessor with the same key and enumerability that stores
 * the value as before and calls `onSet` after each assignment. Returns what puts the data property back.
 */
function watchAssignments(pool: object, key: string, onSet: (value: unknown) => void): () => void {
  const previous = Object.getOwnPropertyDescriptor(pool, key);
  const enumerable = previous?.enumerable ?? true;
  let value: unknown = previous?.value;
  const get = (): unknown => value;
  const set = (next: unknown): void => {
    value = next;
    onSet(next);
  };
  Object.defineProperty(pool, key, { configurable: true, enumerable, get, set });
  return () => {
    if (Object.getOwnPropertyDescriptor(pool, key)?.get !== get) return;
    Object.defineProperty(pool, key, { configurable: true, enumerable, writable: true, value });
  };
}

// The wrappers. Each calls the original once, with the caller's `this`, and returns what it returns.

type Queue = unknown[];

function wrapClientsPush(a: PoolAttachment, original: Clients['push']): Clients['push'] {
  return function push(this: Clients, ...items: PgClient[]): number {
    const length = original.apply(this, items);
    const client = items[0];
    if (a.active && typeof client === 'object' && client !== null) a.guard(() => a.created(client));
    return length;
  };
}

function wrapQueuePush(a: PoolAttachment, original: Queue['push']): Queue['push'] {
  return function push(this: Queue, ...items: unknown[]): number {
    if (a.active) a.guard(() => a.enqueued(items[0]));
    return original.apply(this, items);
  };
}

function wrapQueueShift(a: PoolAttachment, original: Queue['shift']): Queue['shift'] {
  return function shift(this: Queue): unknown {
    const item = original.call(this);
    if (a.active) a.guard(() => a.dequeued(item));
    return item;
  };
}

function wrapQueueSplice(a: PoolAttachment, original: Queue['splice']): Queue['splice'] {
  return function splice(this: Queue, ...args: unknown[]): unknown[] {
    const removed = (original as (...a: unknown[]) => unknown[]).apply(this, args);
    if (a.active && removed.length > 0) a.guard(() => a.droppedFromQueue(removed));
    return removed;
  };
}

type AcquireClient = PgPool['_acquireClient'];
type Release = PgPool['_release'];

/** The pool's `_acquireClient`: the acquire is noted (never throwing), then the original runs as it was. */
function wrapAcquireClient(attachment: PoolAttachment, original: AcquireClient): AcquireClient {
  // pg-pool calls it with four arguments (index.js): passed on as they are, with no array made per acquire.
  return function _acquireClient(
    this: PgPool,
    client: PgClient,
    pendingItem: unknown,
    idleListener: unknown,
    isNew: boolean,
  ): unknown {
    attachment.acquiring(client);
    return original.call(this, client, pendingItem, idleListener, isNew);
  };
}

/** The pool's `_release`: the release is noted with the use count it will count, then the original runs. */
function wrapRelease(attachment: PoolAttachment, original: Release): Release {
  return function _release(this: PgPool, client: PgClient, idleListener: unknown, err: unknown): unknown {
    attachment.releasing(err, client, (client._poolUseCount || 0) + 1);
    return Reflect.apply(original, this, [client, idleListener, err]);
  };
}
