import { endpointKey, wrapInstanceMethod } from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import { classifyRemoval, isIdle, unwatchConnection, watchConnection, watchOf } from './connection-watch.js';
import type { ConnectionOwner, WatchedConnection } from './connection-watch.js';
import { reportFailure } from './report-failure.js';
import type { CorePool, CorePoolConnection } from './shapes.js';

type Callback = (err: unknown, conn?: unknown) => unknown;

/**
 * The functions mysql2 keeps in `_connectionQueue`. A queued callback is handed to `getConnection()` again
 * when a connection it was waiting for is removed (lib/base/pool.js `releaseConnection`): that is the
 * same acquire, not a new one.
 */
const queuedCallbacks = new WeakSet<object>();

/** One acquire in flight: its start, whether it queued, and the callback that reports it. */
class Acquire {
  queued = false;

  constructor(
    private readonly attachment: PoolAttachment,
    private readonly cb: Callback,
    readonly startedAt: number,
  ) {}

  readonly done = (err: unknown, conn?: unknown): unknown => {
    const a = this.attachment;
    if (a.active) {
      if (err) a.probe.acquireFailed(this.startedAt, this.queued, false);
      else if (typeof conn === 'object' && conn !== null) a.probe.acquired(conn, this.startedAt, this.queued);
    }
    return this.cb(err, conn);
  };
}

/**
 * The audit of one mysql2 callback pool: four methods wrapped on the instance (`getConnection`,
 * `releaseConnection`, `_removeConnection`, `end`) and listeners on each connection. Every wrapper
 * calls the original exactly once with the same `this` and returns its result; auditing work is
 * guarded, and a failure detaches the audit and leaves the pool working as if unaudited.
 */
export class PoolAttachment implements ConnectionOwner {
  active = true;
  private readonly restores: (() => void)[] = [];

  constructor(
    readonly pool: CorePool,
    readonly probe: PoolProbe,
    /** Changed only by a second `auditPool()` with another name (audit-pool.ts). */
    public name: string,
  ) {}

  attach(): void {
    this.restores.push(
      wrapInstanceMethod(this.pool, 'getConnection', wrapGetConnection(this)),
      wrapInstanceMethod(this.pool, 'releaseConnection', wrapReleaseConnection(this)),
      wrapInstanceMethod(this.pool, '_removeConnection', wrapRemoveConnection(this)),
      wrapInstanceMethod(this.pool, 'end', wrapEnd(this)),
    );
    this.adopt();
  }

  /** Restores the pool exactly and leaves the auditor. */
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

  /** The acquire path: O(1), one small object per acquire for its callback. */
  acquire(original: (cb: unknown) => unknown, self: unknown, cb: Callback): unknown {
    const pool = this.pool;
    let openBefore = -1;
    let queueBefore = 0;
    let acquire: Acquire | undefined;
    try {
      openBefore = pool._allConnections.length;
      queueBefore = pool._connectionQueue.length;
      if (!queuedCallbacks.has(cb)) acquire = new Acquire(this, cb, this.probe.acquireStart());
    } catch (err) {
      this.fail(err);
    }
    const result = original.call(self, acquire ? acquire.done : cb);
    if (this.active && openBefore >= 0) {
      try {
        const queue = pool._connectionQueue;
        if (queue.length > queueBefore) {
          if (acquire) acquire.queued = true;
          // What mysql2 queued (a tracing channel may have wrapped our callback): recognise it when it returns.
          const queued = queue.get(queue.length - 1);
          if (typeof queued === 'function') queuedCallbacks.add(queued);
        }
        const all = pool._allConnections;
        if (all.length > openBefore) {
          const conn = all.get(all.length - 1);
          if (conn) watchConnection(conn, this, acquire ? acquire.startedAt : this.probe.now(), false);
        }
      } catch (err) {
        this.fail(err);
      }
    }
    return result;
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

  /** `_removeConnection(conn)` is about to run: the single place every closure passes (but `end()`). */
  removing(conn: CorePoolConnection): void {
    const w = watchOf(conn);
    if (!w || w.owner !== this || w.removed) return;
    w.removed = true;
    if (!w.opened) return;
    const [reason, detail] = classifyRemoval(this.pool, conn, w, Date.now());
    this.probe.closed(conn, reason, detail);
  }

  /**
   * `end()` is about to run. mysql2 then sends COM_QUIT on every connection and no longer calls
   * `_removeConnection` (`_removeFromPool` returns once the pool is closed), so every connection is
   * closed here; the server answers COM_QUIT by closing first, which the ledger reads at the socket.
   */
  ending(): void {
    const all = this.pool._allConnections;
    for (let i = 0; i < all.length; i++) {
      const conn = all.get(i);
      const w = conn && watchOf(conn);
      // One still connecting is closed as `shutdown` when its socket connects (see socketConnected).
      if (!conn || !w || w.owner !== this || w.removed || !w.opened) continue;
      w.removed = true;
      this.probe.closed(conn, 'shutdown');
    }
  }

  /** Connections that exist when the audit attaches are adopted: those not idle count as in use. */
  private adopt(): void {
    const all = this.pool._allConnections;
    for (let i = 0; i < all.length; i++) {
      const conn = all.get(i);
      if (conn) watchConnection(conn, this, undefined, !isIdle(this.pool, conn));
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
    reportFailure(this.name, err);
    try {
      // Visible in the snapshot too, as `events['audit-failed']`.
      this.probe.count('audit-failed');
      this.detach();
    } catch {
      this.active = false;
    }
  }
}

// The wrappers. Each calls the original once, with the caller's `this`, and returns what it returns.

function wrapGetConnection(a: PoolAttachment) {
  return (original: CorePool['getConnection']): CorePool['getConnection'] =>
    function getConnection(this: unknown, cb: unknown): unknown {
      if (!a.active || typeof cb !== 'function') return original.call(this, cb);
      return a.acquire(original, this, cb as Callback);
    };
}

function wrapReleaseConnection(a: PoolAttachment) {
  return (original: CorePool['releaseConnection']): CorePool['releaseConnection'] =>
    function releaseConnection(this: unknown, conn: unknown): unknown {
      // A removed connection (`_pool` null) comes through here too, to wake a waiter: not a release.
      if (a.active && (conn as Partial<CorePoolConnection> | null)?._pool) a.probe.released(conn as object);
      return original.call(this, conn);
    };
}

function wrapRemoveConnection(a: PoolAttachment) {
  return (original: CorePool['_removeConnection']): CorePool['_removeConnection'] =>
    function _removeConnection(this: unknown, conn: CorePoolConnection): unknown {
      if (a.active) a.guard(() => a.removing(conn));
      return original.call(this, conn);
    };
}

function wrapEnd(a: PoolAttachment) {
  return (original: CorePool['end']): CorePool['end'] =>
    function end(this: unknown, ...args: unknown[]): unknown {
      if (a.active && !a.pool._closed) a.guard(() => a.ending());
      return original.apply(this, args);
    };
}
