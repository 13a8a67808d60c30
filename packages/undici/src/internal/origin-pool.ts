import type { Socket } from 'node:net';
import type { PoolProbe } from '@poolaudit/core';
import type { UndiciConfig } from '../types.js';
import { trackSocket, untrackSocket } from './channel-hub.js';
import type { TrackedSocket } from './channel-hub.js';
import { classifyClose } from './close-reason.js';
import type { ClosedConnectionFacts, DispatcherFacts } from './close-reason.js';
import { readResponseHeaders } from './response-headers.js';
import type { ResponseVerdict } from './response-headers.js';

/** What an origin's pool needs from the audit of the dispatcher it belongs to. */
export interface OriginHost {
  dispatcherFacts(): DispatcherFacts;
  fail(err: unknown): void;
}

const sockets = new WeakMap<Socket, Connection>();

// Module-level socket listeners (`this` is the socket): attaching them allocates no closure per connection.
function onSocketError(this: Socket, err: unknown): void {
  const conn = sockets.get(this);
  if (conn !== undefined) conn.lastError = err as Connection['lastError'];
}
function onSocketClose(this: Socket): void {
  const conn = sockets.get(this);
  if (conn === undefined) return;
  try {
    conn.socketClosed();
  } catch (err) {
    conn.fail(err);
  }
}

/** One undici connection (one socket of one `Client`), and the probe calls it makes. */
class Connection implements TrackedSocket, ClosedConnectionFacts {
  running = 0;
  requests = 0;
  head = false;
  connectionClose = false;
  hintReset = false;
  lastError: { readonly code?: unknown; readonly message?: unknown } | undefined = undefined;
  private readonly verdict: ResponseVerdict = { connectionClose: false, keepAliveHintMs: -1 };

  constructor(
    readonly pool: OriginPool,
    readonly socket: Socket,
  ) {}

  watch(): void {
    sockets.set(this.socket, this);
    trackSocket(this.socket, this);
    this.socket.on('error', onSocketError);
    // Prepended after core's own listeners: this runs first, so core hears the reason before it settles
    // the side at the same 'close' (and before undici's 'disconnect', emitted from its own listener).
    this.socket.prependListener('close', onSocketClose);
  }

  unwatch(): void {
    sockets.delete(this.socket);
    untrackSocket(this.socket);
    this.socket.removeListener('error', onSocketError);
    this.socket.removeListener('close', onSocketClose);
  }

  requestSent(request: object): void {
    this.requests++;
    this.head = (request as { method?: unknown }).method === 'HEAD';
    this.running++;
    // Every request run on a connection is one use of it: requests per connection = acquired / created.
    const probe = this.pool.probe;
    probe.acquired(this, probe.acquireStart(), false);
  }

  responseHeaders(headers: unknown): void {
    readResponseHeaders(headers, this.verdict);
    this.connectionClose = this.verdict.connectionClose;
    this.hintReset = false;
    if (this.verdict.connectionClose) {
      if (!this.pool.keepAliveDisabled && !this.head) this.pool.probe.count('connection-close-response');
      return;
    }
    const hint = this.verdict.keepAliveHintMs;
    if (hint < 0) return;
    // undici lib/dispatcher/client-h1.js onHeadersComplete: min(hint − threshold, keepAliveMaxTimeout),
    // and a result ≤ 0 closes the connection after this response.
    const k = this.pool.keepAlive;
    const effective = Math.min(hint - k.thresholdMs, k.maxTimeoutMs);
    this.hintReset = effective <= 0;
    if (effective < k.timeoutMs) this.pool.serverHint(hint);
  }

  requestDone(request: object): void {
    if (this.running > 0 && --this.running === 0) this.pool.probe.released(this);
    const r = request as { upgrade?: unknown; method?: unknown };
    // An upgraded socket (or a CONNECT tunnel) leaves undici: it is the application's from now on.
    if ((r.upgrade !== null && r.upgrade !== undefined && r.upgrade !== false) || r.method === 'CONNECT') {
      this.pool.forget(this);
      this.pool.probe.closed(this, 'other', 'upgrade');
    }
  }

  socketClosed(): void {
    this.pool.forget(this);
    const { reason, detail } = classifyClose(this, this.pool.host.dispatcherFacts());
    if (detail === 'keep-alive-hint') this.pool.probe.count('keep-alive-hint-close');
    this.pool.probe.closed(this, reason, detail);
    this.pool.endIfShutDown();
  }

  fail(err: unknown): void {
    this.pool.host.fail(err);
  }
}

/** The audited pool of one origin: a core registration and the connections open toward it. */
export class OriginPool {
  /** The dispatcher that serves this origin now (an Agent replaces it after dropping an idle origin). */
  dispatcher: object;
  private readonly live = new Set<Connection>();
  private hintAnnotated = -1;

  constructor(
    readonly probe: PoolProbe,
    readonly keepAlive: UndiciConfig['keepAlive'],
    readonly host: OriginHost,
    dispatcher: object,
  ) {
    this.dispatcher = dispatcher;
  }

  get keepAliveDisabled(): boolean {
    return this.keepAlive.pipelining === 0;
  }

  /** undici connected a socket for this origin. */
  connected(socket: Socket): void {
    const conn = new Connection(this, socket);
    this.probe.opened(conn, { socket });
    this.live.add(conn);
    conn.watch();
  }

  /** The server's `Keep-Alive: timeout` hint lowered the client's keep-alive timeout. */
  serverHint(ms: number): void {
    if (ms === this.hintAnnotated) return;
    this.hintAnnotated = ms;
    this.probe.annotate('serverKeepAliveTimeoutMs', ms);
  }

  /** Requests waiting for a socket, from undici's own stats (NaN when this undici has none). */
  pending(): number {
    const stats = (this.dispatcher as { stats?: { pending?: unknown } }).stats;
    return typeof stats?.pending === 'number' ? stats.pending : Number.NaN;
  }

  /**
   * The dispatcher was closed or destroyed and its last connection toward this origin has closed: the pool
   * leaves its record now (which retires after the TIME_WAIT window) rather than when it is collected.
   */
  endIfShutDown(): void {
    if (this.live.size !== 0) return;
    const d = this.dispatcher as { closed?: unknown; destroyed?: unknown };
    if (d.closed === true || d.destroyed === true) this.probe.ended();
  }

  forget(conn: Connection): void {
    conn.unwatch();
    this.live.delete(conn);
  }

  /** Stops following every connection and leaves the auditor. */
  detach(): void {
    for (const conn of this.live) conn.unwatch();
    this.live.clear();
    this.probe.unregister();
  }
}
