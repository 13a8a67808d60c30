import type { Socket } from 'node:net';
import { endpointKey } from '../endpoint.js';

/** The socket-side facts of one connection, updated by listeners that run before the library's own. */
export interface WatchedConnection {
  socket: Socket | null;
  endpoint: string | null;
  /** This end's `ip:port`: read at connect, since a closed socket reports `localPort` undefined. */
  local: string | null;
  /** The peer's FIN arrived before we ended our side. */
  peerClosedFirst: boolean;
  /** We sent our FIN (end() flushed) before the peer's arrived. */
  localClosedFirst: boolean;
  /** The connection ended in a reset (ECONNRESET, EPIPE, resetAndDestroy). */
  reset: boolean;
  /** Called once when a socket that was connecting has connected. */
  onSocketConnect(): void;
  /** Called once when the socket has fully closed. */
  onSocketClose(): void;
}

const watched = new WeakMap<Socket, WatchedConnection>();
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

// Module-level handlers (`this` is the socket): attaching them allocates no closure per connection.
function onConnect(this: Socket): void {
  const conn = watched.get(this);
  if (!conn) return;
  conn.endpoint = remoteEndpointOf(this) ?? conn.endpoint;
  conn.local = localEndpointOf(this) ?? conn.local;
  conn.onSocketConnect();
}
function onEnd(this: Socket): void {
  const conn = watched.get(this);
  if (conn && !conn.localClosedFirst && !conn.reset) conn.peerClosedFirst = true;
}
function onFinish(this: Socket): void {
  const conn = watched.get(this);
  if (conn && !conn.peerClosedFirst && !conn.reset) conn.localClosedFirst = true;
}
function onError(this: Socket, err: NodeJS.ErrnoException): void {
  const conn = watched.get(this);
  if (conn && !conn.peerClosedFirst && !conn.localClosedFirst && RESET_CODES.has(err.code ?? '')) {
    conn.reset = true;
  }
  // Without us nobody would listen and emit() would throw: keep it that way, the app must not change.
  if (this.listenerCount('error') === 1) throw err;
}
function onClose(this: Socket): void {
  const conn = watched.get(this);
  if (!conn) return;
  unwatchSocket(this);
  conn.onSocketClose();
}

/** `ip:port` of the socket's peer, or null before it has connected. */
export function remoteEndpointOf(socket: Socket): string | null {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress !== undefined && remotePort !== undefined
    ? endpointKey(remoteAddress, remotePort)
    : null;
}

/** `ip:port` of the socket's own end, or null before it has connected (and after it has closed). */
export function localEndpointOf(socket: Socket): string | null {
  const { localAddress, localPort } = socket;
  return localAddress !== undefined && localPort !== undefined ? endpointKey(localAddress, localPort) : null;
}

/**
 * Starts reading who closes `socket` first. Our listeners are prepended so that they have seen the peer's
 * FIN before the library reacts to it (mysql2 and ioredis remove the connection from their 'end' handler).
 */
export function watchSocket(socket: Socket, conn: WatchedConnection): void {
  watched.set(socket, conn);
  if (socket.connecting) socket.prependOnceListener('connect', onConnect);
  else {
    if (conn.endpoint === null) conn.endpoint = remoteEndpointOf(socket);
    conn.local ??= localEndpointOf(socket);
  }
  socket.prependListener('end', onEnd);
  socket.prependListener('finish', onFinish);
  socket.prependListener('error', onError);
  socket.prependListener('close', onClose);
  // A socket already closed has nothing left to tell.
  if (socket.destroyed && socket.closed) onClose.call(socket);
}

/** Removes every listener `watchSocket` added. */
export function unwatchSocket(socket: Socket): void {
  watched.delete(socket);
  socket.removeListener('connect', onConnect);
  socket.removeListener('end', onEnd);
  socket.removeListener('finish', onFinish);
  socket.removeListener('error', onError);
  socket.removeListener('close', onClose);
}
