import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { DEFAULT_THRESHOLDS, ENDPOINT_DETECTORS, INBOUND_DETECTORS, POOL_DETECTORS } from './detectors/index.js';
import type { DetectorContext, EndpointView, PoolView } from './detectors/context.js';
import { InvalidOptionError } from './errors.js';
import { DISABLE_VARIABLE, readKillSwitch } from './kill-switch.js';
import { EndpointLedger, timeWaitStats } from './internal/endpoint-ledger.js';
import {
  checkAuditorOptions,
  checkConfigureOptions,
  checkLintOptions,
  checkProcessSocketsOptions,
  checkStartOptions,
} from './internal/options.js';
import { PoolLedger } from './internal/pool-ledger.js';
import type { LedgerMember, LedgerTotals, TimingSink } from './internal/pool-ledger.js';
import { RetirementQueue } from './internal/retirement-queue.js';
import { NOOP_PROBE, ProbeHandle } from './internal/probe-handle.js';
import { ProcessSockets } from './internal/process-sockets.js';
import { TimeWaitConfirmation } from './internal/time-wait-confirmation.js';
import { defaultPortRange, platformTimeWaitSeconds } from './platform.js';
import { redactConfig } from './redact.js';
import { formatDBStats, formatTimeWait } from './report/db-stats.js';
import { formatReport } from './report/text-report.js';
import { lintLedgers } from './lint/lint-pools.js';
import type { LintPoolsOptions } from './lint/lint-pools.js';
import type {
  AuditLogger,
  AuditSnapshot,
  AuditorEvents,
  AuditorOptions,
  CloseLookup,
  DetectorThresholds,
  Finding,
  HostObserver,
  KernelEndpointView,
  PoolRegistration,
  PoolProbe,
  PoolSnapshot,
  PortRange,
  ProcessSocketsOptions,
  ProcessSocketsSnapshot,
  StartOptions,
  TimeWaitReconciliation,
  TimingListener,
} from './types.js';

const CONSOLE_LOGGER: AuditLogger = {
  info: (message) => console.log(`poolaudit: ${message}`),
  warn: (message) => console.warn(`poolaudit: ${message}`),
};
const FALLBACK_THRESHOLDS: Required<DetectorThresholds> = {
  minEvents: 5,
  minSeconds: 2,
  minShare: 0.2,
  enabled: true,
};
const EVALUATE_EVERY_MS = 1000;
const DEFAULT_SAMPLES_PER_SECOND = 20;

/**
 * Collects what every registered pool does and judges it. Adapters register pools and drive their probes;
 * `snapshot()`, `findings()` and `report()` read everything on demand.
 */
export class Auditor {
  /** False when created with `enabled: false` or when `POOLAUDIT_DISABLE` is on: probes then record nothing. */
  readonly enabled: boolean;
  /** Library kinds `POOLAUDIT_DISABLE` names: their adapters leave the pools alone. */
  private readonly switchedOff: ReadonlySet<string>;
  private readonly switchOffLogged = new Set<string>();
  private readonly killedAll: boolean;
  /** The TIME_WAIT length in force, which is also the length of every window (s). */
  readonly windowSeconds: number;
  private leakThresholdMs: number;
  private readonly clock: () => number;
  private logger: AuditLogger;
  private readonly configuredPortRange: PortRange;
  private readonly thresholdOptions: Readonly<Record<string, DetectorThresholds>>;
  private readonly pools = new Map<string, PoolLedger>();
  private readonly endpointLedgers = new Map<string, EndpointLedger>();
  /** Records with no member and nothing to settle, oldest first: they leave once the window has passed. */
  private readonly retiring = new RetirementQueue();
  /** Totals of retired records whose name was shared, handed to the next record under that name. */
  private readonly folded = new Map<string, LedgerTotals>();
  /** A registration whose pool was collected without `end()` or `detach()` leaves as if it had ended. */
  private readonly collected = new FinalizationRegistry<{
    ledger: PoolLedger;
    ref: WeakRef<LedgerMember>;
  }>(({ ledger, ref }) => {
    ledger.left(ref, false);
  });
  private readonly emitter = new EventEmitter();
  private readonly active = new Map<string, Finding>();
  private readonly reportedFailures = new Set<string>();
  /** Replaced, never mutated, on (un)subscribe: an emit in progress keeps a stable list. */
  private timingListeners: readonly TimingListener[] = [];
  private readonly timing: TimingSink = {
    listening: false,
    emit: (pool, kind, timing, ms, endpoint) => {
      const listeners = this.timingListeners;
      // An indexed loop: no iterator allocated per event.
      for (let i = 0; i < listeners.length; i++) {
        try {
          (listeners[i] as TimingListener)(pool, kind, timing, ms, endpoint);
        } catch (err) {
          this.reportFailure('timing listener', err);
        }
      }
    },
  };
  private observer: HostObserver | undefined;
  private readonly confirmation: TimeWaitConfirmation;
  private processSockets: ProcessSockets | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started: StartOptions | undefined;
  private readonly context: DetectorContext;

  constructor(options?: AuditorOptions) {
    const o = checkAuditorOptions(options);
    // The kill switch is read once, when the auditor is created (for defaultAuditor: when core is loaded).
    const killSwitch = readKillSwitch(process.env[DISABLE_VARIABLE]);
    this.enabled = (o.enabled ?? true) && killSwitch !== 'all';
    this.switchedOff = killSwitch === 'all' ? new Set() : killSwitch;
    this.killedAll = killSwitch === 'all';
    this.windowSeconds = o.timeWaitSeconds ?? platformTimeWaitSeconds();
    this.leakThresholdMs = o.leakDetectionThresholdMs ?? 0;
    this.clock = o.clock ?? (() => performance.now());
    this.logger = o.logger ?? CONSOLE_LOGGER;
    this.configuredPortRange = o.portRange ?? defaultPortRange();
    this.thresholdOptions = o.detectors ?? {};
    this.confirmation = new TimeWaitConfirmation(this.windowSeconds, this.clock);
    const portRange = (): PortRange => this.portRange;
    const leakThreshold = (): number => this.leakThresholdMs;
    this.context = {
      windowSeconds: this.windowSeconds,
      get portRange() {
        return portRange();
      },
      get leakDetectionThresholdMs() {
        return leakThreshold();
      },
      thresholds: (code) => ({
        ...(DEFAULT_THRESHOLDS[code] ?? FALLBACK_THRESHOLDS),
        ...this.thresholdOptions[code],
      }),
    };
  }

  /** A connection held longer than this (ms) is reported as a leak; 0 = off. */
  get leakDetectionThresholdMs(): number {
    return this.leakThresholdMs;
  }

  /**
   * Changes the leak threshold and the logger of an auditor made elsewhere (`defaultAuditor`, for a hook that
   * loads before the application). The threshold applies to pools registered from now on; the logger at once.
   * Bad values throw at once, as in `createAuditor()`.
   */
  configure(options: Pick<AuditorOptions, 'leakDetectionThresholdMs' | 'logger'>): this {
    const o = checkConfigureOptions(options);
    if (o.leakDetectionThresholdMs !== undefined) this.leakThresholdMs = o.leakDetectionThresholdMs;
    if (o.logger !== undefined) this.logger = o.logger;
    return this;
  }

  /** The ephemeral port range in force: the host observer's reading when attached, else the configured one. */
  get portRange(): PortRange {
    return this.observer?.portRange?.() ?? this.configuredPortRange;
  }

  /**
   * Registers a pool and returns the probe its adapter drives. Registrations with the same name and kind
   * share one record, so clients created per request add up under one name.
   */
  register(registration: PoolRegistration): PoolProbe {
    checkRegistration(registration);
    if (!this.audits(registration.kind)) return NOOP_PROBE;
    this.sweep();
    let ledger = this.pools.get(registration.name);
    if (ledger && ledger.kind !== registration.kind) {
      throw new InvalidOptionError(
        'name',
        `a name not already used by a ${ledger.kind} pool`,
        registration.name,
      );
    }
    if (!ledger) {
      const rawConfig = registration.rawConfig ? redactConfig(registration.rawConfig) : undefined;
      ledger = new PoolLedger(
        rawConfig ? { ...registration, rawConfig } : registration,
        {
          clock: this.clock,
          windowSeconds: this.windowSeconds,
          leakDetectionThresholdMs: this.leakThresholdMs,
          endpoint: (key) => this.endpointLedger(key),
          failed: (pool, err) => this.reportFailure(pool, err),
          leakReleased: (pool, heldMs, stack) => this.emitSafely('leak-released', { pool, heldMs, stack }),
          idle: (pool) => this.retiring.push(pool),
          timing: this.timing,
          confirmation: this.confirmation,
        },
        this.folded.get(registration.name),
      );
      this.folded.delete(registration.name);
      this.pools.set(registration.name, ledger);
    }
    const joined = ledger;
    let ref: WeakRef<LedgerMember>;
    const join = (handle: ProbeHandle): void => {
      // A record retired meanwhile comes back under its name, unless another took the name.
      if (!this.pools.has(joined.name)) this.pools.set(joined.name, joined);
      ref = joined.joined(handle);
      this.collected.register(handle, { ledger: joined, ref }, handle);
    };
    // The probe is held by the adapter's hooks on the pool, so it lives exactly as long as the pool does.
    const probe = new ProbeHandle(
      joined,
      this.clock,
      registration,
      (handle, detached) => {
        this.collected.unregister(handle);
        joined.left(ref, detached);
      },
      join,
      (name) => this.rename(joined, name),
    );
    join(probe);
    return probe;
  }

  /**
   * Whether pools of this library kind are audited: false when the auditor is disabled, or when
   * `POOLAUDIT_DISABLE` names the kind. Adapters ask before they hook anything, and hand the pool back
   * untouched when it is false.
   */
  audits(kind: string): boolean {
    if (this.enabled && !this.switchedOff.has(kind.toLowerCase())) return true;
    if (this.killedAll || this.enabled) {
      const key = this.killedAll ? '*' : kind;
      if (!this.switchOffLogged.has(key)) {
        this.switchOffLogged.add(key);
        try {
          this.logger.info(
            this.killedAll
              ? `${DISABLE_VARIABLE} is on: no pool is audited`
              : `${DISABLE_VARIABLE} names ${kind}: ${kind} pools are not audited`,
          );
        } catch {
          // A logger that throws must not take the application down.
        }
      }
    }
    return false;
  }

  /**
   * `probe.rename()`: the record takes the new name, history included, when the renaming registration is its
   * only member and the name is free. A record shared with other registrations, or a name another record
   * holds, cannot take it: that is said once and the pool keeps its name.
   */
  private rename(ledger: PoolLedger, name: string): void {
    checkRegistration({ name, kind: ledger.kind, config: ledger.config });
    if (name === ledger.name) return;
    const taken = this.pools.get(name);
    if (taken && taken.kind !== ledger.kind) {
      throw new InvalidOptionError('name', `a name not already used by a ${taken.kind} pool`, name);
    }
    if (taken === undefined && ledger.members <= 1 && this.pools.get(ledger.name) === ledger) {
      this.pools.delete(ledger.name);
      ledger.name = name;
      this.pools.set(name, ledger);
      return;
    }
    this.reportFailure(
      `rename of ${ledger.name}`,
      new Error(
        taken
          ? `the name "${name}" is another pool's record; "${ledger.name}" keeps its name`
          : `"${ledger.name}" is shared by ${ledger.members} registrations; it keeps its name`,
      ),
    );
  }

  /** Names of the registered pools (those ended or detached leave once the TIME_WAIT window has passed). */
  poolNames(): string[] {
    this.sweep();
    return [...this.pools.keys()];
  }

  /**
   * Retires the records that have had no member and nothing to settle for a whole window: their
   * TIME_WAIT is over, so nothing they hold is news. A shared name's totals carry on in its next record.
   */
  private sweep(): void {
    const now = this.clock();
    const horizon = this.windowSeconds * 1000;
    const second = Math.floor(now / 1000);
    for (let ledger = this.retiring.due(now, horizon); ledger; ledger = this.retiring.due(now, horizon)) {
      if (this.pools.get(ledger.name) !== ledger) continue;
      this.pools.delete(ledger.name);
      if (ledger.joins > 1) this.folded.set(ledger.name, ledger.totals());
      for (const key of ledger.endpointKeys()) {
        const endpoint = this.endpointLedgers.get(key);
        if (endpoint?.quiet(second) && !this.endpointInUse(key)) this.endpointLedgers.delete(key);
      }
    }
  }

  private endpointInUse(key: string): boolean {
    for (const ledger of this.pools.values()) if (ledger.hasEndpoint(key)) return true;
    return false;
  }

  /** Everything, computed now: per pool stats, recent activity, endpoints and findings; per destination, findings. */
  snapshot(): AuditSnapshot {
    this.sweep();
    const now = this.clock();
    const portRange = this.portRange;
    const kernel = this.kernelView();
    const pools: PoolSnapshot[] = [];
    for (const ledger of this.pools.values()) {
      const view: PoolView = {
        name: ledger.name,
        kind: ledger.kind,
        direction: ledger.inbound ? 'inbound' : 'outbound',
        config: ledger.config,
        ...(ledger.rawConfig ? { rawConfig: ledger.rawConfig } : {}),
        settings: ledger.settings,
        annotations: ledger.annotationsRecord(),
        endpoints: ledger.endpointStats(now, portRange, kernel),
        stats: ledger.stats(now, portRange),
        recent: ledger.recent(now),
        leaks: ledger.leaks(now),
      };
      pools.push({ ...view, findings: this.detect(view) });
    }
    const second = Math.floor(now / 1000);
    const endpoints = [...this.endpointLedgers.values()].map((e) => ({
      ...e.stats(second, portRange, kernel?.get(e.endpoint), this.confirmation.scanned),
      pools: pools.filter((p) => p.endpoints.some((pe) => pe.endpoint === e.endpoint)).map((p) => p.name),
    }));
    const unaudited = this.unauditedSnapshot(portRange, kernel);
    const views = this.destinationViews(endpoints, unaudited, kernel, portRange);
    const findings: Finding[] = [];
    for (const [code, detector] of Object.entries(ENDPOINT_DETECTORS)) {
      if (!this.context.thresholds(code).enabled) continue;
      for (const endpoint of views) {
        const finding = this.guard(code, () => detector(endpoint, this.context));
        if (finding) findings.push(finding);
      }
    }
    const reconciliation = kernel ? reconcile(views, unaudited !== undefined) : undefined;
    return {
      at: now,
      windowSeconds: this.windowSeconds,
      portRange,
      pools,
      endpoints,
      findings,
      ...(unaudited ? { unaudited } : {}),
      ...(reconciliation ? { reconciliation } : {}),
    };
  }

  private unauditedSnapshot(
    portRange: PortRange,
    kernel: ReadonlyMap<string, KernelEndpointView> | undefined,
  ): ProcessSocketsSnapshot | undefined {
    if (!this.processSockets) return undefined;
    try {
      return this.processSockets.snapshot(portRange, kernel, this.confirmation.scanned);
    } catch (err) {
      this.reportFailure('process sockets', err);
      return undefined;
    }
  }

  /**
   * Every destination as the destination detectors see it: the audited pools' ones, with the unaudited
   * connections toward them, and those only unaudited connections reach (no pool figures of their own).
   */
  private destinationViews(
    endpoints: readonly EndpointView[],
    unaudited: ProcessSocketsSnapshot | undefined,
    kernel: ReadonlyMap<string, KernelEndpointView> | undefined,
    portRange: PortRange,
  ): EndpointView[] {
    if (!unaudited) return [...endpoints];
    const byEndpoint = new Map(unaudited.destinations.map((d) => [d.endpoint, d]));
    const views: EndpointView[] = endpoints.map((e) => {
      const seen = byEndpoint.get(e.endpoint);
      byEndpoint.delete(e.endpoint);
      return seen ? { ...e, unaudited: seen } : e;
    });
    const none = this.confirmation.scanned ? { confirmed: 0, resets: 0, unconfirmed: 0 } : null;
    for (const seen of byEndpoint.values()) {
      const view = kernel?.get(seen.endpoint);
      views.push({
        endpoint: seen.endpoint,
        open: 0,
        created: 0,
        closedBy: { local: 0, remote: 0, reset: 0, unknown: 0 },
        timeWait: timeWaitStats(0, none, this.windowSeconds, portRange),
        pools: [],
        unaudited: seen,
        ...(view ? { kernel: view } : {}),
      });
    }
    return views;
  }

  /** Every finding that holds now, pool findings first. Emits `finding` / `finding-cleared` for changes. */
  findings(): Finding[] {
    return this.evaluate(this.snapshot());
  }

  /** The text report of `snapshot()`. */
  report(): string {
    const snapshot = this.snapshot();
    this.evaluate(snapshot);
    return formatReport(snapshot);
  }

  toJSON(): AuditSnapshot {
    return this.snapshot();
  }

  on<E extends keyof AuditorEvents>(event: E, listener: (...args: AuditorEvents[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    this.schedule();
    return this;
  }

  off<E extends keyof AuditorEvents>(event: E, listener: (...args: AuditorEvents[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    this.schedule();
    return this;
  }

  /**
   * Evaluates findings every `intervalMs` (emitting `finding` events) and logs, per pool, one Go
   * `DBStats`-style line and its companion TIME_WAIT line (`formatTimeWait`: confirmed or counted, and which). The timer is unref'd: it never keeps the process alive.
   */
  start(options?: StartOptions): this {
    this.started = checkStartOptions(options);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.schedule();
    return this;
  }

  /** Stops what `start()` started (evaluation continues only while `finding` listeners remain). */
  stop(): this {
    this.started = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.schedule();
    return this;
  }

  /**
   * Calls `listener` with every connect, wait, use and lifetime duration as pools record them, for
   * exporters that keep their own histograms. Returns the function that removes it. While no listener
   * exists, pools pay one boolean check per event.
   */
  onTiming(listener: TimingListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError('listener', 'a function', listener);
    }
    this.timingListeners = [...this.timingListeners, listener];
    this.timing.listening = true;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const i = this.timingListeners.indexOf(listener);
      if (i >= 0) this.timingListeners = this.timingListeners.filter((_, j) => j !== i);
      this.timing.listening = this.timingListeners.length > 0;
    };
  }

  /** Attaches the kernel's view (from `@poolaudit/host`); returns the function that detaches it. */
  attachHost(observer: HostObserver): () => void {
    if (typeof observer?.endpointView !== 'function') {
      throw new InvalidOptionError('observer', 'a HostObserver with endpointView()', observer);
    }
    if (this.observer !== observer) this.confirmation.stop();
    this.observer = observer;
    return () => {
      if (this.observer !== observer) return;
      this.observer = undefined;
      this.confirmation.stop();
      observer.close?.();
    };
  }

  /**
   * For host observers: the closed connections (4-tuples, this end's port recorded at connect) to look up in
   * the scan about to run. The first call starts queueing closes; each call takes those queued since the last.
   * Hand the kernel's state of each back with `settle()`: from then on footprints are the kernel-confirmed
   * ones (`timeWait.source: 'kernel'`), and local closes that left no TIME_WAIT are counted as `resets`.
   */
  closeLookup(): CloseLookup {
    this.confirmation.recording = this.enabled;
    return this.confirmation.lookup();
  }

  /**
   * Lints every audited pool's settings with the rules its adapter registered (and `options.rules` over
   * `options.subjects`), after asking each server for its own settings when `probeServers` is set.
   */
  lint(options?: LintPoolsOptions): Promise<Finding[]> {
    return lintLedgers(
      this.pools.values(),
      () => this.snapshot(),
      checkLintOptions('auditor.lint()', options, false),
      (rule, err) => {
        this.reportFailure(`lint rule ${rule.id}`, err);
      },
    );
  }

  /**
   * Starts the process-wide view of outbound TCP connections no adapter registered (`net`, `tls`, `http`,
   * `https`, `http2` and any library on them): per destination, connections open and closed, who closed
   * first, lifetimes, their TIME_WAIT footprint (confirmed per 4-tuple with a host observer), and the library
   * and application frame that made them, from a stack sampled at connect at a bounded rate. It shows in
   * `snapshot().unaudited` and `reconciliation`, the report, and `unaudited-time-wait`, which then names the
   * code. Off until called; returns the function that stops it. A second call while on keeps the first view.
   */
  watchProcessSockets(options?: ProcessSocketsOptions): () => void {
    const o = checkProcessSocketsOptions(options);
    if (!this.enabled || this.processSockets) return () => undefined;
    const view = new ProcessSockets(
      {
        clock: this.clock,
        windowSeconds: this.windowSeconds,
        confirmation: this.confirmation,
        failed: (err) => this.reportFailure('process sockets', err),
      },
      o.samplesPerSecond ?? DEFAULT_SAMPLES_PER_SECOND,
    );
    this.processSockets = view;
    return () => {
      if (this.processSockets !== view) return;
      this.processSockets = undefined;
      view.stop();
    };
  }

  /** Stops timers, the host observer and the process view. Registered pools stay readable. */
  close(): void {
    this.emitter.removeAllListeners();
    this.processSockets?.stop();
    this.processSockets = undefined;
    this.stop();
    this.observer?.close?.();
    this.observer = undefined;
    this.confirmation.stop();
  }

  private schedule(): void {
    const wanted =
      this.started !== undefined ||
      this.emitter.listenerCount('finding') + this.emitter.listenerCount('finding-cleared') > 0;
    if (wanted && !this.timer) {
      const interval = this.started?.intervalMs ?? EVALUATE_EVERY_MS;
      this.timer = setInterval(() => this.tick(), interval);
      this.timer.unref();
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    try {
      const snapshot = this.snapshot();
      this.evaluate(snapshot);
      const log = this.started?.log;
      if (this.started && log !== false) {
        const write = log ?? ((line: string) => this.logger.info(line));
        for (const pool of snapshot.pools) {
          write(`${pool.name} ${formatDBStats(pool.stats)}`);
          write(`${pool.name} ${formatTimeWait(pool.stats)}`);
        }
      }
    } catch (err) {
      this.reportFailure('(auditor)', err);
    }
  }

  private evaluate(snapshot: AuditSnapshot): Finding[] {
    const all = [...snapshot.pools.flatMap((p) => p.findings), ...snapshot.findings];
    const seen = new Set<string>();
    for (const finding of all) {
      const key = `${finding.code}\u0000${finding.pool}\u0000${finding.endpoint ?? ''}`;
      seen.add(key);
      if (!this.active.has(key)) this.emitSafely('finding', finding);
      this.active.set(key, finding);
    }
    for (const [key, finding] of this.active) {
      if (seen.has(key)) continue;
      this.active.delete(key);
      this.emitSafely('finding-cleared', finding);
    }
    return all;
  }

  private detect(view: PoolView): Finding[] {
    const findings: Finding[] = [];
    // A server's accepted connections are judged by the server's detectors: the pool ones speak of a client.
    const detectors = view.direction === 'inbound' ? INBOUND_DETECTORS : POOL_DETECTORS;
    for (const [code, detector] of Object.entries(detectors)) {
      if (!this.context.thresholds(code).enabled) continue;
      const finding = this.guard(code, () => detector(view, this.context));
      if (finding) findings.push(finding);
    }
    return findings;
  }

  private guard(code: string, run: () => Finding | undefined): Finding | undefined {
    try {
      return run();
    } catch (err) {
      this.reportFailure(`detector ${code}`, err);
      return undefined;
    }
  }

  private kernelView() {
    if (!this.observer) return undefined;
    try {
      const keys = [...this.endpointLedgers.keys()];
      if (this.processSockets) {
        for (const key of this.processSockets.endpointKeys())
          if (!this.endpointLedgers.has(key)) keys.push(key);
      }
      return this.observer.endpointView(keys);
    } catch (err) {
      this.reportFailure('host observer', err);
      return undefined;
    }
  }

  private endpointLedger(key: string): EndpointLedger {
    let ledger = this.endpointLedgers.get(key);
    if (!ledger) {
      ledger = new EndpointLedger(key, this.windowSeconds);
      this.endpointLedgers.set(key, ledger);
    }
    return ledger;
  }

  private emitSafely<E extends keyof AuditorEvents>(event: E, ...args: AuditorEvents[E]): void {
    try {
      this.emitter.emit(event, ...args);
    } catch (err) {
      this.reportFailure(`'${event}' listener`, err);
    }
  }

  private reportFailure(where: string, err: unknown): void {
    if (this.reportedFailures.has(where)) return;
    this.reportedFailures.add(where);
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      this.logger.warn(`auditing failed in ${where}; it goes on without it. ${detail}`);
    } catch {
      // A logger that throws must not take the application down either.
    }
  }
}

/** Per destination with a kernel count: the audited pools' share, the unaudited share seen here, the rest. */
function reconcile(views: readonly EndpointView[], watching: boolean): TimeWaitReconciliation[] {
  const lines: TimeWaitReconciliation[] = [];
  for (const view of views) {
    if (!view.kernel) continue;
    const pools = view.timeWait.footprint;
    const unaudited = watching ? (view.unaudited?.timeWait.footprint ?? 0) : null;
    lines.push({
      endpoint: view.endpoint,
      kernel: view.kernel.timeWait,
      pools,
      poolsSource: view.timeWait.source,
      unaudited,
      unexplained: Math.max(0, view.kernel.timeWait - pools - (unaudited ?? 0)),
    });
  }
  return lines;
}

function checkRegistration(registration: PoolRegistration): void {
  if (typeof registration !== 'object' || registration === null) {
    throw new InvalidOptionError('registration', 'an object', registration);
  }
  if (typeof registration.name !== 'string' || registration.name.trim() === '') {
    throw new InvalidOptionError('name', 'a non-empty string', registration.name);
  }
  if (typeof registration.kind !== 'string' || registration.kind === '') {
    throw new InvalidOptionError('kind', 'a non-empty string', registration.kind);
  }
  if (typeof registration.config !== 'object' || registration.config === null) {
    throw new InvalidOptionError('config', 'an object', registration.config);
  }
}

/** Creates an auditor. Most services use `defaultAuditor`; tests and multi-tenant hosts make their own. */
export function createAuditor(options?: AuditorOptions): Auditor {
  return new Auditor(options);
}

/** The auditor adapters register into when no `auditor` option is given. Creating it starts nothing. */
export const defaultAuditor: Auditor = createAuditor();

/**
 * Lints the settings of every pool audited by `options.auditor` (default: `defaultAuditor`). For startup:
 * `await lintPools({ failOn: 'error' })` throws `LintFailedError` before the first request.
 */
export function lintPools(options?: LintPoolsOptions & { readonly auditor?: Auditor }): Promise<Finding[]> {
  const { auditor, ...rest } = checkLintOptions('lintPools()', options, true) as LintPoolsOptions & {
    readonly auditor?: Auditor;
  };
  return (auditor ?? defaultAuditor).lint(rest);
}
