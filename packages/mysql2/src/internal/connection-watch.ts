import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { CloseReason } from '@poolaudit/core';
import type { CorePool, CorePoolConnection } from './shapes.js';

/** Where a connection stands with its pool's attachment. */
export interface ConnectionOwner {
  /** The socket connected: the connection enters the ledger. */
  socketConnected(conn: CorePoolConnection, watched: WatchedConnection): void;
  /** The handshake of a connection opened for an acquire completed: the acquire got it. */
  handshaken(conn: CorePoolConnection, watched: WatchedConnection): void;
}

/** Per-connection facts, kept in a WeakMap keyed by mysql2's `PoolConnection`. */
export interface WatchedConnection {
  readonly owner: ConnectionOwner;
  /** When the pool started opening it (auditor clock), if it was opened under audit. */
  readonly connectStartedAt: number | undefined;
  /**
   * The socket the ledger watches: the TCP socket, or over TLS the `TLSSocket` that replaces it after the
   * handshake (`ssl`); null for unix sockets and custom streams, and for a TLS connection not upgraded yet.
   */
  socket: Socket | null;
  /** It was in use when the audit adopted it: mark it acquired once it is in the ledger. */
  readonly adoptInUse: boolean;
  /** The acquire this connection was opened for, while its handshake runs (auditor clock). */
  acquireStartedAt: number | undefined;
  /** `stream.bytesRead` when it last went idle: an idle connection that read more heard from the server. */
  idleBytesRead: number;
  opened: boolean;
  removed: boolean;
}

/** What the stream of a connection tells about how it is going (a `net.Socket` or a `TLSSocket`). */
interface StreamState {
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
  readonly errored?: unknown;
  readonly bytesRead?: number;
}

const watched = new WeakMap<object, WatchedConnection>();
const socketOwners = new WeakMap<Socket, CorePoolConnection>();

// Module-level listeners (`this` is the emitter): attaching them allocates no closure per connection.
function onSocketConnect(this: Socket): void {
  const conn = socketOwners.get(this);
  const w = conn && watched.get(conn);
  if (conn && w && !w.removed && !w.opened) w.owner.socketConnected(conn, w);
}
function onHandshake(this: CorePoolConnection): void {
  const w = watched.get(this);
  if (w) w.owner.handshaken(this, w);
}

/**
 * The socket to read who closed first at: the TCP socket, or over TLS the `TLSSocket`; null when there is
 * none (a unix socket leaves no TIME_WAIT; a custom stream), or while a TLS connection is not upgraded yet.
 */
export function socketOf(conn: CorePoolConnection): Socket | null {
  const stream = conn.stream;
  if (!(stream instanceof Socket)) return null;
  const config = conn.config;
  if (config.socketPath) return null;
  // TLS replaces conn.stream with a TLSSocket that takes over the TCP socket's handle (lib/base/connection.js
  // startTLS): from then on the plain socket hears nothing, and the TLSSocket reads the peer's FIN.
  if (config.ssl && !(stream instanceof TLSSocket)) return null;
  return stream;
}

/** Whether the connection is to be upgraded to TLS and is not yet: it enters the ledger at its handshake. */
export function awaitsTls(conn: CorePoolConnection): boolean {
  return Boolean(conn.config.ssl) && !(conn.stream instanceof TLSSocket);
}

function streamOf(conn: CorePoolConnection): StreamState {
  const stream = conn.stream;
  return typeof stream === 'object' && stream !== null ? stream : {};
}

/**
 * Starts watching a connection. Nothing is added to the `PoolConnection` itself for good: its listener
 * counts are the library's (mysql2 `test-pool-memory-leak`, issue #3904, counts them). A connection opened
 * for an acquire (`acquireStartedAt`) gets one `once('connect')` that is gone when its handshake ends,
 * before the pool hands the connection to anybody — the library's own `connect()` listeners come and go
 * the same way (lib/base/connection.js `connect`). Who closed first is read at the TCP socket, by core.
 * Calls `owner.socketConnected` now if the socket is already connected, else at its 'connect'.
 */
export function watchConnection(
  conn: CorePoolConnection,
  owner: ConnectionOwner,
  connectStartedAt: number | undefined,
  acquireStartedAt: number | undefined,
  adoptInUse: boolean,
): void {
  if (watched.has(conn)) return;
  const w: WatchedConnection = {
    owner,
    connectStartedAt,
    socket: socketOf(conn),
    adoptInUse,
    acquireStartedAt,
    idleBytesRead: streamOf(conn).bytesRead ?? 0,
    opened: false,
    removed: false,
  };
  watched.set(conn, w);
  if (acquireStartedAt !== undefined) conn.once('connect', onHandshake);
  const stream = conn.stream;
  // Over TLS the TCP socket is replaced at the handshake: the connection is opened there (`handshaken`).
  if (acquireStartedAt !== undefined && awaitsTls(conn)) return;
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

/** The handshake is no longer awaited (it ended, failed, or the pool ended): our listener goes. */
export function stopAwaitingHandshake(conn: CorePoolConnection, w: WatchedConnection): void {
  if (w.acquireStartedAt === undefined) return;
  w.acquireStartedAt = undefined;
  conn.removeListener('connect', onHandshake);
}

/** Removes every listener `watchConnection` added. */
export function unwatchConnection(conn: CorePoolConnection): void {
  const w = watched.get(conn);
  if (w) stopAwaitingHandshake(conn, w);
  watched.delete(conn);
  const stream = conn.stream;
  if (stream instanceof Socket) {
    stream.removeListener('connect', onSocketConnect);
    socketOwners.delete(stream);
  }
}

/** The connection went idle: remember how much it had read, to tell later whether the server spoke. */
export function markIdle(conn: CorePoolConnection, w: WatchedConnection): void {
  w.idleBytesRead = streamOf(conn).bytesRead ?? 0;
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
 * What made mysql2 remove `conn`, read from the connection and its stream as they stand when the removal
 * starts (lib/pool_connection.js `_removeFromPool` runs from its 'end' and 'error' listeners, `destroy()` and
 * a graceful `end()`): `end` = the peer's FIN was read (`readableEnded`); `error` = the connection failed
 * (a protocol error, an errored or destroyed stream, a failed handshake), or an idle connection read bytes
 * nobody asked for (an error packet from the server: `ER_CONNECTION_KILLED`, MySQL 8's
 * `ER_CLIENT_INTERACTION_TIMEOUT`); `call` = a `destroy()` / `end()` call (the idle reaper, the application).
 */
function causeOf(
  conn: CorePoolConnection,
  w: WatchedConnection,
  idle: boolean,
): { cause: 'end' | 'error' | 'call'; error: unknown } {
  const stream = streamOf(conn);
  if (stream.readableEnded === true) return { cause: 'end', error: undefined };
  const error = conn._protocolError ?? stream.errored ?? undefined;
  if (error !== undefined && error !== null) return { cause: 'error', error };
  if (stream.destroyed === true || conn._closing === true) return { cause: 'error', error: undefined };
  if (idle && (stream.bytesRead ?? 0) > w.idleBytesRead) return { cause: 'error', error: undefined };
  return { cause: 'call', error: undefined };
}

/**
 * Why mysql2 is removing `conn`, decided as the removal starts (lib/base/pool.js `_removeConnection`):
 *
 * - the server's FIN (`KILL`, a restart, MySQL's `wait_timeout`) → `remote`;
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
  const idle = isIdle(pool, conn);
  const { cause, error } = causeOf(conn, w, idle);
  if (cause === 'end') return ['remote', undefined];
  if (cause === 'error') {
    if (conn.authorized !== true) return ['error', 'connect'];
    return idle || fromServer(error) ? ['remote', undefined] : ['error', undefined];
  }
  if (idle) {
    const { maxIdle, idleTimeout } = pool.config;
    if (pool._freeConnections.length > maxIdle) return ['maxIdle', undefined];
    if (now - conn.lastActiveTime > idleTimeout) return ['idleTimeout', undefined];
  }
  return ['other', 'destroy'];
}
