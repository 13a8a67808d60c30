import { Socket } from 'node:net';
import type { CloseReason } from '@poolaudit/core';
import type { CorePool, CorePoolConnection } from './shapes.js';

/**
 * What made mysql2 remove a connection, seen by listeners that run before the pool's own: `call` = a
 * `destroy()` / graceful `end()` call (the idle reaper, the application); `end` = the connection emitted
 * 'end' (the server's FIN arrived); `error` = it emitted 'error' (a network or protocol error, or an
 * error packet from the server).
 */
export type Cause = 'call' | 'end' | 'error';

/** Where a connection stands with its pool's attachment. */
export interface ConnectionOwner {
  /** The socket connected: the connection enters the ledger. */
  socketConnected(conn: CorePoolConnection, watched: WatchedConnection): void;
}

/** Per-connection facts, kept in a WeakMap keyed by mysql2's `PoolConnection`. */
export interface WatchedConnection {
  readonly owner: ConnectionOwner;
  /** When the pool started opening it (auditor clock), if it was opened under audit. */
  readonly connectStartedAt: number | undefined;
  /** The TCP socket the ledger watches; null for unix sockets, TLS and custom streams. */
  readonly socket: Socket | null;
  /** It was in use when the audit adopted it: mark it acquired once it is in the ledger. */
  readonly adoptInUse: boolean;
  opened: boolean;
  removed: boolean;
  cause: Cause;
  error: unknown;
}

const watched = new WeakMap<object, WatchedConnection>();
const socketOwners = new WeakMap<Socket, CorePoolConnection>();

// Module-level listeners (`this` is the emitter): attaching them allocates no closure per connection.
function onConnectionEnd(this: CorePoolConnection): void {
  const w = watched.get(this);
  if (w && w.cause === 'call') w.cause = 'end';
}
function onConnectionError(this: CorePoolConnection, err: unknown): void {
  const w = watched.get(this);
  if (w && w.cause === 'call') {
    w.cause = 'error';
    w.error = err;
  }
}
function onSocketConnect(this: Socket): void {
  const conn = socketOwners.get(this);
  const w = conn && watched.get(conn);
  if (conn && w && !w.removed && !w.opened) w.owner.socketConnected(conn, w);
}

/** The TCP socket of a connection, or null when there is none to read (unix socket, TLS, custom stream). */
function tcpSocketOf(conn: CorePoolConnection): Socket | null {
  const stream = conn.stream;
  if (!(stream instanceof Socket)) return null;
  const config = conn.config;
  // TLS replaces conn.stream with a TLSSocket that takes over the TCP socket's handle (lib/base/connection.js
  // startTLS); a unix socket leaves no TIME_WAIT. Neither can be read for who closed first.
  if (config.socketPath || config.ssl) return null;
  return stream;
}

/**
 * Starts watching a connection. Our listeners are prepended and `once`, like `PoolConnection`'s own
 * (lib/pool_connection.js), so that they see the cause first and leave the error semantics unchanged.
 * Calls `owner.socketConnected` now if the socket is already connected, else at its 'connect'.
 */
export function watchConnection(
  conn: CorePoolConnection,
  owner: ConnectionOwner,
  connectStartedAt: number | undefined,
  adoptInUse: boolean,
): void {
  if (watched.has(conn)) return;
  const socket = tcpSocketOf(conn);
  const w: WatchedConnection = {
    owner,
    connectStartedAt,
    socket,
    adoptInUse,
    opened: false,
    removed: false,
    cause: 'call',
    error: undefined,
  };
  watched.set(conn, w);
  conn.prependOnceListener('end', onConnectionEnd);
  // Only beside the pool's own once('error'): alone, ours would swallow an error that must throw.
  if (conn.listenerCount('error') > 0) conn.prependOnceListener('error', onConnectionError);
  const stream = conn.stream;
  if (stream instanceof Socket && stream.connecting) {
    socketOwners.set(stream, conn);
    stream.once('connect', onSocketConnect);
  } else {
    owner.socketConnected(conn, w);
  }
}

/** The watch record of a connection, if it is watched. */
export function watchOf(conn: object): WatchedConnection | undefined {
  return watched.get(conn);
}

/** Removes every listener `watchConnection` added. */
export function unwatchConnection(conn: CorePoolConnection): void {
  watched.delete(conn);
  conn.removeListener('end', onConnectionEnd);
  conn.removeListener('error', onConnectionError);
  const stream = conn.stream;
  if (stream instanceof Socket) {
    stream.removeListener('connect', onSocketConnect);
    socketOwners.delete(stream);
  }
}

/** Whether `conn` sits in the pool's idle list. The reaper's victim is at the head: look there first. */
export function isIdle(pool: CorePool, conn: CorePoolConnection): boolean {
  const free = pool._freeConnections;
  for (let i = 0; i < free.length; i++) if (free.get(i) === conn) return true;
  return false;
}

/** An error the server sent (an error packet: `ER_…` codes) or a hang-up without one. */
function fromServer(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('ER_') || code === 'PROTOCOL_CONNECTION_LOST');
}

/**
 * Why mysql2 is removing `conn`, decided at `_removeConnection` (lib/base/pool.js), before the removal:
 *
 * - the server's FIN ('end': `KILL`, a restart, MySQL's `wait_timeout`) → `remote`;
 * - an error on an idle connection → `remote` (MariaDB resets a connection that outlives `wait_timeout`),
 *   an error packet from the server → `remote`, any other error → `error` (`connect` before the
 *   handshake completed);
 * - a call on an idle connection while more than `maxIdle` are idle → `maxIdle` (the reaper's first
 *   test), idle longer than `idleTimeout` → `idleTimeout` (its second);
 * - any other call (the application's `conn.destroy()`, a read-only error, …) → `other` / `destroy`.
 *
 * Who closed first is not decided here: the ledger reads it at the socket.
 */
export function classifyRemoval(
  pool: CorePool,
  conn: CorePoolConnection,
  w: WatchedConnection,
  now: number,
): [CloseReason, string | undefined] {
  if (w.cause === 'end') return ['remote', undefined];
  const idle = isIdle(pool, conn);
  if (w.cause === 'error') {
    if (conn.authorized !== true) return ['error', 'connect'];
    return idle || fromServer(w.error) ? ['remote', undefined] : ['error', undefined];
  }
  if (idle) {
    const { maxIdle, idleTimeout } = pool.config;
    if (pool._freeConnections.length > maxIdle) return ['maxIdle', undefined];
    if (now - conn.lastActiveTime > idleTimeout) return ['idleTimeout', undefined];
  }
  return ['other', 'destroy'];
}
