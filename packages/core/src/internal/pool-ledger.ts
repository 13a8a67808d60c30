import type {
  LintRule,
  CloseReason,
  ClosedBy,
  ClosedByCounts,
  ConnectErrorInfo,
  ConnectFailure,
  EndpointStats,
  KernelEndpointView,
  OpenedInfo,
  PoolConfig,
  PoolRegistration,
  PoolStats,
  PortRange,
  RecentActivity,
  WindowCount,
  LeakedConnection,
  SettingNames,
  PoolTiming,
} from '../types.js';
import { Connection } from './connection.js';
import { EndpointLedger, timeWaitStats, portRangeSize } from './endpoint-ledger.js';
import { Histogram } from './histogram.js';
import { SecondWindow } from './second-window.js';
import { ClosedTuple, KernelVerdicts, kernelFootprint } from './time-wait-confirmation.js';
import type { TimeWaitConfirmation } from './time-wait-confirmation.js';
import { peerOf, remoteEndpointOf, unwatchSocket, watchSocket } from './socket-watch.js';
import { redactText } from '../redact.js';
import { unknownOptions } from '../lint/unknown-option-rule.js';
import type { OptionProblem } from '../lint/unknown-option-rule.js';

export const CLOSE_REASONS: readonly CloseReason[] = [
  'maxIdle',
  'idleTimeout',
  'maxLifetime',
  'remote',
  'error',
  'shutdown',
  'other',
];

/** What one registration lends its pool record while it lives (read through a `WeakRef`). */
export interface LedgerMember {
  readonly readPending: (() => number) | undefined;
  readonly probeServer: PoolRegistration['probeServer'];
}

/** The running totals a pool record hands on when it retires under a name that was shared. */
export interface LedgerTotals {
  readonly created: number;
  readonly acquired: number;
  readonly waitCount: number;
  readonly waitDurationMs: number;
  readonly timeouts: number;
  readonly acquireErrors: number;
  readonly connectErrorsByCode: ReadonlyMap<string, number>;
  readonly lastConnectError: ConnectErrorInfo | null;
  readonly clients: number;
  readonly closed: Readonly<Record<CloseReason, number>>;
  readonly closedBy: ClosedByCounts;
  readonly closedDetail: ReadonlyMap<string, number>;
  readonly events: ReadonlyMap<string, number>;
}

/** What a pool ledger needs from its auditor. */
export interface LedgerHost {
  readonly clock: () => number;
  readonly windowSeconds: number;
  readonly leakDetectionThresholdMs: number;
  /** The auditor-wide ledger of an endpoint (port budgets are per destination, across pools). */
  endpoint(key: string): EndpointLedger;
  /** Called once when auditing this pool failed; the pool then goes on unaudited. */
  failed(pool: string, err: unknown): void;
  leakReleased(pool: string, heldMs: number, stack: string): void;
  /** Called each time the pool has no member left and no connection left to settle: it may retire. */
  idle(pool: PoolLedger): void;
  /** Durations handed to `auditor.onTiming()` listeners as they happen. */
  readonly timing: TimingSink;
  /** Where closes wait for the kernel to confirm their TIME_WAIT (while a host observer looks them up). */
  readonly confirmation: TimeWaitConfirmation;
}

/** Where the ledger sends each duration it records, while anybody listens. */
export interface TimingSink {
  /** True while at least one listener exists: the only cost on the hot path when nobody listens. */
  listening: boolean;
  emit(pool: string, kind: string, timing: PoolTiming, ms: number, endpoint: string | null): void;
}

/** A counter with its per-second window. */
class Series {
  total = 0;
  readonly window: SecondWindow;
  constructor(windowSeconds: number) {
    this.window = new SecondWindow(windowSeconds);
  }
  add(second: number, n = 1): void {
    this.total += n;
    this.window.add(second, n);
  }
  recent(second: number): WindowCount {
    return { count: this.window.sum(second), seconds: this.window.activeSeconds(second) };
  }
}

/**
 * Everything known about one pool: counters, per-second windows and bounded histograms, updated in O(1)
 * by the probe calls; the snapshot is computed from them on read.
 */
export class PoolLedger {
  /** Registrations recording into this pool now. */
  members = 0;
  /** Registrations that ever joined: more than one means the name is shared. */
  joins = 0;
  broken = false;
  /** When the pool last became idle (no member, nothing to settle), auditor clock; -1 while it is not. */
  idleSince = -1;

  private open = 0;
  private inUse = 0;
  private pendingCount = 0;
  private acquiredCount = 0;
  private waitDurationMs = 0;
  private acquireErrors = 0;
  private readonly connectErrorsByCode = new Map<string, number>();
  private lastConnectError: ConnectErrorInfo | null = null;
  private readonly closedBy = { local: 0, remote: 0, reset: 0, unknown: 0 };
  private readonly closedDetail = new Map<string, number>();
  private readonly annotations = new Map<string, number | string | boolean>();
  private readonly events = new Map<string, Series>();
  private readonly conns = new WeakMap<object, Connection>();
  /** Connections open or waiting for their socket to close. */
  private readonly live = new Set<Connection>();
  private readonly endpoints = new Map<string, EndpointLedger>();
  /** What the kernel made of this pool's closes. */
  private readonly verdicts: KernelVerdicts;

  private readonly opened: Series;
  private readonly closedAll: Series;
  private readonly closedFor: Record<CloseReason, Series>;
  private readonly closedLocal: Series;
  private readonly closedRemote: Series;
  private readonly closedReset: Series;
  private readonly waits: Series;
  private readonly connectErrors: Series;
  private readonly timeouts: Series;
  private readonly reopened: Series;
  private readonly clients: Series;
  private readonly peakInUse: SecondWindow;
  private readonly peakPending: SecondWindow;

  private readonly connectTime = new Histogram();
  private readonly waitTime = new Histogram();
  private readonly useTime = new Histogram();
  private readonly lifetime = new Histogram();
  private readonly idleBeforeClose = new Histogram();
  private readonly reopenDelay = new Histogram();
  private idleClosesAwaitingReopen = 0;
  private lastIdleCloseAt = 0;

  /** The pool's name; changed only by the auditor's `rename()`. */
  name: string;
  readonly kind: string;
  /** A server's accepted connections (`direction: 'inbound'`). */
  readonly inbound: boolean;
  readonly config: PoolConfig;
  readonly rawConfig: Readonly<Record<string, unknown>> | undefined;
  readonly settings: SettingNames;
  /** The startup-lint rules the adapter registered with. */
  readonly lintRules: readonly LintRule[];
  /** Options the library does not take, found at registration (names only): `<kind>/unknown-option`. */
  readonly unknownOptions: readonly OptionProblem[];
  /**
   * The registrations recording here, held weakly: what they lend (`readPending` and `probeServer`, which
   * close over the library's pool) is read only while they live, so the record never keeps a pool alive.
   */
  private readonly memberRefs = new Set<WeakRef<LedgerMember>>();
  private readonly settle = (conn: Connection): void => this.onSocketClosed(conn);

  constructor(
    registration: PoolRegistration,
    private readonly host: LedgerHost,
    carried?: LedgerTotals,
  ) {
    this.name = registration.name;
    this.kind = registration.kind;
    this.inbound = registration.direction === 'inbound';
    this.config = registration.config;
    this.rawConfig = registration.rawConfig;
    this.settings = registration.settings ?? {};
    this.lintRules = registration.lintRules ?? [];
    const check = registration.optionCheck;
    this.unknownOptions = check ? unknownOptions(check.options, check.schema, check.ignore) : [];
    const series = (): Series => new Series(host.windowSeconds);
    this.opened = series();
    this.closedAll = series();
    this.closedFor = Object.fromEntries(CLOSE_REASONS.map((r) => [r, series()])) as Record<
      CloseReason,
      Series
    >;
    this.closedLocal = series();
    this.closedRemote = series();
    this.closedReset = series();
    this.waits = series();
    this.connectErrors = series();
    this.timeouts = series();
    this.reopened = series();
    this.clients = series();
    this.peakInUse = new SecondWindow(host.windowSeconds);
    this.peakPending = new SecondWindow(host.windowSeconds);
    this.verdicts = new KernelVerdicts(host.windowSeconds);
    if (carried) this.carry(carried);
  }

  /** Starts from the totals of the record this one replaces under the same name: counters never go back. */
  private carry(t: LedgerTotals): void {
    this.opened.total = t.created;
    this.acquiredCount = t.acquired;
    this.waits.total = t.waitCount;
    this.waitDurationMs = t.waitDurationMs;
    this.timeouts.total = t.timeouts;
    this.acquireErrors = t.acquireErrors;
    for (const [code, n] of t.connectErrorsByCode) {
      this.connectErrorsByCode.set(code, n);
      this.connectErrors.total += n;
    }
    this.lastConnectError = t.lastConnectError;
    this.clients.total = t.clients;
    this.joins = 1;
    let closed = 0;
    for (const r of CLOSE_REASONS) {
      this.closedFor[r].total = t.closed[r];
      closed += t.closed[r];
    }
    this.closedAll.total = closed;
    Object.assign(this.closedBy, t.closedBy);
    for (const [k, n] of t.closedDetail) this.closedDetail.set(k, n);
    for (const [k, n] of t.events) {
      const series = new Series(this.host.windowSeconds);
      series.total = n;
      this.events.set(k, series);
    }
  }

  /** The running totals, for the record that will carry on under this name. */
  totals(): LedgerTotals {
    return {
      created: this.opened.total,
      acquired: this.acquiredCount,
      waitCount: this.waits.total,
      waitDurationMs: this.waitDurationMs,
      timeouts: this.timeouts.total,
      acquireErrors: this.acquireErrors,
      connectErrorsByCode: new Map(this.connectErrorsByCode),
      lastConnectError: this.lastConnectError,
      clients: this.clients.total,
      closed: Object.fromEntries(CLOSE_REASONS.map((r) => [r, this.closedFor[r].total])) as Record<
        CloseReason,
        number
      >,
      closedBy: { ...this.closedBy },
      closedDetail: new Map(this.closedDetail),
      events: new Map([...this.events].map(([k, series]) => [k, series.total])),
    };
  }

  private second(now: number): number {
    return Math.floor(now / 1000);
  }

  private timed(timing: PoolTiming, ms: number, endpoint: string | null): void {
    this.host.timing.emit(this.name, this.kind, timing, ms, endpoint);
  }

  /** A registration joins; the returned reference is what it leaves with. */
  joined(member: LedgerMember): WeakRef<LedgerMember> {
    const ref = new WeakRef(member);
    this.memberRefs.add(ref);
    this.members++;
    this.joins++;
    this.idleSince = -1;
    this.clients.add(this.second(this.host.clock()));
    return ref;
  }

  /**
   * A registration leaves: detached (`stopWatching`: the sockets it left open are no longer read), or its
   * pool ended or was collected (the sockets still open are read until they close). Harmless twice.
   */
  left(ref: WeakRef<LedgerMember>, stopWatching: boolean): void {
    if (!this.memberRefs.delete(ref)) return;
    this.members--;
    if (this.members === 0 && stopWatching) this.stopWatching();
    else this.checkIdle();
  }

  /** A registration that had ended is detached too: when it was the last, stop reading its sockets. */
  stopWatchingIfAlone(): void {
    if (this.members === 0) this.stopWatching();
  }

  /** No member and nothing left to settle: tell the auditor, which retires the record after the window. */
  private checkIdle(): void {
    if (this.members !== 0 || this.live.size !== 0 || this.idleSince >= 0) return;
    this.idleSince = this.host.clock();
    this.host.idle(this);
  }

  /** The first live member's server probe, if any registered one. */
  serverProbe(): PoolRegistration['probeServer'] {
    for (const ref of this.memberRefs) {
      const probe = ref.deref()?.probeServer;
      if (probe) return probe;
    }
    return undefined;
  }

  /** Queued acquires, summed over the members that read them from their library; else as counted. */
  private pendingNow(): number {
    let total = 0;
    let read = false;
    for (const ref of this.memberRefs) {
      const reader = ref.deref()?.readPending;
      const n = reader ? safeCount(reader) : undefined;
      if (n === undefined) continue;
      total += n;
      read = true;
    }
    return read ? total : this.pendingCount;
  }

  // ── probe calls ────────────────────────────────────────────────────────────────────────────────

  onOpened(key: object, info: OpenedInfo | undefined): void {
    if (this.conns.has(key)) return;
    const now = this.host.clock();
    const second = this.second(now);
    const socket = info?.socket ?? null;
    const remote = (socket && remoteEndpointOf(socket)) ?? info?.endpoint ?? null;
    // A server's connections are grouped by who connected, not by the ephemeral port each came from.
    const endpoint = this.inbound && socket ? peerOf(socket) : remote;
    const conn = new Connection(socket, endpoint, now, this.settle);
    if (this.inbound) conn.remote = remote;
    if (info?.local !== undefined) conn.local = info.local;
    this.conns.set(key, conn);
    this.live.add(conn);
    this.idleSince = -1;
    this.open++;
    this.opened.add(second);
    if (info?.connectStartedAt !== undefined) {
      this.connectTime.record(now - info.connectStartedAt);
      if (this.host.timing.listening) this.timed('connect', now - info.connectStartedAt, conn.endpoint);
    }
    if (this.idleClosesAwaitingReopen > 0) {
      this.idleClosesAwaitingReopen--;
      this.reopened.add(second);
      this.reopenDelay.record(now - this.lastIdleCloseAt);
    }
    if (socket) {
      conn.onConnected = this.countEndpoint;
      watchSocket(socket, conn);
    }
    // A socket still connecting is counted at 'connect', under the address it really reached.
    if (conn.endpoint !== null && socket?.connecting !== true) this.countEndpoint(conn);
  }

  /** Counts a connection toward its endpoint once the endpoint is known (at open, or at connect). */
  private readonly countEndpoint = (conn: Connection): void => {
    if (conn.countedAt !== null || conn.endpoint === null || conn.state === 'done') return;
    conn.countedAt = conn.endpoint;
    const second = this.second(this.host.clock());
    this.endpointLedger(conn.endpoint).opened(second);
    if (!this.inbound) this.host.endpoint(conn.endpoint).opened(second);
  };

  private endpointLedger(key: string): EndpointLedger {
    let ledger = this.endpoints.get(key);
    if (!ledger) {
      ledger = new EndpointLedger(key, this.host.windowSeconds);
      this.endpoints.set(key, ledger);
    }
    return ledger;
  }

  onAcquireStart(): number {
    const now = this.host.clock();
    this.pendingCount++;
    this.peakPending.max(this.second(now), this.pendingCount);
    return now;
  }

  onAcquired(key: object, startedAt: number, queued: boolean): void {
    const now = this.host.clock();
    const second = this.second(now);
    if (this.pendingCount > 0) this.pendingCount--;
    let conn = this.conns.get(key);
    if (!conn) {
      // A connection that existed before the audit began: adopt it.
      this.onOpened(key, undefined);
      conn = this.conns.get(key);
      if (!conn) return;
    }
    if (conn.state !== 'open') return;
    if (!conn.inUse) {
      conn.inUse = true;
      this.inUse++;
    }
    conn.uses++;
    conn.acquiredAt = now;
    this.acquiredCount++;
    this.waitTime.record(now - startedAt);
    if (this.host.timing.listening) this.timed('wait', now - startedAt, conn.endpoint);
    if (queued) {
      this.waits.add(second);
      this.waitDurationMs += now - startedAt;
    }
    this.peakInUse.max(second, this.inUse);
    if (this.host.leakDetectionThresholdMs > 0) conn.stack = new Error('acquired here').stack;
  }

  /** One more request on a connection already in use: counted as a use, with no clock read. */
  onUsed(key: object): void {
    const conn = this.conns.get(key);
    if (!conn || !conn.inUse) return;
    conn.uses++;
    this.acquiredCount++;
  }

  onConnectFailed(failure: ConnectFailure): void {
    const now = this.host.clock();
    this.connectErrors.add(this.second(now));
    const { code, message } = describeError(failure.error);
    // Codes come from libraries and the OS: a handful per pool. Past the cap they are counted as `other`.
    const known = this.connectErrorsByCode.has(code) || this.connectErrorsByCode.size < MAX_ERROR_CODES;
    const key = known ? code : 'other';
    this.connectErrorsByCode.set(key, (this.connectErrorsByCode.get(key) ?? 0) + 1);
    this.lastConnectError = { code, message, endpoint: failure.endpoint ?? null, at: now };
  }

  onAcquireFailed(startedAt: number, queued: boolean, timedOut: boolean): void {
    const now = this.host.clock();
    const second = this.second(now);
    if (this.pendingCount > 0) this.pendingCount--;
    this.acquireErrors++;
    if (queued) {
      this.waits.add(second);
      this.waitDurationMs += now - startedAt;
    }
    if (timedOut) this.timeouts.add(second);
  }

  onReleased(key: object): void {
    const conn = this.conns.get(key);
    if (!conn || !conn.inUse) return;
    this.release(conn, this.host.clock());
  }

  private release(conn: Connection, now: number): void {
    conn.inUse = false;
    this.inUse--;
    const heldMs = now - conn.acquiredAt;
    this.useTime.record(heldMs);
    if (this.host.timing.listening) this.timed('use', heldMs, conn.endpoint);
    conn.releasedAt = now;
    const threshold = this.host.leakDetectionThresholdMs;
    if (threshold > 0 && heldMs >= threshold && conn.stack !== undefined) {
      this.host.leakReleased(this.name, heldMs, conn.stack);
    }
    conn.stack = undefined;
  }

  onClosed(key: object, reason: CloseReason | undefined, detail: string | undefined): void {
    const conn = this.conns.get(key);
    if (!conn || conn.state !== 'open') return;
    this.retire(conn, reason, detail);
  }

  onAnnotate(key: string, value: number | string | boolean): void {
    this.annotations.set(key, value);
  }

  onCount(event: string, n: number): void {
    let series = this.events.get(event);
    if (!series) {
      series = new Series(this.host.windowSeconds);
      this.events.set(event, series);
    }
    series.add(this.second(this.host.clock()), n);
  }

  /** The pool let the connection go: count the reason now, the side once the socket has closed. */
  private retire(conn: Connection, reason: CloseReason | undefined, detail: string | undefined): void {
    const now = this.host.clock();
    const second = this.second(now);
    if (conn.inUse) this.release(conn, now);
    this.open--;
    const why = reason ?? (conn.peerClosedFirst ? 'remote' : conn.reset ? 'error' : 'other');
    conn.closeReason = why;
    this.closedAll.add(second);
    this.closedFor[why].add(second);
    if (detail !== undefined) this.closedDetail.set(detail, (this.closedDetail.get(detail) ?? 0) + 1);
    this.lifetime.record(now - conn.openedAt);
    if (this.host.timing.listening) this.timed('lifetime', now - conn.openedAt, conn.endpoint);
    if (why === 'idleTimeout') {
      this.idleClosesAwaitingReopen++;
      this.lastIdleCloseAt = now;
      this.idleBeforeClose.record(now - conn.releasedAt);
    }
    if (conn.socket && !conn.socket.closed) conn.state = 'closing';
    else this.settleSide(conn);
  }

  private onSocketClosed(conn: Connection): void {
    if (this.broken) return;
    try {
      if (conn.state === 'open') this.retire(conn, undefined, undefined);
      else if (conn.state === 'closing') this.settleSide(conn);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Decides who closed first and books the TIME_WAIT it left. */
  private settleSide(conn: Connection): void {
    const second = this.second(this.host.clock());
    const side = sideOf(conn);
    if (conn.countedAt === null) this.countEndpoint(conn);
    conn.state = 'done';
    this.live.delete(conn);
    if (conn.socket) unwatchSocket(conn.socket);
    if (this.live.size === 0) this.checkIdle();
    this.closedBy[side]++;
    if (side === 'local') this.closedLocal.add(second);
    else if (side === 'remote') this.closedRemote.add(second);
    else if (side === 'reset') this.closedReset.add(second);
    if (conn.countedAt !== null) {
      const mine = this.endpointLedger(conn.countedAt);
      mine.closed(second, side);
      const verdicts = [this.verdicts, mine.verdicts];
      if (!this.inbound) {
        const all = this.host.endpoint(conn.countedAt);
        all.closed(second, side);
        verdicts.push(all.verdicts);
      }
      const confirmation = this.host.confirmation;
      const remote = conn.remote ?? conn.countedAt;
      if (confirmation.recording && conn.local !== null && (!this.inbound || conn.remote !== null)) {
        confirmation.add(new ClosedTuple(conn.local, remote, second, side, verdicts));
      }
    }
  }

  fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.stopWatching();
    this.host.failed(this.name, err);
  }

  /**
   * Stops watching every socket and forgets the connections still open (the pool was detached, or
   * auditing failed): nothing of the library's is held any more. Counters stay readable.
   */
  stopWatching(): void {
    for (const conn of this.live) if (conn.socket) unwatchSocket(conn.socket);
    this.live.clear();
    this.checkIdle();
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────────────

  stats(now: number, portRange: PortRange): PoolStats {
    const second = this.second(now);
    const confirmed = this.host.confirmation.scanned;
    const counted = this.closedLocal.window.sum(second);
    const verdict = confirmed ? kernelFootprint(this.verdicts, second) : null;
    const windowSeconds = this.host.windowSeconds;
    let busiest = 0;
    for (const ledger of this.endpoints.values()) {
      busiest = Math.max(busiest, ledger.footprint(second, confirmed));
    }
    const pending = this.pendingNow();
    const created = this.opened.total;
    return {
      maxOpen: this.config.maxOpen ?? null,
      maxIdle: this.config.maxIdle ?? null,
      open: this.open,
      inUse: this.inUse,
      idle: this.open - this.inUse,
      pending,
      created,
      acquired: this.acquiredCount,
      waitCount: this.waits.total,
      waitDurationMs: Math.round(this.waitDurationMs * 1000) / 1000,
      timeouts: this.timeouts.total,
      acquireErrors: this.acquireErrors,
      connectErrors: this.connectErrors.total,
      connectErrorsByCode: Object.fromEntries(this.connectErrorsByCode),
      lastConnectError: this.lastConnectError,
      closed: Object.fromEntries(CLOSE_REASONS.map((r) => [r, this.closedFor[r].total])) as Record<
        CloseReason,
        number
      >,
      closedDetail: Object.fromEntries(this.closedDetail),
      closedBy: { ...this.closedBy },
      timeWait: {
        ...timeWaitStats(counted, verdict, windowSeconds, portRange),
        portBudgetUsed: this.inbound ? 0 : Math.round((busiest / portRangeSize(portRange)) * 10000) / 10000,
      },
      openedPerSecond: Math.round((this.opened.window.sum(second) / windowSeconds) * 100) / 100,
      closedPerSecond: Math.round((this.closedAll.window.sum(second) / windowSeconds) * 100) / 100,
      peakInUse: Math.max(this.peakInUse.peak(second), this.inUse),
      usesPerConnection: created === 0 ? 0 : Math.round((this.acquiredCount / created) * 100) / 100,
      leaked: this.leaks(now).length,
      timings: {
        connect: this.connectTime.summary(),
        wait: this.waitTime.summary(),
        use: this.useTime.summary(),
        lifetime: this.lifetime.summary(),
      },
      events: Object.fromEntries([...this.events].map(([k, s]) => [k, s.total])),
    };
  }

  recent(now: number): RecentActivity {
    const second = this.second(now);
    return {
      windowSeconds: this.host.windowSeconds,
      opened: this.opened.recent(second),
      closed: this.closedAll.recent(second),
      closedByReason: Object.fromEntries(
        CLOSE_REASONS.map((r) => [r, this.closedFor[r].recent(second)]),
      ) as Record<CloseReason, WindowCount>,
      closedBy: {
        local: this.closedLocal.recent(second),
        remote: this.closedRemote.recent(second),
        reset: this.closedReset.recent(second),
      },
      waits: this.waits.recent(second),
      connectErrors: this.connectErrors.recent(second),
      timeouts: this.timeouts.recent(second),
      reopenedAfterIdleClose: this.reopened.recent(second),
      clientsCreated: this.clients.recent(second),
      events: Object.fromEntries([...this.events].map(([k, s]) => [k, s.recent(second)])),
      peakInUse: Math.max(this.peakInUse.peak(second), this.inUse),
      peakPending: this.peakPending.peak(second),
      idleBeforeCloseMs: this.idleBeforeClose.summary(),
      reopenDelayMs: this.reopenDelay.summary(),
    };
  }

  endpointStats(
    now: number,
    portRange: PortRange,
    kernel: ReadonlyMap<string, KernelEndpointView> | undefined,
  ): EndpointStats[] {
    const second = this.second(now);
    const confirmed = this.host.confirmation.scanned;
    const stats = [...this.endpoints.values()].map((e) =>
      e.stats(second, portRange, this.inbound ? undefined : kernel?.get(e.endpoint), confirmed),
    );
    // A server's TIME_WAIT sockets hold its own listening port: they take nothing from the ephemeral range.
    return this.inbound ? stats.map((e) => ({ ...e, timeWait: { ...e.timeWait, portBudgetUsed: 0 } })) : stats;
  }

  hasEndpoint(key: string): boolean {
    return this.endpoints.has(key);
  }

  endpointKeys(): string[] {
    return [...this.endpoints.keys()];
  }

  /** The most recent failed connection attempt, if any. */
  lastConnectFailure(): ConnectErrorInfo | null {
    return this.lastConnectError;
  }

  annotationsRecord(): Record<string, number | string | boolean> {
    return Object.fromEntries(this.annotations);
  }

  /** Connections held longer than the leak threshold, longest first (at most 5, with their stacks). */
  leaks(now: number): LeakedConnection[] {
    const threshold = this.host.leakDetectionThresholdMs;
    if (threshold <= 0) return [];
    const held: LeakedConnection[] = [];
    for (const conn of this.live) {
      if (conn.inUse && now - conn.acquiredAt >= threshold) {
        held.push({ heldMs: Math.round(now - conn.acquiredAt), stack: conn.stack ?? '' });
      }
    }
    return held.sort((a, b) => b.heldMs - a.heldMs).slice(0, 5);
  }
}

function sideOf(conn: Connection): ClosedBy {
  if (conn.socket === null) return conn.closeReason === 'remote' ? 'remote' : 'unknown';
  if (conn.peerClosedFirst) return 'remote';
  if (conn.reset) return 'reset';
  // The adapter knows the server closed (HTTP `Connection: close`, a server hang-up): its FIN may still sit
  // unread, or be read only after our own 'finish' although it reached the kernel first (Node's http client
  // ends a `Connection: close` socket with destroySoon() as soon as the response is parsed, before 'end').
  if (conn.closeReason === 'remote') return 'remote';
  return 'local';
}

const MAX_ERROR_CODES = 16;
const MAX_MESSAGE = 200;

/** An error's code and message, fit to keep: no object held, URL credentials removed, bounded length. */
function describeError(error: unknown): { code: string; message: string } {
  if (error === undefined || error === null) return { code: 'unknown', message: 'no error given' };
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  // Node's connect to every address of a name (autoSelectFamily) fails with an AggregateError of each try.
  if ((e.code === undefined || e.message === '') && Array.isArray(e.errors) && e.errors.length > 0) {
    return describeError(e.errors[0]);
  }
  const code =
    typeof e.code === 'string' && e.code !== ''
      ? e.code
      : typeof e.code === 'number'
        ? String(e.code)
        : 'unknown';
  const raw = typeof e.message === 'string' ? e.message : typeof error === 'string' ? error : code;
  const message = redactText(raw.replace(/\s+/g, ' ').trim());
  return { code, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
}

function safeCount(read: () => number): number | undefined {
  try {
    const n = read();
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
