import type { CloseReason } from '@poolaudit/core';

/** What the adapter saw on one connection, enough to tell why undici closed it. */
export interface ClosedConnectionFacts {
  /** The last error the socket emitted: undici destroys it with the cause (`util.destroy(socket, err)`). */
  readonly lastError: { readonly code?: unknown; readonly message?: unknown } | undefined;
  /** The last response said `Connection: close`. */
  readonly connectionClose: boolean;
  /** The server's keep-alive hint, less undici's threshold, left no time: undici closes after the response. */
  readonly hintReset: boolean;
  /** The last request was a `HEAD` (undici closes after every `HEAD`, client-h1.js `writeH1`). */
  readonly head: boolean;
  /** Requests sent on the connection. */
  readonly requests: number;
}

/** The dispatcher-wide facts the classification needs. */
export interface DispatcherFacts {
  /** `pipelining: 0`: undici asks for `Connection: close` on every request. */
  readonly keepAliveDisabled: boolean;
  readonly maxRequestsPerClient: number | null;
  readonly clientTtl: boolean;
  /** The audited dispatcher itself was closed or destroyed. */
  readonly shuttingDown: boolean;
}

/** A close reason and the finer detail core records next to it. */
export interface ClassifiedClose {
  readonly reason: CloseReason | undefined;
  readonly detail: string | undefined;
}

const DERIVE: ClassifiedClose = { reason: undefined, detail: undefined };
/** undici's message for a GOAWAY, with the HTTP/2 error code (0 NO_ERROR, 11 ENHANCE_YOUR_CALM, …). */
const GOAWAY = /^HTTP\/2: "GOAWAY" frame received with code (\d+)/;

/**
 * Why undici closed a connection, from the error it destroyed the socket with (the same error its
 * `'disconnect'` event carries: lib/dispatcher/client-h1.js `onHttpSocketClose`) and what the last response
 * said. The side (who sent the first FIN) is not decided here: core reads it at the socket.
 *
 * `UND_ERR_INFO` "reset" is the same error whether the server answered `Connection: close` (it closes
 * first) or its keep-alive hint left no time (undici closes first), so the responses tell them apart.
 */
export function classifyClose(conn: ClosedConnectionFacts, dispatcher: DispatcherFacts): ClassifiedClose {
  const err = conn.lastError;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : '';
  if (code === 'UND_ERR_INFO') {
    if (message === 'socket idle timeout') return { reason: 'idleTimeout', detail: 'keep-alive-timeout' };
    if (message === 'reset') return afterResponse(conn, dispatcher);
    return { reason: 'other', detail: message || 'info' };
  }
  if (code === 'UND_ERR_SOCKET' && message === 'other side closed') {
    return { reason: 'remote', detail: 'server-hang-up' };
  }
  // HTTP/2: the server sent GOAWAY (Node's session.close() and destroy() both do) and closes the
  // connection first; undici destroys the socket at once (lib/dispatcher/client-h2.js onHttp2SessionGoAway).
  const goaway = code === 'UND_ERR_SOCKET' ? GOAWAY.exec(message) : null;
  if (goaway !== null) {
    return { reason: 'remote', detail: goaway[1] === '0' ? 'goaway' : `goaway-${goaway[1] ?? ''}` };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return { reason: 'remote', detail: 'server-reset' };
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') {
    // A Pool retires clients older than `clientTtl` with client.close() (lib/dispatcher/pool.js).
    if (!dispatcher.shuttingDown && dispatcher.clientTtl)
      return { reason: 'maxLifetime', detail: 'client-ttl' };
    return { reason: 'shutdown', detail: undefined };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { reason: 'error', detail: 'headers-timeout' };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { reason: 'error', detail: 'body-timeout' };
  if (err !== undefined) return { reason: 'error', detail: code ?? 'error' };
  // No error: a server that said it would close did (undici then ends the message without one).
  if (conn.connectionClose) return afterResponse(conn, dispatcher);
  if (dispatcher.shuttingDown) return { reason: 'shutdown', detail: undefined };
  return DERIVE;
}

/** undici closed (or let the server close) after a complete response: why it did not keep the connection. */
function afterResponse(conn: ClosedConnectionFacts, dispatcher: DispatcherFacts): ClassifiedClose {
  if (conn.connectionClose) {
    // The server closes after a `Connection: close` response: its FIN may still be unread when undici
    // destroys the socket, so the reason says `remote` and core settles the side at the socket.
    if (dispatcher.keepAliveDisabled) return { reason: 'remote', detail: 'keep-alive-disabled' };
    if (conn.head) return { reason: 'remote', detail: 'head-request' };
    return { reason: 'remote', detail: 'connection-close' };
  }
  if (dispatcher.keepAliveDisabled) return { reason: 'other', detail: 'keep-alive-disabled' };
  if (conn.hintReset) return { reason: 'idleTimeout', detail: 'keep-alive-hint' };
  const max = dispatcher.maxRequestsPerClient;
  if (max !== null && conn.requests >= max) return { reason: 'maxLifetime', detail: 'max-requests' };
  if (conn.head) return { reason: 'other', detail: 'head-request' };
  return { reason: 'other', detail: 'reset' };
}
