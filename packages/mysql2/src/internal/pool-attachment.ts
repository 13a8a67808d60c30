import { endpointKey, reportAuditFailure, wrapInstanceMethod } from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import {
  classifyRemoval,
  socketOf,
  isIdle,
  markIdle,
  stopAwaitingHandshake,
  unwatchConnection,
  watchConnection,
  watchOf,
} from './connection-watch.js';
import type { ConnectionOwner, WatchedConnection } from './connection-watch.js';
import type { CorePool, CorePoolConnection, RingQueue } from './shapes.js';

type Callback = (err: unknown, conn?: unknown) => unknown;

/** The stand-ins this adapter put in a pool's `_connectionQueue` for the application's callbacks. */
const waiters = new WeakSet<object>();

/** Arms the attachment for the `getConnection()` that re-runs a queued acquire (see `shifted`). */
function armRedispatch(a: PoolAttachment): void {
  a.redispatching = true;
}

/**
 * The audit of one mysql2 callback pool, through the three queues the pool keeps (lib/base/pool.js):
 * `_freeConnections` (`pop` lends an idle connection, `push` takes one back), `_allConnections` (`push`
 * adds a new connection, `removeOne` is the first step of every removal, `get` is what `end()` walks),
 * `_connectionQueue` (`push` queues an acquire, `shift` serves one). Their methods are wrapped on those
 * queue instances, which only the pool uses: the pool itself keeps its own keys and its prototype's
 * methods (mysql2 `test-pool-getconnection-contract` checks `getConnection` is not an own property), and
 * no listener stays on the pool or its connections. Every wrapper calls the original exactly once with the
 * same `this` and returns its result; auditing work is guarded, and a failure detaches the audit.
 */
export class PoolAttachment implements ConnectionOwner {
  active = true;
  /** The current `getConnection()` re-runs a queued acquire whose start and wait its stand-in records. */
  redispatching = false;
  /** The next `shift()` of the queue hands a waiter back to `getConnection()`. */
  private redispatchNext = false;
  private ended = false;
  private readonly restores: (() => void)[] = [];

  constructor(
    readonly pool: CorePool,
    readonly probe: PoolProbe,
    /** Changed only by a second `auditPool()` with another name (audit-pool.ts). */
    public name: string,
  ) {}

  attach(): void {
    // Typed as queues of anything: the wrappers only pass items through and look at objects.
    const all = this.pool._allConnections as RingQueue<unknown>;
    const free = this.pool._freeConnections as RingQueue<unknown>;
    const queue = this.pool._connectionQueue;
    this.restores.push(
      wrapInstanceMethod(free, 'pop', (original) => wrapPop(this, original)),
      wrapInstanceMethod(free, 'push', (original) => wrapPush(this, original, (c) => this.returned(c))),
      wrapInstanceMethod(all, 'push', (original) => wrapPush(this, original, (c) => this.created(c))),
      wrapInstanceMethod(all, 'removeOne', (original) => wrapRemoveOne(this, original)),
      wrapInstanceMethod(all, 'get', (original) => wrapAllGet(this, original)),
      wrapInstanceMethod(queue, 'push', (original) => wrapQueuePush(this, original)),
      wrapInstanceMethod(queue, 'shift', (original) => wrapShift(this, original)),
    );
    this.adopt();
  }

  /** Restores the pool's queues exactly and leaves the auditor. */
  detach(): void {
    if (!this.active) return;
    this.active = false;
    for (const restore of this.restores.splice(0)) restore();
    const all = this.pool._allConnections;
    for (let i = 0; i < all.length; i++) {
      const conn = all.get(i);
      if (conn && watchOf(conn)?.owner === this) unwatchConnection(conn);
    }
    this.probe.unregister();
  }

  /** `_freeConnections.pop()` in `getConnection()`: an idle connection is lent at once. */
  lent(conn: CorePoolConnection): void {
    if (this.redispatching) {
      this.redispatching = false;
      return;
    }
    this.probe.acquired(conn, this.probe.acquireStart(), false);
  }

  /** `_freeConnections.push()` in `_handleSuccessfulRelease()`: the connection is idle again. */
  returned(conn: CorePoolConnection): void {
    this.probe.released(conn);
    const w = watchOf(conn);
    if (w?.owner === this) markIdle(conn, w);
  }

  /** `_allConnections.push()` in `getConnection()`: a connection is opened for an acquire. */
  created(conn: CorePoolConnection): void {
    const now = this.probe.now();
    let acquireStartedAt: number | undefined;
    if (this.redispatching) this.redispatching = false;
    else acquireStartedAt = this.probe.acquireStart();
    watchConnection(conn, this, now, acquireStartedAt, false);
  }

  /** `_connectionQueue.push(cb)`: the acquire waits; a stand-in that times it takes the callback's place. */
  queued(cb: unknown): unknown {
    if (waiters.has(cb as object)) {
      // A re-run acquire queued again: its stand-in already counts it.
      this.redispatching = false;
      return cb;
    }
    this.redispatching = false;
    if (typeof cb !== 'function') return cb;
    const startedAt = this.probe.acquireStart();
    const app = cb as Callback;
    const waiter = (err: unknown, conn?: unknown): unknown => {
      if (this.active) this.guard(() => this.waited(startedAt, err, conn));
      return app(err, conn);
    };
    waiters.add(waiter);
    return waiter;
  }

  /**
   * `_connectionQueue.shift()`: a waiter is served. Either a released connection goes to it straight away
   * (`_handleSuccessfulRelease`), or a connection was removed and the waiter is handed to
   * `getConnection()` again on the next tick (`releaseConnection` of a removed connection): that re-run is
   * the same acquire, which its stand-in still times.
   */
  shifted(cb: unknown): void {
    if (!this.redispatchNext) return;
    this.redispatchNext = false;
    // Queued now, this runs right before the `getConnection()` mysql2 queues next (same tick, in order).
    if (cb !== undefined) process.nextTick(armRedispatch, this);
  }

  /** A queued acquire's callback is called: it got `conn` (or failed) after waiting since `startedAt`. */
  private waited(startedAt: number, err: unknown, conn: unknown): void {
    if (err) {
      this.redispatching = false;
      this.probe.acquireFailed(startedAt, true, false);
    } else if (typeof conn === 'object' && conn !== null) {
      // Handed over by a release that skipped the idle list: that release ends here.
      this.probe.released(conn);
      this.probe.acquired(conn, startedAt, true);
    }
  }

  /** The socket connected (or the connection has no socket to wait for): it enters the ledger. */
  socketConnected(conn: CorePoolConnection, w: WatchedConnection): void {
    if (!this.active) return;
    this.guard(() => {
      w.opened = true;
      const connectStartedAt = w.connectStartedAt;
      const config = conn.config;
      this.probe.opened(conn, {
        socket: w.socket,
        ...(w.socket === null && !config.socketPath && config.host !== undefined
          ? { endpoint: endpointKey(config.host, config.port ?? 3306) }
          : {}),
        ...(connectStartedAt !== undefined ? { connectStartedAt } : {}),
      });
      // end() ran while this socket was connecting: mysql2 sends it COM_QUIT right after the handshake.
      if (this.pool._closed) this.probe.closed(conn, 'shutdown');
      else if (w.adoptInUse) this.probe.acquired(conn, this.probe.now(), false);
    });
  }

  /** The handshake of a connection opened for an acquire ended: the pool hands it over next. */
  handshaken(conn: CorePoolConnection, w: WatchedConnection): void {
    const startedAt = w.acquireStartedAt;
    stopAwaitingHandshake(conn, w);
    if (!this.active || startedAt === undefined) return;
    // A TLS connection enters the ledger now, with the TLSSocket that replaced its TCP socket.
    if (!w.opened && !w.removed) {
      w.socket = socketOf(conn);
      this.socketConnected(conn, w);
    }
    this.guard(() => {
      // lib/base/pool.js: a pool closed meanwhile calls back with 'Pool is closed.'
      if (this.pool._closed) this.probe.acquireFailed(startedAt, false, false);
      else this.probe.acquired(conn, startedAt, false);
    });
  }

  /** `_allConnections.removeOne()`: the first step of every removal (`_removeConnection`, a failed reset). */
  removing(conn: CorePoolConnection): void {
    // mysql2 serves a waiter next when one is queued (lib/base/pool.js releaseConnection, resetOnRelease).
    this.redispatchNext = this.pool._connectionQueue.length > 0;
    const w = watchOf(conn);
    if (!w || w.owner !== this || w.removed) return;
    w.removed = true;
    const startedAt = w.acquireStartedAt;
    if (startedAt !== undefined) {
      // It failed before its handshake completed: so did the acquire it was opened for.
      stopAwaitingHandshake(conn, w);
      this.probe.acquireFailed(startedAt, false, false);
      // mysql2 removes it while it reports the error, and keeps the error (`_fatalError`) right after.
      process.nextTick(connectFailed, this, conn);
    }
    if (!w.opened) return;
    const [reason, detail] = classifyRemoval(this.pool, conn, w, Date.now());
    this.probe.closed(conn, reason, detail);
  }

  /**
   * `end()` has set `_closed` and walks `_allConnections`. mysql2 then sends COM_QUIT on every connection
   * and no longer removes them (`_removeFromPool` returns once the pool is closed), so every connection is
   * closed here; the server answers COM_QUIT by closing first, which the ledger reads at the socket.
   */
  ending(): void {
    if (this.ended) return;
    this.ended = true;
    const all = this.pool._allConnections;
    for (let i = 0; i < all.length; i++) {
      const conn = all.get(i);
      const w = conn && watchOf(conn);
      if (!conn || !w || w.owner !== this || w.removed) continue;
      const startedAt = w.acquireStartedAt;
      if (startedAt !== undefined) {
        stopAwaitingHandshake(conn, w);
        this.probe.acquireFailed(startedAt, false, false);
      }
      // One still connecting is closed as `shutdown` when its socket connects (see socketConnected).
      if (!w.opened) continue;
      w.removed = true;
      this.probe.closed(conn, 'shutdown');
    }
    this.probe.ended();
  }

  /** Connections that exist when the audit attaches are adopted: those not idle count as in use. */
  private adopt(): void {
    const all = this.pool._allConnections;
    for (let i = 0; i < all.length; i++) {
      const conn = all.get(i);
      if (conn) watchConnection(conn, this, undefined, undefined, !isIdle(this.pool, conn));
    }
  }

  guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Auditing failed: say so once and let the pool go on unaudited. */
  fail(err: unknown): void {
    if (!this.active) return;
    reportAuditFailure('mysql2', this.name, err);
    try {
      // Visible in the snapshot too, as `events['audit-failed']`.
      this.probe.count('audit-failed');
      this.detach();
    } catch {
      this.active = false;
    }
  }
}

/** A connection that never completed its handshake: the attempt failed, with the error mysql2 kept. */
function connectFailed(attachment: PoolAttachment, conn: CorePoolConnection): void {
  if (!attachment.active) return;
  attachment.guard(() => {
    const { host, port, socketPath } = conn.config;
    const stream = conn.stream as { errored?: unknown } | null | undefined;
    attachment.probe.connectFailed({
      endpoint: socketPath ? socketPath : host !== undefined ? endpointKey(host, port ?? 3306) : null,
      error: conn._fatalError ?? stream?.errored ?? conn._protocolError,
    });
  });
}

// The wrappers. Each calls the original once, with the caller's `this`, and returns what it returns.

type Queue = RingQueue<unknown>;

function wrapPop(a: PoolAttachment, original: Queue['pop']): Queue['pop'] {
  return function pop(this: Queue): unknown {
    const conn = original.call(this);
    if (a.active && typeof conn === 'object' && conn !== null) {
      a.guard(() => a.lent(conn as CorePoolConnection));
    }
    return conn;
  };
}

/** `push(conn)` on a queue of connections, then `then(conn)` for the connection pushed. */
function wrapPush(
  a: PoolAttachment,
  original: Queue['push'],
  then: (conn: CorePoolConnection) => void,
): Queue['push'] {
  return function push(this: Queue, ...items: unknown[]): number {
    const length = original.apply(this, items);
    const conn = items[0];
    if (a.active && typeof conn === 'object' && conn !== null) {
      a.guard(() => then(conn as CorePoolConnection));
    }
    return length;
  };
}

function wrapRemoveOne(a: PoolAttachment, original: Queue['removeOne']): Queue['removeOne'] {
  return function removeOne(this: Queue, index: number): unknown {
    const conn = original.call(this, index);
    if (a.active && typeof conn === 'object' && conn !== null) {
      a.guard(() => a.removing(conn as CorePoolConnection));
    }
    return conn;
  };
}

function wrapAllGet(a: PoolAttachment, original: Queue['get']): Queue['get'] {
  return function get(this: Queue, index: number): unknown {
    if (a.active && a.pool._closed) a.guard(() => a.ending());
    return original.call(this, index);
  };
}

function wrapQueuePush(a: PoolAttachment, original: Queue['push']): Queue['push'] {
  return function push(this: Queue, ...items: unknown[]): number {
    if (a.active && items.length > 0) {
      try {
        items[0] = a.queued(items[0]);
      } catch (err) {
        a.fail(err);
      }
    }
    return original.apply(this, items);
  };
}

function wrapShift(a: PoolAttachment, original: Queue['shift']): Queue['shift'] {
  return function shift(this: Queue): unknown {
    const cb = original.call(this);
    if (a.active) a.guard(() => a.shifted(cb));
    return cb;
  };
}
