import type { HttpSocket, RequestLike } from './agent-shape.js';
import { classifyClose } from './close-cause.js';
import type { FreeFate } from './close-cause.js';
import type { Destination } from './destination.js';

const connections = new WeakMap<HttpSocket, SocketConnection>();

// Module-level socket listeners (`this` is the socket): attaching them allocates no closure per socket.
function onConnected(this: HttpSocket): void {
  connections.get(this)?.guard(connected);
}
function onFree(this: HttpSocket): void {
  connections.get(this)?.guard(freed);
}
function onTimeout(this: HttpSocket): void {
  const conn = connections.get(this);
  if (conn?.idle === true) conn.timedOut = true;
}
function onAgentRemove(this: HttpSocket): void {
  connections.get(this)?.guard(removed);
}
function onClose(this: HttpSocket): void {
  connections.get(this)?.guard(closed);
}

const connected = (c: SocketConnection): void => c.connected();
const freed = (c: SocketConnection): void => c.freed();
const removed = (c: SocketConnection): void => c.removed();
const closed = (c: SocketConnection): void => c.socketClosed();

/** The connection a tracked socket belongs to. */
export function connectionOf(socket: HttpSocket): SocketConnection | undefined {
  return connections.get(socket);
}

/**
 * One socket of an audited agent, from `createConnection()` to its `'close'`, and the probe calls it makes.
 * Requests acquire it (`addRequest` → a new or reused socket, or a queued request served on `'free'`) and
 * release it on `'free'`; why it closed is read from what the agent did with it (lib/_http_agent.js).
 */
export class SocketConnection {
  opened = false;
  inUse = false;
  idle = false;
  uses = 0;
  fate: FreeFate = 'none';
  timedOut = false;
  hintTimeout = false;
  shutdown = false;
  idleSince = 0;
  /** When the request waiting for this (still connecting) socket started; -1 when none waits. */
  pendingAcquireAt = -1;
  pendingQueued = false;
  private watching = true;

  constructor(
    readonly destination: Destination,
    readonly socket: HttpSocket,
    /** The agent's key for the destination (`agent.getName()`). */
    readonly name: string,
    /** When its connect started (probe clock); -1 for a socket adopted without one (no connect time). */
    private readonly connectStartedAt: number,
  ) {}

  /** Starts following the socket. A socket that is already connected is opened at once. */
  watch(): void {
    const s = this.socket;
    connections.set(s, this);
    s.prependListener('free', onFree);
    s.prependListener('timeout', onTimeout);
    s.prependListener('agentRemove', onAgentRemove);
    s.prependListener('close', onClose);
    if (s.connecting) s.once(s.encrypted === true ? 'secureConnect' : 'connect', onConnected);
    else this.connected();
  }

  unwatch(): void {
    if (!this.watching) return;
    this.watching = false;
    const s = this.socket;
    connections.delete(s);
    s.removeListener('free', onFree);
    s.removeListener('timeout', onTimeout);
    s.removeListener('agentRemove', onAgentRemove);
    s.removeListener('close', onClose);
    s.removeListener('connect', onConnected);
    s.removeListener('secureConnect', onConnected);
  }

  guard(step: (c: SocketConnection) => void): void {
    try {
      step(this);
    } catch (err) {
      this.destination.fail(err);
    }
  }

  /** The socket connected (TLS: finished its handshake): the connection opens, with its connect time. */
  connected(): void {
    if (this.opened) return;
    this.opened = true;
    const probe = this.destination.probe;
    probe.opened(
      this,
      this.connectStartedAt < 0
        ? { socket: this.socket }
        : { socket: this.socket, connectStartedAt: this.connectStartedAt },
    );
    // Core prepended its own 'close' listener just now: ours goes in front again, so that core hears the
    // reason before it settles the side at the same 'close'.
    this.socket.removeListener('close', onClose);
    this.socket.prependListener('close', onClose);
    if (this.pendingAcquireAt >= 0) {
      probe.acquired(this, this.pendingAcquireAt, this.pendingQueued);
      this.pendingAcquireAt = -1;
      this.inUse = true;
      this.uses++;
    }
  }

  /** A request got this socket (new, reused, or handed over on 'free'). */
  acquire(startedAt: number, queued: boolean): void {
    this.idle = false;
    this.fate = 'none';
    if (!this.opened) {
      this.pendingAcquireAt = startedAt;
      this.pendingQueued = queued;
      return;
    }
    this.destination.probe.acquired(this, startedAt, queued);
    this.inUse = true;
    this.uses++;
  }

  /**
   * `keepSocketAlive()` answered: the socket is now free (idle), or about to be destroyed. `hintMs` is the
   * server's `Keep-Alive: timeout=` hint (ms, -1 without one); Node refuses the socket when the hint less
   * `bufferMs` leaves no time, and otherwise lowers the socket's timeout to it when that is shorter
   * (lib/_http_agent.js v20 lines 474-508).
   */
  keptAlive(kept: boolean, hintMs: number, bufferMs: number, agentTimeoutMs: number): void {
    if (!kept) {
      const byHint = hintMs >= 0 && hintMs - bufferMs <= 0;
      this.fate = byHint ? 'keep-alive-hint' : 'keep-socket-alive';
      if (byHint) this.destination.probe.count('keep-alive-hint-close');
      return;
    }
    this.fate = 'none';
    this.idle = true;
    this.idleSince = this.destination.probe.now();
    const timeout = this.socket.timeout;
    this.hintTimeout =
      hintMs >= 0 &&
      typeof timeout === 'number' &&
      timeout > 0 &&
      (agentTimeoutMs <= 0 || timeout < agentTimeoutMs);
  }

  /**
   * The request finished with the socket (`'free'`, emitted before the agent's own handler runs): release
   * it, and note what the agent is about to do with it, in the order of its 'free' handler
   * (lib/_http_agent.js v20 lines 125-170).
   */
  freed(): void {
    const d = this.destination;
    if (this.inUse) {
      this.inUse = false;
      d.probe.released(this);
    }
    const s = this.socket;
    if (!s.writable) {
      this.fate = 'not-writable';
      return;
    }
    const agent = d.agent;
    const queue = agent?.requests[this.name];
    const next = queue?.[0];
    if (next !== undefined) {
      this.acquire(d.takeQueued(next), true);
      return;
    }
    if (agent === undefined) return;
    const req = s._httpMessage;
    if (req == null || req.shouldKeepAlive !== true) {
      this.fate = d.clientAsksClose(req) ? 'client-close' : 'connection-close';
      return;
    }
    if (!agent.keepAlive) {
      this.fate = 'keep-alive-disabled';
      return;
    }
    const freeLen = agent.freeSockets[this.name]?.length ?? 0;
    const count = freeLen + (agent.sockets[this.name]?.length ?? 0);
    if ((agent.totalSocketCount ?? 0) > (agent.maxTotalSockets ?? Infinity) || count > agent.maxSockets) {
      this.fate = 'max-sockets';
    } else if (freeLen >= agent.maxFreeSockets) {
      this.fate = 'max-free-sockets';
    }
    // Otherwise keepSocketAlive() decides, and says so through keptAlive().
  }

  /** The socket left the agent (`'agentRemove'`: an upgrade or CONNECT took it over). */
  removed(): void {
    if (this.socket.destroyed) return;
    this.unwatch();
    this.destination.forget(this);
    if (this.opened) this.destination.probe.closed(this, 'other', 'upgrade');
  }

  socketClosed(): void {
    const d = this.destination;
    this.unwatch();
    d.forget(this);
    if (!this.opened) {
      // It never connected: the acquire that waited for it failed.
      if (this.pendingAcquireAt >= 0) d.probe.acquireFailed(this.pendingAcquireAt, this.pendingQueued, false);
      d.probe.connectFailed({ endpoint: d.endpoint, error: this.socket.errored });
      return;
    }
    const s = this.socket;
    const req: RequestLike | null | undefined = s._httpMessage;
    const err = s.errored as { code?: unknown } | null;
    const verdict = classifyClose({
      fate: this.fate,
      inUse: this.inUse,
      idle: this.idle,
      timedOut: this.timedOut,
      hintTimeout: this.hintTimeout,
      shutdown: this.shutdown,
      uses: this.uses,
      reusedSocket: req?.reusedSocket === true,
      responded: req?.res?.complete === true,
      clientAskedClose: d.clientAsksClose(req),
      peerEnded: s.readableEnded,
      errorCode: typeof err?.code === 'string' ? err.code : undefined,
    });
    const now = d.probe.now();
    // Counted only when the client did not ask for it itself (core's http-connection-close reads this).
    if (verdict.detail === 'connection-close') d.probe.count('connection-close-response');
    if (verdict.race) d.raced(now - this.idleSince);
    else if (verdict.detail === 'server-idle-close') d.serverClosedIdle(now - this.idleSince);
    d.probe.closed(this, verdict.reason, verdict.detail);
  }
}
