import { InvalidOptionError, checkOptions } from '@poolaudit/core';
import type { AuditLogger, Auditor, HostObserver, KernelEndpointView, PortRange } from '@poolaudit/core';
import { readCounters } from './counters.js';
import {
  OBSERVE_OPTIONS,
  checkObject,
  checkTableOptions,
  endpointList,
  positiveNumber,
} from './internal/options.js';
import { ScanThread, scanWorkerFile } from './internal/scan-thread.js';
import { scanSocketTable } from './socket-table.js';
import { readSysctls } from './sysctls.js';
import type { HostSysctls, SocketTable, TcpCounters } from './types.js';

/** Options of `observeHost`. */
export interface ObserveHostOptions {
  /** How often the counters are read and the socket table scanned (ms). Default 10000. */
  readonly intervalMs?: number;
  /** Where `/proc` is mounted. Default `/proc`. */
  readonly procRoot?: string;
  /** Endpoints to watch besides those the auditor's pools use (`host:port`, IPs). Default none. */
  readonly endpoints?: readonly string[];
  /** Scan in a worker thread: `true`, `false` or `'auto'` (default: when the table is big). */
  readonly offThread?: boolean | 'auto';
  /** Socket count above which `'auto'` scans in a worker. Default 2000. */
  readonly offThreadAbove?: number;
  /** The platform to observe as (`linux` scans `/proc`; others answer with documented defaults). Default `process.platform`. */
  readonly platform?: NodeJS.Platform;
  /** Where scan troubles are reported, once per kind. Default `console`, prefixed `poolaudit:`. */
  readonly logger?: AuditLogger;
}

/** A running host observation: the `HostObserver` attached to the auditor, plus what it last read. */
export interface HostObservation extends HostObserver {
  /**
   * Reads counters and sysctls and scans the table; resolves with a scan that started after this call (when one
   * is under way, the next one), or undefined when none ran.
   */
  refresh(): Promise<SocketTable | undefined>;
  /** The latest scan, filtered to the watched endpoints. */
  readonly table: SocketTable | undefined;
  /** The latest counters. */
  readonly counters: TcpCounters | undefined;
  /** The latest sysctls. */
  readonly sysctls: HostSysctls;
  /** Detaches from the auditor and stops polling. */
  detach(): void;
}

const CONSOLE_LOGGER: AuditLogger = {
  info: (message) => console.log(`poolaudit: ${message}`),
  warn: (message) => console.warn(`poolaudit: ${message}`),
};
/** A request for endpoints the last scan did not cover waits at least this long after the previous scan. */
const RESCAN_GAP_MS = 1000;
/** How long a socket must stay in CLOSE_WAIT, across scans, to count as stuck there (ms). */
const CLOSE_WAIT_HELD_MS = 1000;

/**
 * Attaches the kernel's view to `auditor`: every `intervalMs` (timer unref'd) it reads the TCP counters and the
 * real `ip_local_port_range`, and scans `/proc/net/tcp{,6}` filtered to the auditor's endpoints (in a worker
 * thread when the table is big). Snapshots then carry, per endpoint, the kernel's TIME_WAIT, CLOSE_WAIT and
 * ESTABLISHED counts, and port budgets use the real range. Each scan also looks up the 4-tuples of the pools'
 * closes since the last one (this end's port is recorded at connect): footprints become the kernel-confirmed
 * ones (`timeWait.source: 'kernel'`), and local closes that left no TIME_WAIT are counted as `timeWait.resets`.
 * Returns the observation; `detach()` (or the auditor's `close()`) stops it.
 */
export function observeHost(auditor: Auditor, options: ObserveHostOptions = {}): HostObservation {
  if (typeof auditor?.attachHost !== 'function') {
    throw new InvalidOptionError('auditor', 'an Auditor from @poolaudit/core', auditor);
  }
  const o: Record<string, unknown> = checkOptions(
    'observeHost()',
    checkObject('options', options),
    OBSERVE_OPTIONS,
  );
  const intervalMs = o['intervalMs'] === undefined ? 10_000 : positiveNumber('intervalMs', o['intervalMs']);
  const logger = o['logger'] === undefined ? CONSOLE_LOGGER : (o['logger'] as AuditLogger);
  const watch = new HostWatch(
    auditor,
    options,
    intervalMs,
    logger,
    endpointList('endpoints', o['endpoints']) ?? [],
  );
  watch.detachFromAuditor = auditor.attachHost(watch);
  watch.start();
  return watch;
}

class HostWatch implements HostObservation {
  table: SocketTable | undefined;
  counters: TcpCounters | undefined;
  sysctls: HostSysctls;
  detachFromAuditor: () => void = () => undefined;
  private readonly procRoot: string | undefined;
  private readonly platform: NodeJS.Platform;
  private asked: readonly string[] | undefined;
  private covered = new Set<string>();
  private inFlight: Promise<SocketTable | undefined> | undefined;
  /** The scan callers asked for while one was under way: it starts when that one ends. */
  private queued: Promise<SocketTable | undefined> | undefined;
  private interval: NodeJS.Timeout | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private lastScanAt = -Infinity;
  /** When each CLOSE_WAIT socket (`remote local`) toward an observed endpoint was first seen so. */
  private closeWaitSince = new Map<string, number>();
  /** Per remote endpoint, the CLOSE_WAIT sockets seen so for at least `CLOSE_WAIT_HELD_MS`. */
  private closeWaitHeld = new Map<string, number>();
  private closed = false;
  private polling = false;
  private readonly warned = new Set<string>();
  /** One worker for every scan of this observation (unref'd: it never keeps the process alive). */
  private readonly thread: ScanThread | undefined;

  constructor(
    private readonly auditor: Auditor,
    private readonly options: ObserveHostOptions,
    private readonly intervalMs: number,
    private readonly logger: AuditLogger,
    private readonly extra: readonly string[],
  ) {
    // Checked now so that a bad option throws at once rather than on the first poll.
    checkTableOptions(this.tableOptions([]));
    this.procRoot = options.procRoot;
    const file = scanWorkerFile();
    this.thread = file === undefined ? undefined : new ScanThread(file, false);
    this.platform = options.platform ?? process.platform;
    this.sysctls = readSysctls({
      ...(this.procRoot ? { procRoot: this.procRoot } : {}),
      platform: this.platform,
    });
  }

  start(): void {
    this.interval = setInterval(() => void this.refresh(), this.intervalMs);
    this.interval.unref();
    void this.refresh();
  }

  endpointView(endpoints: readonly string[]): ReadonlyMap<string, KernelEndpointView> | undefined {
    this.asked = endpoints;
    const table = this.table;
    let uncovered = false;
    const view = new Map<string, KernelEndpointView>();
    for (const endpoint of endpoints) {
      if (!this.covered.has(endpoint)) {
        uncovered = true;
        continue;
      }
      // Scanned and absent from the table: no socket toward it, a true zero.
      const counts = table?.byRemote.get(endpoint);
      view.set(endpoint, {
        timeWait: counts?.timeWait ?? 0,
        closeWait: counts?.closeWait ?? 0,
        closeWaitHeld: this.closeWaitHeld.get(endpoint) ?? 0,
        established: counts?.established ?? 0,
      });
    }
    if (uncovered) this.requestScan();
    return table ? view : undefined;
  }

  portRange(): PortRange | undefined {
    const reading = this.sysctls.ipLocalPortRange;
    return reading.source === 'proc' || reading.source === 'documented-default'
      ? (reading.value ?? undefined)
      : undefined;
  }

  refresh(): Promise<SocketTable | undefined> {
    // A scan already under way read the table (and took the closes to confirm) before this call: the caller
    // gets the next one, started when it ends. Callers in the meantime share that next scan.
    if (this.inFlight) {
      this.queued ??= this.inFlight.then(() => {
        this.queued = undefined;
        return this.refresh();
      });
      return this.queued;
    }
    this.inFlight = this.poll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  close(): void {
    this.closed = true;
    this.thread?.close();
    if (this.interval) clearInterval(this.interval);
    if (this.rescan) clearTimeout(this.rescan);
    this.interval = undefined;
    this.rescan = undefined;
  }

  detach(): void {
    this.detachFromAuditor();
    this.close();
  }

  private async poll(): Promise<SocketTable | undefined> {
    if (this.closed) return undefined;
    this.polling = true;
    try {
      return await this.scan();
    } catch (err) {
      // A stale view is not presented as current: the snapshot goes without kernel counts until a scan works.
      this.table = undefined;
      this.covered = new Set();
      this.warnOnce('scan', `host socket scan failed; snapshots go without kernel counts. ${String(err)}`);
      return undefined;
    } finally {
      this.polling = false;
    }
  }

  private async scan(): Promise<SocketTable | undefined> {
    const proc = { ...(this.procRoot ? { procRoot: this.procRoot } : {}), platform: this.platform };
    this.sysctls = readSysctls(proc);
    if (this.platform !== 'linux') return undefined;
    this.counters = readCounters(proc);
    if (this.counters.partial)
      this.warnOnce('counters', this.counters.problems.map((p) => p.message).join('; '));
    // The auditor's endpoints right now, its pools' and those only unaudited connections reach (a snapshot is
    // cheap next to a scan, and polls are seconds apart).
    const snapshot = this.auditor.snapshot();
    const current = snapshot.endpoints.map((e) => e.endpoint);
    for (const d of snapshot.unaudited?.destinations ?? []) current.push(d.endpoint);
    const endpoints = [...new Set([...current, ...this.extra])];
    this.lastScanAt = Date.now();
    // The pools' closes since the last scan, matched per 4-tuple against the table in the same pass: a server's
    // (inbound) closes count toward no destination, so they alone may call for a scan.
    const lookup = this.auditor.closeLookup();
    if (endpoints.length === 0 && lookup.local.length === 0) {
      lookup.settle(new Uint8Array(0));
      return undefined;
    }
    let table: SocketTable;
    try {
      const tuples = lookup.local.length === 0 ? null : { local: lookup.local, remote: lookup.remote };
      table = await scanSocketTable(
        { ...checkTableOptions(this.tableOptions(endpoints)), tuples, closeWaitTuples: true },
        this.thread,
      );
    } catch (err) {
      lookup.settle(null);
      throw err;
    }
    if (this.closed) {
      lookup.settle(null);
      return undefined;
    }
    lookup.settle(table.tupleStates ?? new Uint8Array(0));
    this.followCloseWait(table.closeWaitTuples ?? [], Date.now());
    this.table = table;
    this.covered = new Set(endpoints);
    if (table.partial) this.warnOnce('partial', table.problems.map((p) => p.message).join('; '));
    return table;
  }

  /**
   * Carries each CLOSE_WAIT socket's first sighting over from the last scan (a socket gone from that state
   * is forgotten), and counts per endpoint those seen so for `CLOSE_WAIT_HELD_MS`: a client that reads the
   * server's FIN and closes a moment later is caught in CLOSE_WAIT by an unlucky scan, never by two.
   */
  private followCloseWait(tuples: readonly string[], now: number): void {
    const since = new Map<string, number>();
    const held = new Map<string, number>();
    for (let i = 0; i + 1 < tuples.length; i += 2) {
      const remote = tuples[i] ?? '';
      const key = `${remote} ${tuples[i + 1] ?? ''}`;
      const first = this.closeWaitSince.get(key) ?? now;
      since.set(key, first);
      if (now - first >= CLOSE_WAIT_HELD_MS) held.set(remote, (held.get(remote) ?? 0) + 1);
    }
    this.closeWaitSince = since;
    this.closeWaitHeld = held;
  }

  private tableOptions(endpoints: readonly string[]) {
    const { offThread, offThreadAbove } = this.options;
    return {
      ...(this.options.procRoot === undefined ? {} : { procRoot: this.options.procRoot }),
      remote: endpoints,
      ...(offThread === undefined ? {} : { offThread }),
      ...(offThreadAbove === undefined ? {} : { offThreadAbove }),
    };
  }

  /** Scans soon for endpoints the last scan did not cover, at most once per `RESCAN_GAP_MS`. */
  private requestScan(): void {
    if (this.closed || this.rescan || this.polling || this.platform !== 'linux') return;
    const wait = Math.max(0, this.lastScanAt + RESCAN_GAP_MS - Date.now());
    this.rescan = setTimeout(() => {
      this.rescan = undefined;
      if (this.asked?.every((e) => this.covered.has(e))) return;
      void this.refresh();
    }, wait);
    this.rescan.unref();
  }

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    try {
      this.logger.warn(message);
    } catch {
      // A logger that throws must not stop the observation.
    }
  }
}
