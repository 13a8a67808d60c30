import type { CloseReason } from '@poolaudit/core';

/**
 * What the agent's `'free'` handler did with a socket whose request finished (lib/_http_agent.js, v20
 * lines 116-179, the same order in v24): `keep` until `keepSocketAlive()` answered.
 */
export type FreeFate =
  | 'none'
  /** The socket was no longer writable: the server had ended it. */
  | 'not-writable'
  /** `!req.shouldKeepAlive`: the response (or the request) said `Connection: close`. */
  | 'connection-close'
  /** The client asked for `Connection: close` itself (keepAlive off with maxSockets Infinity). */
  | 'client-close'
  /** `!agent.keepAlive`: freed sockets are destroyed. */
  | 'keep-alive-disabled'
  /** `freeLen >= maxFreeSockets`. */
  | 'max-free-sockets'
  /** `count > maxSockets` or `totalSocketCount > maxTotalSockets`. */
  | 'max-sockets'
  /** `keepSocketAlive()` refused: the server's `Keep-Alive: timeout=` hint less the buffer left no time. */
  | 'keep-alive-hint'
  /** `keepSocketAlive()` (overridden by the application) refused for its own reasons. */
  | 'keep-socket-alive';

/** The facts gathered about one socket by the time it closed. */
export interface CloseFacts {
  readonly fate: FreeFate;
  readonly inUse: boolean;
  readonly idle: boolean;
  /** The free socket's timeout fired (the agent destroys a free socket on 'timeout'). */
  readonly timedOut: boolean;
  /** The free-socket timeout in force came from the server's hint, not the agent's `timeout`. */
  readonly hintTimeout: boolean;
  /** `agent.destroy()` was called while the socket was open. */
  readonly shutdown: boolean;
  /** Requests the socket carried. */
  readonly uses: number;
  /** The request on it when it closed had been given a reused socket (`req.reusedSocket`). */
  readonly reusedSocket: boolean;
  /** The request on it had a complete response. */
  readonly responded: boolean;
  /** The client asked for `Connection: close` (the agent will not keep the socket anyway). */
  readonly clientAskedClose: boolean;
  /** The peer's FIN was read. */
  readonly peerEnded: boolean;
  /** The error the socket was destroyed with, if any. */
  readonly errorCode: string | undefined;
}

export interface ClassifiedClose {
  readonly reason: CloseReason | undefined;
  readonly detail: string | undefined;
  /** The close was the keep-alive race: a request written onto a socket the server was closing. */
  readonly race: boolean;
}

const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function close(reason: CloseReason | undefined, detail: string | undefined, race = false): ClassifiedClose {
  return { reason, detail, race };
}

const FATES: Readonly<Record<Exclude<FreeFate, 'none'>, ClassifiedClose>> = {
  'not-writable': close('remote', 'server-hang-up'),
  // The server closes after a `Connection: close` response: its FIN may still be unread when the client
  // destroys the socket, so the reason says `remote` and core settles the side at the socket.
  'connection-close': close('remote', 'connection-close'),
  'client-close': close('remote', 'keep-alive-disabled'),
  'keep-alive-disabled': close('other', 'keep-alive-disabled'),
  'max-free-sockets': close('maxIdle', 'max-free-sockets'),
  'max-sockets': close('maxIdle', 'max-sockets'),
  'keep-alive-hint': close('idleTimeout', 'keep-alive-hint'),
  'keep-socket-alive': close('other', 'keep-socket-alive'),
};

/**
 * Why an agent's socket closed. The side (who sent the first FIN) is not decided here: core reads it at
 * the socket; a reason left undefined is derived there from the side.
 */
export function classifyClose(f: CloseFacts): ClassifiedClose {
  if (f.shutdown) return close('shutdown', 'agent-destroy');
  if (f.inUse) {
    if (f.responded) {
      // Closed after a complete response without 'free' (lib/_http_client.js responseOnEnd: a request that
      // is not keep-alive is destroySoon()ed instead of freed).
      return f.clientAskedClose ? FATES['client-close'] : FATES['connection-close'];
    }
    const reset = f.errorCode !== undefined && RESET.has(f.errorCode);
    if ((f.reusedSocket || f.uses > 1) && (f.peerEnded || reset)) {
      // A request written onto a socket the server was closing: "socket hang up" or ECONNRESET on a reused
      // socket, nodejs/node#47130 and #52649.
      return close('remote', 'keep-alive-race', true);
    }
    if (f.peerEnded) return close('remote', 'server-hang-up');
    if (reset) return close('remote', 'server-reset');
    if (f.errorCode !== undefined) return close('error', f.errorCode);
    // The application aborted the request, or its own timeout destroyed it.
    return close('other', 'request-aborted');
  }
  if (f.fate !== 'none') return FATES[f.fate];
  if (f.idle) {
    if (f.timedOut)
      return close('idleTimeout', f.hintTimeout ? 'keep-alive-hint-timeout' : 'free-socket-timeout');
    if (f.errorCode !== undefined) {
      return RESET.has(f.errorCode) ? close('remote', 'server-reset') : close('error', f.errorCode);
    }
    // Nothing of the agent's own destroyed it: the server ended the idle socket. Node 24 destroys a free
    // socket on the EOF before 'end' is emitted (lib/_http_agent.js freeSocketOnReadGuard), so the FIN is
    // not always seen as such.
    return close('remote', 'server-idle-close');
  }
  if (f.errorCode !== undefined) return close('error', f.errorCode);
  return close(undefined, undefined);
}
