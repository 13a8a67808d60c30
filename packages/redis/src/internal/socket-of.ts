import { Socket } from 'node:net';
import type { ClientSelf } from './shapes.js';

interface RefHandle {
  hasRef?(): boolean;
}

/**
 * The TCP (or TLS, or Unix) socket a node-redis client is connected by, or undefined when it has none.
 *
 * node-redis keeps it in a private field of a private field (`RedisClient#socket`, `RedisSocket#socket`); the
 * one public path to it is `client.ref()`, which calls `socket.ref()` on it. For that one synchronous call
 * `net.Socket.prototype.ref` is swapped for a function that only notes its `this`, so the socket is not
 * touched. `ref()` also clears the client's "unref'd" flag, which decides whether its next socket is unref'd:
 * when the socket shows it was unref'd, `unref()` puts the flag back (on an unref'd socket a no-op).
 */
export function socketOf(client: ClientSelf): Socket | undefined {
  const proto = Socket.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, 'ref');
  if (own === undefined || !own.writable || typeof own.value !== 'function') return undefined;
  let seen: Socket | undefined;
  proto.ref = function noteRef(this: Socket): Socket {
    // The one thing this call is for: which socket node-redis called ref() on.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    seen = this;
    return this;
  };
  try {
    client.ref();
  } finally {
    Object.defineProperty(proto, 'ref', own);
  }
  if (seen === undefined) return undefined;
  const handle = (seen as unknown as { _handle?: RefHandle | null })._handle;
  if (handle && typeof handle.hasRef === 'function' && !handle.hasRef()) client.unref();
  return seen;
}
