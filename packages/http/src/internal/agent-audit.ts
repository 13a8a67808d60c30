import { isIPv6 } from 'node:net';
import { endpointKey, reportAuditFailure, wrapMethodOf } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { httpAgentLintRules, httpAgentOptionSchema } from '../lint-rules.js';
import { readHttpAgentConfig } from '../read-config.js';
import type { HttpAgentConfig } from '../types.js';
import { isSocket } from './agent-shape.js';
import type { AgentInternals, ConnectionOptions, HttpSocket, RequestLike } from './agent-shape.js';
import { Destination } from './destination.js';
import type { DestinationHost } from './destination.js';
import { SocketConnection, connectionOf } from './socket-connection.js';

const HINT = /^timeout=(\d+)/;

/**
 * Everything attached to one audited agent, and how to take it off again: five methods wrapped on the
 * instance (`addRequest`, `createConnection`, `reuseSocket`, `keepSocketAlive`, `destroy`), listeners on
 * the sockets it creates, one core registration per destination.
 */
export class AgentAudit implements DestinationHost {
  active = true;
  private readonly ref: WeakRef<AgentInternals>;
  private readonly parsed: HttpAgentConfig;
  private readonly byName = new Map<string, Destination>();
  private readonly byLabel = new Map<string, Destination>();
  private readonly undo: (() => void)[] = [];
  /** While `addRequest` runs: the socket the request got synchronously (a new or a reused one). */
  private assigned: SocketConnection | null = null;
  private inAddRequest = false;
  /** The last `Keep-Alive` header seen and its hint (ms): servers repeat the same one on every response. */
  private lastHintHeader: string | undefined = undefined;
  private lastHintMs = -1;

  constructor(
    agent: AgentInternals,
    private name: string,
    readonly auditor: Auditor,
    private readonly onDetach: (audit: AgentAudit) => void,
  ) {
    this.ref = new WeakRef(agent);
    this.parsed = readHttpAgentConfig({ ...agent.options, keepAlive: agent.keepAlive });
    this.undo.push(...wrapAgent(this, agent));
    this.adopt(agent);
  }

  /**
   * The sockets the agent holds already (an agent audited in use, or one the application used in the tick
   * it was created): followed from now on, in use when the agent has handed them to a request (`agent.sockets`), idle when free, without a
   * connect time. A socket whose destination cannot be read back is left alone.
   */
  private adopt(agent: AgentInternals): void {
    const lists: [Record<string, HttpSocket[] | undefined>, boolean][] = [
      [agent.sockets, true],
      [agent.freeSockets, false],
    ];
    for (const [byName, inUse] of lists) {
      for (const name of Object.keys(byName)) {
        for (const socket of byName[name] ?? []) {
          if (!isSocket(socket) || connectionOf(socket) !== undefined || socket.destroyed) continue;
          const options = adoptedOptions(name, socket);
          if (options === undefined) continue;
          const destination = this.destination(agent, name, options);
          const conn = new SocketConnection(destination, socket, name, -1);
          destination.track(conn);
          conn.watch();
          if (inUse) conn.acquire(destination.probe.now(), false);
        }
      }
    }
  }

  agent(): AgentInternals | undefined {
    return this.ref.deref();
  }

  /** `addRequest` starts (true) or returns (false): sockets created or reused meanwhile are the request's. */
  addingRequest(running: boolean): void {
    if (running) this.assigned = null;
    this.inAddRequest = running;
  }

  requestAdded(agent: AgentInternals, req: RequestLike): void {
    const conn = this.assigned;
    this.assigned = null;
    try {
      if (conn !== null) {
        conn.acquire(conn.destination.probe.now(), false);
        return;
      }
      // Neither reused nor newly created: the request waits in agent.requests (or the agent's own
      // createConnection answers later, through its callback, and the socket is not followed).
      for (const name of Object.keys(agent.requests)) {
        const queue = agent.requests[name];
        if (queue?.[queue.length - 1] !== req) continue;
        const destination = this.byName.get(name);
        if (destination === undefined) return;
        destination.queued(req, destination.probe.acquireStart());
        return;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  created(agent: AgentInternals, options: unknown, socket: HttpSocket): void {
    try {
      const o = (typeof options === 'object' && options !== null ? options : {}) as ConnectionOptions;
      // createSocket() sets options._agentKey = getName(options) before it calls createConnection().
      const name = typeof o._agentKey === 'string' ? o._agentKey : agent.getName(o);
      const destination = this.destination(agent, name, o);
      const conn = new SocketConnection(destination, socket, name, destination.probe.now());
      destination.track(conn);
      conn.watch();
      if (this.inAddRequest) this.assigned = conn;
    } catch (err) {
      this.fail(err);
    }
  }

  reused(socket: HttpSocket): void {
    const conn = connectionOf(socket);
    if (conn === undefined) return;
    if (this.inAddRequest) this.assigned = conn;
    else conn.guard(acquireNow);
  }

  keptAlive(agent: AgentInternals, socket: HttpSocket, kept: boolean): void {
    const conn = connectionOf(socket);
    if (conn === undefined) return;
    try {
      const header = socket._httpMessage?.res?.headers?.['keep-alive'];
      const hintMs = typeof header === 'string' ? this.hintOf(header) : -1;
      const bufferMs = this.parsed.keepAlive.hintBufferMs;
      if (hintMs >= 0) conn.destination.hinted(hintMs, bufferMs);
      const timeout = agent.options['timeout'];
      conn.keptAlive(kept, hintMs, bufferMs, typeof timeout === 'number' ? timeout : 0);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The hint (ms) in a `Keep-Alive: timeout=N` header, -1 without one; parsed once per distinct header. */
  private hintOf(header: string): number {
    if (header !== this.lastHintHeader) {
      const match = HINT.exec(header);
      this.lastHintHeader = header;
      this.lastHintMs = match === null ? -1 : Number(match[1]) * 1000;
    }
    return this.lastHintMs;
  }

  destroying(): void {
    for (const destination of this.byLabel.values()) {
      for (const conn of destination.connections()) conn.shutdown = true;
    }
  }

  /** The destination of agent key `name`, registered the first time the agent connects there. */
  private destination(agent: AgentInternals, name: string, options: ConnectionOptions): Destination {
    let destination = this.byName.get(name);
    if (destination !== undefined) return destination;
    const label = destinationLabel(agent, options);
    destination = this.byLabel.get(label);
    if (destination === undefined) {
      const created = this.register(agent, label, destinationEndpoint(agent, options));
      this.byLabel.set(label, created);
      destination = created;
    }
    destination.addName(name);
    this.byName.set(name, destination);
    return destination;
  }

  private register(agent: AgentInternals, label: string, endpoint: string | null): Destination {
    const { config, settings, keepAlive } = this.parsed;
    const weak: { ref?: WeakRef<Destination> } = {};
    const probe = this.auditor.register({
      name: `${this.name} ${label}`,
      kind: 'http-agent',
      config,
      rawConfig: rawConfigOf(agent),
      settings,
      // Read through a weak reference: the auditor outlives agents created per request.
      readPending: () => weak.ref?.deref()?.pending() ?? Number.NaN,
      lintRules: httpAgentLintRules,
      // The agent keeps the options it was given (`agent.options`), plus `path: null` of its own.
      optionCheck: { options: agent.options, schema: httpAgentOptionSchema, ignore: ['path'] },
    });
    const destination = new Destination(probe, this, endpoint);
    weak.ref = new WeakRef(destination);
    probe.annotate('protocol', 'http');
    probe.annotate('keepAliveTimeoutThresholdMs', keepAlive.hintBufferMs);
    probe.annotate('keepAliveTimeoutThresholdOption', 'agentKeepAliveTimeoutBuffer');
    return destination;
  }

  /** A second `auditAgent()` with another name: each destination's pool becomes `<name> <destination>`. */
  rename(name: string): void {
    this.name = name;
    for (const [label, destination] of this.byLabel) destination.probe.rename(`${name} ${label}`);
  }

  /** The name the audit was started (or last renamed) with. */
  get auditName(): string {
    return this.name;
  }

  fail(err: unknown): void {
    if (!this.active) return;
    this.detach();
    reportAuditFailure('http-agent', this.name, err);
  }

  detach(): void {
    if (!this.active) return;
    this.active = false;
    for (const undo of this.undo) undo();
    this.undo.length = 0;
    for (const destination of this.byLabel.values()) destination.detach();
    this.byLabel.clear();
    this.byName.clear();
    this.onDetach(this);
  }
}

/**
 * Hooks five methods for this one agent (`wrapMethodOf`: they dispatch from `http.Agent.prototype` or
 * `https.Agent.prototype`, so the agent gets no own property); returns the undo of each.
 * addRequest(req, options): the request takes a free socket (reuseSocket), a new one (createConnection),
 * or waits in agent.requests[name] (lib/_http_agent.js v20 lines 230-298).
 */
function wrapAgent(audit: AgentAudit, agent: AgentInternals): (() => void)[] {
  return [
    wrapMethodOf(
      agent,
      'addRequest',
      (original) =>
        function addRequest(this: AgentInternals, req, options, port, localAddress): void {
          if (!audit.active) {
            original.call(this, req, options, port, localAddress);
            return;
          }
          audit.addingRequest(true);
          try {
            original.call(this, req, options, port, localAddress);
          } finally {
            audit.addingRequest(false);
          }
          audit.requestAdded(this, req);
        },
    ),
    wrapMethodOf(
      agent,
      'createConnection',
      (original) =>
        function createConnection(this: AgentInternals, ...args: Parameters<typeof original>) {
          const socket = original.apply(this, args);
          if (audit.active && isSocket(socket)) audit.created(this, args[0], socket);
          return socket;
        },
    ),
    wrapMethodOf(
      agent,
      'reuseSocket',
      (original) =>
        function reuseSocket(this: AgentInternals, socket, req): void {
          original.call(this, socket, req);
          if (audit.active) audit.reused(socket);
        },
    ),
    wrapMethodOf(
      agent,
      'keepSocketAlive',
      (original) =>
        function keepSocketAlive(this: AgentInternals, socket): boolean {
          const kept = original.call(this, socket);
          if (audit.active) audit.keptAlive(this, socket, kept);
          return kept;
        },
    ),
    wrapMethodOf(
      agent,
      'destroy',
      (original) =>
        function destroy(this: AgentInternals): void {
          if (audit.active) audit.destroying();
          original.call(this);
        },
    ),
  ];
}

const acquireNow = (conn: SocketConnection): void => conn.acquire(conn.destination.probe.now(), false);

/**
 * The destination of a socket the audit did not see created, read back from the agent's key for it
 * (`getName()`: `<host>:<port>:<localAddress>…`, the host as given, an IPv6 one unbracketed), else from the
 * address the socket reached. Undefined when neither can be read (a unix socket still connecting).
 */
function adoptedOptions(name: string, socket: HttpSocket): ConnectionOptions | undefined {
  const portAfterHost = /:(\d+):/g;
  for (let m = portAfterHost.exec(name); m !== null; m = portAfterHost.exec(name)) {
    const host = name.slice(0, m.index);
    if (host !== '' && (!host.includes(':') || isIPv6(host))) return { host, port: Number(m[1]) };
    portAfterHost.lastIndex = m.index + 1;
  }
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined
    ? undefined
    : { host: remoteAddress, port: remotePort };
}

/** `http://host:port` (or `https://[::1]:443`, `http://unix:/path`), `from <localAddress>` when bound. */
export function destinationLabel(agent: AgentInternals, options: ConnectionOptions): string {
  const protocol = typeof agent.protocol === 'string' ? agent.protocol : 'http:';
  if (typeof options.socketPath === 'string') return `${protocol}//unix:${options.socketPath}`;
  const where = `${protocol}//${destinationEndpoint(agent, options) ?? ''}`;
  return typeof options.localAddress === 'string' ? `${where} from ${options.localAddress}` : where;
}

/** The `host:port` a destination's sockets connect to; null over a unix socket. */
function destinationEndpoint(agent: AgentInternals, options: ConnectionOptions): string | null {
  if (typeof options.socketPath === 'string') return null;
  const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost';
  return endpointKey(host, Number(options.port ?? agent.defaultPort ?? 80));
}

/** The agent's pooling settings as it holds them (never TLS material): what reports and lint rules read. */
function rawConfigOf(agent: AgentInternals): Record<string, unknown> {
  const o = agent.options;
  const finite = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) ? n : null);
  return {
    agent: agent.protocol === 'https:' ? 'https.Agent' : 'http.Agent',
    keepAlive: agent.keepAlive,
    keepAliveMsecs: o['keepAliveMsecs'],
    maxSockets: finite(agent.maxSockets),
    maxTotalSockets: finite(agent.maxTotalSockets),
    maxFreeSockets: agent.maxFreeSockets,
    timeout: o['timeout'],
    scheduling: o['scheduling'],
    agentKeepAliveTimeoutBuffer: o['agentKeepAliveTimeoutBuffer'],
  };
}
