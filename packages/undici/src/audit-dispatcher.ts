import type { Socket } from 'node:net';
import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions as checkOptions_,
  defaultAuditor,
  endpointKey,
} from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { joinHub, leaveHub } from './internal/channel-hub.js';
import type { ConnectParams, ConnectionSink } from './internal/channel-hub.js';
import type { DispatcherFacts } from './internal/close-reason.js';
import {
  dispatcherKind,
  dispatcherOfConnector,
  instanceOptions,
  isLegacyWrapper,
} from './internal/dispatcher-shape.js';
import { OriginPool } from './internal/origin-pool.js';
import type { OriginHost } from './internal/origin-pool.js';
import { undiciLintRules, undiciOptionSchema } from './lint-rules.js';
import { readUndiciConfig } from './read-undici-config.js';
import type {
  AuditDispatcherOptions,
  DispatcherKind,
  DispatcherLike,
  UndiciConfig,
  UndiciOptions,
} from './types.js';

const DEFAULT_NAME = 'undici';
const audits = new WeakMap<object, DispatcherAudit>();
/** The options each audit was made with, to tell what a second `auditDispatcher()` changes. */
const firstOptions = new WeakMap<DispatcherAudit, AuditDispatcherOptions>();

interface Emitter extends DispatcherLike {
  readonly closed?: unknown;
  readonly destroyed?: unknown;
}

/** Everything attached to one audited dispatcher, and how to take it off again. */
class DispatcherAudit implements OriginHost, ConnectionSink {
  private readonly origins = new Map<string, OriginPool>();
  private readonly parsed: UndiciConfig;
  private readonly facts: {
    keepAliveDisabled: boolean;
    maxRequestsPerClient: number | null;
    clientTtl: boolean;
  };
  private attached = true;
  /** Connectors seen, by the dispatcher (root or per-origin) whose client connects with them. */
  private readonly connectors = new WeakMap<object, object>();

  constructor(
    private readonly root: Emitter,
    readonly kind: DispatcherKind,
    /** Changed only by `rename()`. */
    public name: string,
    private readonly auditor: Auditor,
    private readonly options: UndiciOptions,
  ) {
    this.parsed = readUndiciConfig(options, kind);
    this.facts = {
      keepAliveDisabled: this.parsed.keepAlive.pipelining === 0,
      maxRequestsPerClient: this.parsed.keepAlive.maxRequestsPerClient,
      clientTtl: this.parsed.config.maxLifetimeMs != null,
    };
    joinHub(this);
  }

  // New connections and failed attempts come from undici's connect channels, matched by their connector:
  // nothing listens on the dispatcher, whose 'connect' and 'connectionError' listeners are the app's.
  ownerOf(connector: unknown): object | undefined {
    if (!this.attached || typeof connector !== 'function') return undefined;
    try {
      // A client reconnects with the connector it has: found once, looked up after.
      const known = this.connectors.get(connector);
      if (known !== undefined) return known;
      const found = dispatcherOfConnector(this.root, this.kind, connector);
      if (found !== undefined) this.connectors.set(connector, found);
      return found;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  connected(origin: string, dispatcher: object, socket: Socket): void {
    try {
      this.originPool(origin, dispatcher).connected(socket);
    } catch (err) {
      this.fail(err);
    }
  }

  connectFailed(origin: string, where: ConnectParams, dispatcher: object, error: unknown): void {
    try {
      this.originPool(origin, dispatcher).probe.connectFailed({ endpoint: originEndpoint(where), error });
    } catch (err) {
      this.fail(err);
    }
  }

  /** The audited pool of `origin`, registered the first time the dispatcher connects to it. */
  private originPool(origin: string, dispatcher: object): OriginPool {
    let pool = this.origins.get(origin);
    if (pool === undefined) {
      const probe = this.auditor.register({
        name: `${this.name} ${origin}`,
        kind: 'undici',
        config: this.parsed.config,
        rawConfig: { dispatcher: this.kind, ...this.options },
        settings: this.parsed.settings,
        readPending: () => created.pending(),
        lintRules: undiciLintRules,
        optionCheck: { options: this.options, schema: undiciOptionSchema },
      });
      const created = new OriginPool(probe, this.parsed.keepAlive, this, dispatcher);
      probe.annotate('protocol', 'http');
      probe.annotate('keepAliveTimeoutThresholdMs', this.parsed.keepAlive.thresholdMs);
      this.origins.set(origin, created);
      pool = created;
    }
    // Kept across the Agent dropping an idle origin and creating a new Pool for it: one record per origin.
    pool.dispatcher = dispatcher;
    return pool;
  }

  /** A second `auditDispatcher()` with another name: every origin's pool becomes `<name> <origin>`. */
  rename(name: string): void {
    this.name = name;
    for (const [origin, pool] of this.origins) pool.probe.rename(`${name} ${origin}`);
  }

  dispatcherFacts(): DispatcherFacts {
    const root = this.root;
    return { ...this.facts, shuttingDown: root.closed === true || root.destroyed === true };
  }

  fail(err: unknown): void {
    if (!this.attached) return;
    this.detach();
    const text = err instanceof Error ? err.message : String(err);
    process.emitWarning(
      `poolaudit: auditing undici ${this.kind} ${this.name} failed (${text}); it goes on unaudited`,
      'PoolauditWarning',
    );
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const pool of this.origins.values()) pool.detach();
    this.origins.clear();
    if (audits.get(this.root) === this) audits.delete(this.root);
    leaveHub(this);
  }
}

const OPTIONS = { name: accepts.nonEmptyString, auditor: accepts.auditor };

/** Checks `auditDispatcher()`'s (or `auditGlobalDispatcher()`'s) options at once. */
export function checkOptions(options: unknown, where = 'auditDispatcher()'): AuditDispatcherOptions {
  return checkOptions_<AuditDispatcherOptions>(where, options, OPTIONS);
}

/**
 * Audits an undici `Client`, `Pool`, `BalancedPool` or `Agent`: one audited pool per origin, named
 * `<name> <origin>`, registered the first time the dispatcher connects there. Returns the same object.
 * Auditing a dispatcher twice returns it as it is, hooked once: a different `name` renames its pools, any
 * other option that differs is ignored with a warning. Throws `UnsupportedPoolError` for anything else and
 * `InvalidOptionError` for bad options.
 */
export function auditDispatcher<T extends DispatcherLike>(
  dispatcher: T,
  options?: AuditDispatcherOptions,
): T {
  return auditDispatcherAs('auditDispatcher()', dispatcher, options);
}

/** `auditDispatcher()`, with the function the user called named in messages. */
export function auditDispatcherAs<T extends DispatcherLike>(
  where: string,
  dispatcher: T,
  options: AuditDispatcherOptions | undefined,
): T {
  const given = checkOptions(options, where);
  const kind = dispatcherKind(dispatcher);
  if (kind === undefined) {
    const expected = isLegacyWrapper(dispatcher)
      ? 'the dispatcher itself, not the Dispatcher1Wrapper undici 8 mirrors for Node (use auditGlobalDispatcher())'
      : 'an undici Client, Pool, BalancedPool or Agent';
    throw new UnsupportedPoolError('@poolaudit/undici', expected, dispatcher);
  }
  const audited = audits.get(dispatcher);
  if (audited !== undefined) {
    const rename = auditAgain(where, audited.name, firstOptions.get(audited) ?? {}, given);
    if (rename !== undefined) audited.rename(rename);
    return dispatcher;
  }
  const auditor = given.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names undici (or the auditor is disabled): the dispatcher is handed back untouched.
  if (!auditor.audits('undici')) return dispatcher;
  const audit = new DispatcherAudit(
    dispatcher,
    kind,
    given.name ?? DEFAULT_NAME,
    auditor,
    instanceOptions(dispatcher, kind),
  );
  audits.set(dispatcher, audit);
  firstOptions.set(audit, given);
  return dispatcher;
}

/**
 * Takes everything `auditDispatcher()` attached off `dispatcher` (its listeners, the sockets' listeners,
 * the channel subscriptions when it was the last audit) and leaves the auditor. Counters stay readable.
 * Returns false when the dispatcher was not audited.
 */
export function detachDispatcher(dispatcher: object): boolean {
  const audit = audits.get(dispatcher);
  if (audit === undefined) return false;
  audit.detach();
  return true;
}

/** Whether `dispatcher` is audited now. */
export function isAudited(dispatcher: object): boolean {
  return audits.has(dispatcher);
}

/** The `host:port` of an origin URL, with the scheme's default port when it names none. */
function originEndpoint(url: { hostname?: unknown; port?: unknown; protocol?: unknown }): string | null {
  if (typeof url.hostname !== 'string' || url.hostname === '') return null;
  const port =
    typeof url.port === 'string' && url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return endpointKey(url.hostname, port);
}
