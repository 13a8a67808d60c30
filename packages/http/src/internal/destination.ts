import type { PoolProbe } from '@poolaudit/core';
import type { AgentInternals, RequestLike } from './agent-shape.js';
import type { SocketConnection } from './socket-connection.js';

/** What a destination needs from the audit of the agent it belongs to. */
export interface DestinationHost {
  /** The agent, while it lives (held weakly: an agent created per request must stay collectable). */
  agent(): AgentInternals | undefined;
  fail(err: unknown): void;
}

/**
 * The audited pool of one destination of an agent (`<protocol>//<host>:<port>`): a core registration,
 * the agent's keys (`getName()`) that lead there, and the sockets open toward it.
 */
export class Destination {
  private readonly names = new Set<string>();
  private readonly live = new Set<SocketConnection>();
  /** When each queued request began waiting (only requests that had to queue are held, weakly). */
  private readonly queuedAt = new WeakMap<RequestLike, number>();
  private serverIdleMs = Infinity;
  private raceIdleMs = Infinity;
  private hintMs = -1;

  constructor(
    readonly probe: PoolProbe,
    private readonly host: DestinationHost,
    /** The `host:port` its sockets connect to; null over a unix socket. */
    readonly endpoint: string | null,
  ) {}

  get agent(): AgentInternals | undefined {
    return this.host.agent();
  }

  addName(name: string): void {
    this.names.add(name);
  }

  track(conn: SocketConnection): void {
    this.live.add(conn);
  }

  forget(conn: SocketConnection): void {
    this.live.delete(conn);
  }

  connections(): IterableIterator<SocketConnection> {
    return this.live.values();
  }

  /** A request had to wait in `agent.requests`. */
  queued(req: RequestLike, startedAt: number): void {
    this.queuedAt.set(req, startedAt);
  }

  /** The queued request `req` is served now: when it began waiting. */
  takeQueued(req: RequestLike): number {
    const startedAt = this.queuedAt.get(req);
    if (startedAt === undefined) return this.probe.now();
    this.queuedAt.delete(req);
    return startedAt;
  }

  /** Requests waiting for a socket to this destination, read from the agent itself. */
  pending(): number {
    const agent = this.host.agent();
    if (agent === undefined) return Number.NaN;
    let n = 0;
    for (const name of this.names) n += agent.requests[name]?.length ?? 0;
    return n;
  }

  /**
   * Whether the client itself asked for `Connection: close`: a header the application set, or an agent
   * without keepAlive and with maxSockets Infinity (lib/_http_client.js, the ClientRequest constructor).
   */
  clientAsksClose(req: RequestLike | null | undefined): boolean {
    const header = req?.getHeader?.('connection');
    if (typeof header === 'string' && header.toLowerCase() === 'close') return true;
    const agent = this.host.agent();
    return agent !== undefined && !agent.keepAlive && !Number.isFinite(agent.maxSockets);
  }

  /** The server ended an idle socket after `idleMs`: the shortest such idle time estimates its timeout. */
  serverClosedIdle(idleMs: number): void {
    const ms = Math.floor(idleMs / 100) * 100;
    if (ms <= 0 || ms >= this.serverIdleMs) return;
    this.serverIdleMs = ms;
    this.probe.annotate('serverIdleTimeoutMs', ms);
  }

  /** A request raced the server's close on a socket that had been idle about `idleMs`. */
  raced(idleMs: number): void {
    this.probe.count('keep-alive-race');
    const ms = Math.floor(idleMs / 100) * 100;
    if (ms <= 0 || ms >= this.raceIdleMs) return;
    this.raceIdleMs = ms;
    this.probe.annotate('keepAliveRaceIdleMs', ms);
  }

  /** The server announced `Keep-Alive: timeout=<s>`. */
  hinted(ms: number, bufferMs: number): void {
    if (ms === this.hintMs) return;
    this.hintMs = ms;
    this.probe.annotate('serverKeepAliveTimeoutMs', ms);
    this.probe.annotate('keepAliveTimeoutThresholdMs', bufferMs);
  }

  fail(err: unknown): void {
    this.host.fail(err);
  }

  /** Stops following every socket and leaves the auditor. */
  detach(): void {
    for (const conn of this.live) conn.unwatch();
    this.live.clear();
    this.probe.unregister();
  }
}
