import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Socket } from 'node:net';

/** Told of every TCP socket of the process as it starts connecting (`net`, `tls`, `http`, `http2` alike). */
export type ConnectListener = (socket: Socket) => void;

const CHANNEL = 'net.client.socket';
const listeners = new Set<ConnectListener>();
let uninstall: (() => void) | undefined;
let mechanism: ConnectHookMechanism | undefined;

/** How connects are seen: Node's own channel, or a wrap of `Socket.prototype.connect` where it falls short. */
export type ConnectHookMechanism = 'diagnostics-channel' | 'socket-connect-wrap';

/** Listeners may be told of one socket twice (a socket connected again): they keep their own count. */
function announce(socket: Socket): void {
  for (const listener of listeners) listener(socket);
}

function onChannel(message: unknown): void {
  const socket = (message as { socket?: unknown } | null)?.socket;
  if (socket instanceof Socket) announce(socket);
}

/**
 * Whether this Node announces every connect on `net.client.socket`. Node 24 publishes it in
 * `Socket.prototype.connect`; Node 20 and 22 only in `net.connect()`, so `tls.connect()` and
 * `new Socket().connect()` go unseen there. Asked by a connect that fails its argument check before it
 * touches the network.
 */
function channelSeesEveryConnect(): boolean {
  let seen = false;
  const probe = (): void => {
    seen = true;
  };
  subscribe(CHANNEL, probe);
  const socket = new Socket();
  try {
    socket.connect({ port: -1 });
  } catch {
    // ERR_SOCKET_BAD_PORT, as intended.
  } finally {
    unsubscribe(CHANNEL, probe);
    socket.destroy();
  }
  return seen;
}

function install(): () => void {
  if (connectHookMechanism() === 'diagnostics-channel') {
    subscribe(CHANNEL, onChannel);
    return () => unsubscribe(CHANNEL, onChannel);
  }
  const proto = Socket.prototype as { connect: (...args: unknown[]) => unknown };
  const own = Object.getOwnPropertyDescriptor(proto, 'connect');
  const original = proto.connect;
  let on = true;
  const connect = function (this: Socket, ...args: unknown[]): unknown {
    if (on) announce(this);
    return original.apply(this, args);
  };
  Object.defineProperty(connect, 'name', { value: original.name });
  proto.connect = connect;
  return () => {
    on = false;
    // Put back exactly what was there, unless another wrap went on top of ours: ours then stays, inert.
    if (proto.connect === connect && own) Object.defineProperty(proto, 'connect', own);
  };
}

/** Starts telling `listener` of every connect; returns the function that stops it. Nothing runs while none listen. */
export function onEveryConnect(listener: ConnectListener): () => void {
  listeners.add(listener);
  uninstall ??= install();
  return () => {
    if (!listeners.delete(listener) || listeners.size > 0) return;
    uninstall?.();
    uninstall = undefined;
  };
}

/** The mechanism in use (or that would be), for reports and the benchmark. */
export function connectHookMechanism(): ConnectHookMechanism {
  mechanism ??= channelSeesEveryConnect() ? 'diagnostics-channel' : 'socket-connect-wrap';
  return mechanism;
}
