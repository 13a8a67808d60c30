import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { wrapInstanceMethod } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';

/** Published by Node's http server when a response has been sent (Node ≥ 16.18). */
const FINISH_CHANNEL = 'http.server.response.finish';

/** Why the next close of a connection happens, as the server decided it. */
interface Intent {
  readonly reason: CloseReason;
  readonly detail: string;
}

/** One accepted connection. */
interface Accepted {
  readonly watch: ServerWatch;
  /** Requests whose response is not sent yet. */
  inFlight: number;
  intent: Intent | null;
}

const accepted = new WeakMap<Socket, Accepted>();
/** The audited servers, for the finish channel (one subscription for all of them). */
const watches = new Map<object, ServerWatch>();

function onFinish(message: unknown): void {
  const { server, request, response } = (message ?? {}) as {
    server?: object;
    request?: IncomingMessage;
    response?: ServerResponse;
  };
  if (server === undefined || request === undefined || response === undefined) return;
  watches.get(server)?.finished(request, response);
}

function onTimeout(this: Socket): void {
  const conn = accepted.get(this);
  // After Node's own listener: it destroyed the socket unless someone handled the timeout.
  if (conn === undefined || !this.destroyed || conn.intent !== null) return;
  if (conn.inFlight > 0) {
    conn.intent = { reason: 'other', detail: 'timeout' };
    return;
  }
  conn.intent = { reason: 'idleTimeout', detail: 'keepAliveTimeout' };
  conn.watch.idleClosed();
}

function onClose(this: Socket, hadError: boolean): void {
  const conn = accepted.get(this);
  if (conn === undefined) return;
  accepted.delete(this);
  this.removeListener('timeout', onTimeout);
  conn.watch.closed(this, conn, hadError);
}

/** The methods that end connections when the application shuts the server down. */
const CLOSING_METHODS = ['closeIdleConnections', 'closeAllConnections'] as const;

/**
 * Watches one `http.Server` (or `https.Server`): each accepted connection (`connection`, or
 * `secureConnection` for TLS, where the TLS socket is the one whose events tell who closed) is a connection of
 * the probe; a request makes it in use until its response is sent (Node's `http.server.response.finish`
 * channel). Hooks: the server's `emit` (its events are seen without a listener: the application's listener
 * counts stay the same), `closeIdleConnections` and `closeAllConnections`; on each socket a `timeout` and a
 * `close` listener.
 */
export class ServerWatch {
  private readonly restores: (() => void)[] = [];
  private readonly live = new Set<Socket>();
  private attached = false;
  private keepAliveNoted: number | undefined;

  constructor(
    private readonly server: Server,
    private readonly probe: PoolProbe,
    private readonly tls: boolean,
    private readonly listening: () => void,
    private readonly failed: (err: unknown) => void,
  ) {}

  attach(): void {
    const connectionEvent = this.tls ? 'secureConnection' : 'connection';
    const seen = (event: string, args: readonly unknown[]): void => {
      if (event === connectionEvent) this.connected(args[0] as Socket);
      else if (event === 'request') this.requested(args[0] as IncomingMessage);
      else if (event === 'listening') this.listening();
    };
    this.restores.push(
      wrapInstanceMethod(this.server, 'emit', (original) => {
        const emitted: (this: Server, event: string, ...args: unknown[]) => boolean = original;
        return function emit(this: Server, event: string, ...args: unknown[]): boolean {
          const listened = emitted.call(this, event, ...args);
          seen(event, args);
          return listened;
        };
      }),
    );
    for (const method of CLOSING_METHODS) {
      if (typeof this.server[method] !== 'function') continue;
      const closing = (): void => this.closing(method);
      this.restores.push(
        wrapInstanceMethod(
          this.server,
          method,
          (original) =>
            function close(this: Server): void {
              original.call(this);
              closing();
            },
        ),
      );
    }
    if (watches.size === 0) diagnosticsChannel.subscribe(FINISH_CHANNEL, onFinish);
    watches.set(this.server, this);
    this.attached = true;
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const restore of this.restores.splice(0).reverse()) restore();
    watches.delete(this.server);
    if (watches.size === 0) diagnosticsChannel.unsubscribe(FINISH_CHANNEL, onFinish);
    for (const socket of this.live) {
      accepted.delete(socket);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('close', onClose);
    }
    this.live.clear();
  }

  private connected(socket: Socket): Accepted | undefined {
    if (!this.attached || accepted.has(socket) || socket.destroyed) return accepted.get(socket);
    try {
      const conn: Accepted = { watch: this, inFlight: 0, intent: null };
      accepted.set(socket, conn);
      this.live.add(socket);
      this.probe.opened(socket, { socket });
      // After Node's own 'timeout' listener (added when it took the connection): ours reads what it did.
      socket.on('timeout', onTimeout);
      // Before the probe's own close watch: ours names the reason, the probe then reads the side.
      socket.prependListener('close', onClose);
      return conn;
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  private requested(req: IncomingMessage): void {
    if (!this.attached) return;
    try {
      const socket = req.socket;
      // A connection accepted before the audit is adopted at its first request.
      const conn = accepted.get(socket) ?? this.connected(socket);
      if (conn === undefined) return;
      if (conn.inFlight++ === 0) this.probe.acquired(socket, this.probe.now(), false);
      else this.probe.used(socket);
      if (asksToClose(req)) this.probe.count('client-connection-close');
    } catch (err) {
      this.failed(err);
    }
  }

  /** A response was sent: Node has decided whether the connection stays open (`_last`: it closes now). */
  finished(req: IncomingMessage, res: ServerResponse): void {
    if (!this.attached) return;
    try {
      const socket = req.socket;
      const conn = accepted.get(socket);
      if (conn === undefined || conn.inFlight === 0) return;
      if (--conn.inFlight === 0) this.probe.released(socket);
      if (conn.intent !== null) return;
      if ((res as { maxRequestsOnConnectionReached?: boolean }).maxRequestsOnConnectionReached === true) {
        // The response said Connection: close; Node leaves the close to the client (a further request gets 503).
        conn.intent = { reason: 'maxLifetime', detail: 'maxRequestsPerSocket' };
        this.probe.count('max-requests-per-socket');
        this.probe.count('server-connection-close');
        return;
      }
      // `_last`: Node closes the connection now that the response is sent.
      if ((res as { _last?: boolean })._last !== true) return;
      if (asksToClose(req)) {
        conn.intent = { reason: 'other', detail: 'client-connection-close' };
      } else {
        conn.intent = { reason: 'other', detail: 'connection-close' };
        this.probe.count('server-connection-close');
      }
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * The server closed a connection idle for `keepAliveTimeout`: the value in force is noted (the application
   * may have set it after the audit began), for the findings to name.
   */
  idleClosed(): void {
    const value = this.server.keepAliveTimeout;
    if (value === this.keepAliveNoted) return;
    this.keepAliveNoted = value;
    this.probe.annotate('keepAliveTimeoutMs', value);
  }

  /** `closeIdleConnections()` / `closeAllConnections()` destroyed sockets: those closes are a shutdown. */
  private closing(method: string): void {
    if (!this.attached) return;
    for (const socket of this.live) {
      const conn = accepted.get(socket);
      if (conn !== undefined && conn.intent === null && socket.destroyed) {
        conn.intent = { reason: 'shutdown', detail: method };
      }
    }
  }

  closed(socket: Socket, conn: Accepted, hadError: boolean): void {
    this.live.delete(socket);
    try {
      const intent = conn.intent;
      if (intent !== null) {
        this.probe.closed(socket, intent.reason, intent.detail);
        return;
      }
      const code = (socket.errored as { code?: unknown } | null)?.code;
      if (hadError && !socket.readableEnded) {
        // headersTimeout/requestTimeout (ERR_HTTP_REQUEST_TIMEOUT), a parse error, a reset.
        this.probe.closed(socket, 'error', typeof code === 'string' ? code : undefined);
        return;
      }
      // Nobody here asked for it: the probe reads the side (the client's FIN → remote).
      this.probe.closed(socket);
    } catch (err) {
      this.failed(err);
    }
  }
}

/** The client asked to close after this request: `Connection: close`, or HTTP/1.0 without keep-alive. */
function asksToClose(req: IncomingMessage): boolean {
  const connection = req.headers.connection?.toLowerCase();
  if (connection === 'close') return true;
  return req.httpVersion === '1.0' && connection !== 'keep-alive';
}
