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

/** Starts and stops reading who closes a socket first, into one record per socket. */
export interface SocketWatch<C extends WatchedConnection> {
  watch(socket: Socket, conn: C): void;
  /** Whether `socket` is watched now (from `watch` to its close or `unwatch`). */
  has(socket: Socket): boolean;
  /** Removes every listener `watch` added. */
  unwatch(socket: Socket): void;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** The 'error' listeners of every watch: an error only they hear must still throw, as it would unwatched. */
const errorListeners = new Set<(...args: never[]) => void>();
/** Sockets an audited pool has owned: the process-wide view leaves them to their pool. */
const owned = new WeakSet<Socket>();

/**
 * A watch with its own table and listeners. The pools' ledgers share one; the process-wide view of unaudited
 * sockets has another, so that one socket can be read by both. Handlers are made once per watch (`this` is
 * the socket): attaching them allocates no closure per connection.
 */
export function createSocketWatch<C extends WatchedConnection>(): SocketWatch<C> {
  const watched = new WeakMap<Socket, C>();
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
    // Without us nobody would listen and emit() would throw: keep it that way, the app must not change. The
    // first of our listeners to run decides, so the error is thrown once.
    const listeners = this.listeners('error');
    if (listeners[0] === onError && listeners.every((l) => errorListeners.has(l as never))) throw err;
  }
  function onClose(this: Socket): void {
    const conn = watched.get(this);
    if (!conn) return;
    unwatch(this);
    conn.onSocketClose();
  }
  errorListeners.add(onError);

  function unwatch(socket: Socket): void {
    watched.delete(socket);
    socket.removeListener('connect', onConnect);
    socket.removeListener('end', onEnd);
    socket.removeListener('finish', onFinish);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
  }

  return {
    // Our listeners are prepended so that they have seen the peer's FIN before the library reacts to it
    // (mysql2 and ioredis remove the connection from their 'end' handler).
    watch(socket, conn) {
      watched.set(socket, conn);
      // Told of a connect before it begins (Node's `net.client.socket`), a socket is not `connecting` yet.
      if (socket.connecting || (!socket.destroyed && remoteEndpointOf(socket) === null)) {
        socket.prependOnceListener('connect', onConnect);
      } else {
        if (conn.endpoint === null) conn.endpoint = remoteEndpointOf(socket);
        conn.local ??= localEndpointOf(socket);
      }
      socket.prependListener('end', onEnd);
      socket.prependListener('finish', onFinish);
      socket.prependListener('error', onError);
      socket.prependListener('close', onClose);
      // A socket already closed has nothing left to tell.
      if (socket.destroyed && socket.closed) onClose.call(socket);
    },
    unwatch,
    has: (socket) => watched.has(socket),
  };
}

const pools = createSocketWatch<WatchedConnection>();

/** `ip:port` of the socket's peer, or null before it has connected. */
export function remoteEndpointOf(socket: Socket): string | null {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress !== undefined && remotePort !== undefined
    ? endpointKey(remoteAddress, remotePort)
    : null;
}

/** The peer's address alone (`10.0.0.5`, `[::1]`; a v4-mapped address as plain IPv4), or null before it has connected. */
export function peerOf(socket: Socket): string | null {
  const { remoteAddress } = socket;
  if (remoteAddress === undefined) return null;
  const key = endpointKey(remoteAddress, 0);
  return key.slice(0, key.lastIndexOf(':'));
}

/** `ip:port` of the socket's own end, or null before it has connected (and after it has closed). */
export function localEndpointOf(socket: Socket): string | null {
  const { localAddress, localPort } = socket;
  return localAddress !== undefined && localPort !== undefined ? endpointKey(localAddress, localPort) : null;
}

/**
 * Starts reading who closes a pool's `socket` first, and marks it owned by a pool (with the TCP socket a
 * `TLSSocket` took over, the one that connected: mysql2 and pg upgrade a plain socket to TLS).
 */
export function watchSocket(socket: Socket, conn: WatchedConnection): void {
  owned.add(socket);
  const parent = (socket as { _parent?: unknown })._parent;
  if (typeof parent === 'object' && parent !== null) owned.add(parent as Socket);
  pools.watch(socket, conn);
}

/** Removes every listener `watchSocket` added. */
export function unwatchSocket(socket: Socket): void {
  pools.unwatch(socket);
}

/** Whether an audited pool has owned this socket (it stays marked after its pool lets it go). */
export function ownedByPool(socket: Socket): boolean {
  return owned.has(socket);
}
