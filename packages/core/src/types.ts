import type { Socket } from 'node:net';
import type { OptionSchema } from './lint/option-readers.js';

/** Why a connection was closed. The first four mirror Go `DBStats` (`MaxIdleClosed`, …). */
export type CloseReason =
  /** Closed because more connections were idle than the pool keeps (Go `MaxIdleClosed`). */
  | 'maxIdle'
  /** Closed after sitting idle longer than the idle timeout, or an HTTP keep-alive expiry (Go `MaxIdleTimeClosed`). */
  | 'idleTimeout'
  /** Closed because it reached its maximum age or number of uses (Go `MaxLifetimeClosed`). */
  | 'maxLifetime'
  /** The server hung up (its idle timeout, `KILL`, a restart, `Connection: close`). */
  | 'remote'
  /** A connection or protocol error ended it. */
  | 'error'
  /** The pool was shut down (`end()`, `close()`, `drain()`). */
  | 'shutdown'
  /** Anything else, for example the application destroying the connection itself. */
  | 'other';

/** Which side sent the first FIN (or a reset), read at the socket. The closer keeps the TIME_WAIT socket. */
export type ClosedBy = 'local' | 'remote' | 'reset' | 'unknown';

/** How bad a finding is. `error` makes `lintPools({ failOn: 'error' })` throw. */
export type Severity = 'info' | 'warning' | 'error';

/**
 * A pool's settings in one shape for every library. `null` means "no limit" (or "not applicable");
 * `undefined` fields are simply not known.
 */
export interface PoolConfig {
  /** Most connections the pool opens at once; `null` = unlimited. */
  readonly maxOpen?: number | null;
  /** Most idle connections kept; `null` = same as `maxOpen`. */
  readonly maxIdle?: number | null;
  /** Fewest idle connections kept warm. */
  readonly minIdle?: number | null;
  /** A connection idle this long is closed (ms); `null` = never. */
  readonly idleTimeoutMs?: number | null;
  /** A connection this old is closed (ms); `null` = never. */
  readonly maxLifetimeMs?: number | null;
  /** Most acquires that may queue; `null` = unbounded. */
  readonly queueLimit?: number | null;
  /** An acquire that waits this long fails (ms); `null` = waits forever. */
  readonly acquireTimeoutMs?: number | null;
  /** Whether TCP keep-alive (or HTTP keep-alive for HTTP pools) is on. */
  readonly keepAlive?: boolean | null;
}

/** The library's option name for each normalized setting (`{ maxOpen: 'connectionLimit' }`). */
export type SettingNames = Readonly<Partial<Record<keyof PoolConfig, string>>>;

/** What an adapter tells the auditor about a pool when it registers it. */
export interface PoolRegistration {
  /** Name shown in every output. Registrations with the same name and kind share one pool record. */
  readonly name: string;
  /** The library: `mysql2`, `ioredis`, `undici`, `generic-pool`, … */
  readonly kind: string;
  /**
   * `inbound` for the connections a server accepted: they are grouped by the peer's address (not its
   * ephemeral port), count toward no destination (a server's TIME_WAIT takes no ephemeral port, so no port
   * budget), and are still confirmed against the kernel per 4-tuple. Default `outbound`.
   */
  readonly direction?: 'outbound' | 'inbound';
  /** Normalized settings. */
  readonly config: PoolConfig;
  /** The library's own options, shown redacted in reports. */
  readonly rawConfig?: Readonly<Record<string, unknown>>;
  /** The library's name for each normalized setting, so that advice names the option the user writes. */
  readonly settings?: SettingNames;
  /** Reads the number of queued acquires from the library itself at snapshot time. */
  readonly readPending?: () => number;
  /** The startup-lint rules for this library, run by `lintPools()` on the pool's options. */
  readonly lintRules?: readonly LintRule[];
  /**
   * The options the library holds (or the application gave), checked once at registration against the
   * library's option schema: keys it does not take become `<kind>/unknown-option` in `lintPools()`. Only the
   * keys' names are kept, never their values. `ignore` lists keys the library adds itself.
   */
  readonly optionCheck?: {
    readonly options: Readonly<Record<string, unknown>>;
    readonly schema: OptionSchema;
    readonly ignore?: readonly string[];
  };
  /** Reads server-side settings that rules check (e.g. `serverIdleTimeoutMs`); run by `lintPools({ probeServers: true })`. */
  readonly probeServer?: () => Promise<Readonly<Record<string, number | string | boolean>>>;
}

/** What the adapter knows about a new connection. */
export interface OpenedInfo {
  /** The TCP socket; who closed first is read from it. */
  readonly socket?: Socket | null;
  /** `host:port` when no socket is at hand (or before it has connected). */
  readonly endpoint?: string;
  /**
   * This end's `ip:port` when no socket is at hand. With a socket it is read at connect (a closed socket no
   * longer knows its local port); it lets a host observer confirm the connection's TIME_WAIT per 4-tuple.
   */
  readonly local?: string;
  /** When the connect attempt started (auditor clock, ms); gives the connect time. */
  readonly connectStartedAt?: number;
}

/** What the adapter knows about a connection attempt that failed (refused, timed out, TLS, authentication). */
export interface ConnectFailure {
  /** `host:port` it tried, when known. */
  readonly endpoint?: string | null;
  /**
   * The error the library got. Its `code` (`ECONNREFUSED`, `ER_ACCESS_DENIED_ERROR`, `28P01`, `WRONGPASS`)
   * and its message, with any URL credentials removed, are kept; the error itself is not.
   */
  readonly error?: unknown;
}

/**
 * The calls an adapter makes as its library works. Every call is O(1), never throws, and allocates
 * nothing on the acquire/release path.
 */
export interface PoolProbe {
  /** The auditor clock, in ms. Pass its value back to `acquired`/`acquireFailed`. */
  now(): number;
  /** A connection (any object the adapter can recognise later) was opened. */
  opened(conn: object, info?: OpenedInfo): void;
  /** An acquire began; returns its start time. */
  acquireStart(): number;
  /** An acquire got `conn`. `queued` is true when it had to wait for a connection (Go `WaitCount`). */
  acquired(conn: object, startedAt: number, queued: boolean): void;
  /**
   * A connection already in use (since its `acquired`) carries one more request: a multiplexed connection
   * (Redis, HTTP/2) taking another command before the previous ones are answered. Counts the use
   * (`acquired`, uses per connection) and nothing else: no clock read, no wait timing, no allocation. The
   * connection's in-use period, its use time and its leak hold time still run from `acquired` to `released`.
   * Ignored for a connection that is not in use.
   */
  used(conn: object): void;
  /**
   * A connection attempt failed before the connection was usable: nothing was opened. Counted in
   * `connectErrors`, with the last failure's code, message and endpoint; `connect-failing` reads them.
   */
  connectFailed(failure: ConnectFailure): void;
  /** An acquire failed. `timedOut` counts it in `timeouts`. */
  acquireFailed(startedAt: number, queued: boolean, timedOut: boolean): void;
  /** `conn` went back to the pool. */
  released(conn: object): void;
  /** `conn` was closed. Without `reason` it is derived from the socket (remote → `remote`, reset → `error`). */
  closed(conn: object, reason?: CloseReason, detail?: string): void;
  /** Records a fact about the pool that detectors may use (e.g. `serverKeepAliveTimeoutMs`). */
  annotate(key: string, value: number | string | boolean): void;
  /** Counts an event with no connection of its own (e.g. `connection-close-response`). */
  count(event: string, n?: number): void;
  /**
   * The pool was shut down (`end()`, `close()`, `quit()`): this registration leaves its pool record, which
   * goes on reading the sockets still open until they close. Once no registration is left and the
   * TIME_WAIT window has passed, the record leaves the auditor. Calls after it still record.
   */
  ended(): void;
  /**
   * Renames the pool (an app naming a pool that was audited under a generated name, by auditing it again
   * with a `name`): the record and its history take the new name when this registration is its only member
   * and the name is free; otherwise the pool keeps its name and the auditor's logger says why, once. A
   * name held by a pool of another kind throws `InvalidOptionError`, as `register()` does.
   */
  rename(name: string): void;
  /**
   * Leaves the auditor (the pool was detached): this registration stops recording, and when it was the
   * last one, the sockets still open are no longer read. The record leaves the auditor once the TIME_WAIT
   * window has passed. A registration whose pool is garbage-collected leaves as if it had ended.
   */
  unregister(): void;
}

/** A failed connection attempt, as kept: no error object, no credentials. */
export interface ConnectErrorInfo {
  /** The error's `code` (`ECONNREFUSED`, `ER_ACCESS_DENIED_ERROR`, `28P01`, …), or `unknown`. */
  readonly code: string;
  /** The error's message, URL credentials removed, at most 200 characters. */
  readonly message: string;
  /** The `host:port` it tried, when known. */
  readonly endpoint: string | null;
  /** When it failed (auditor clock, ms). */
  readonly at: number;
}

/** Summary of a bounded latency histogram, in ms. */
export interface TimingSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ClosedByCounts {
  readonly local: number;
  readonly remote: number;
  readonly reset: number;
  /** Closures of connections with no socket to read. */
  readonly unknown: number;
}

/** Where a TIME_WAIT footprint comes from: the kernel's table matched per 4-tuple, or the ledger's count. */
export type FootprintSource = 'kernel' | 'counted';

export interface TimeWaitStats {
  /**
   * TIME_WAIT sockets these closes hold here now. With a host observer that has scanned (`source: 'kernel'`):
   * `confirmed + unconfirmed`; without one (`source: 'counted'`): `counted`.
   */
  readonly footprint: number;
  /** Which figure `footprint` is. */
  readonly source: FootprintSource;
  /** Connections closed here first within the last `windowSeconds`, read at the socket. */
  readonly counted: number;
  /**
   * Closed connections whose 4-tuple the kernel showed in TIME_WAIT, within the window; `null` without a
   * host observer scan (macOS, Windows, no `/proc`).
   */
  readonly confirmed: number | null;
  /**
   * Local closes the kernel showed left no TIME_WAIT: they ended in a reset (data still unread at close, such
   * as TLS 1.3 session tickets, makes Linux send RST instead of FIN); `null` without a host observer scan.
   */
  readonly resets: number | null;
  /** Local closes since the last scan, not looked up yet (counted in `footprint` meanwhile); `null` without. */
  readonly unconfirmed: number | null;
  /** `footprint / windowSeconds`. */
  readonly ratePerSecond: number;
  /** The TIME_WAIT length in force (60 s on Linux). */
  readonly windowSeconds: number;
  /** Share (0–1) of the ephemeral ports toward the busiest destination held in TIME_WAIT by this pool. */
  readonly portBudgetUsed: number;
}

/** What the kernel says about sockets toward one endpoint (filled by a host observer). */
export interface KernelEndpointView {
  readonly timeWait: number;
  readonly closeWait: number;
  /**
   * Of `closeWait`, the sockets the observer has seen in CLOSE_WAIT (the same 4-tuple) for at least a second:
   * stuck, not the instant between the server's FIN and the client's close. Undefined when the observer
   * does not follow sockets from scan to scan.
   */
  readonly closeWaitHeld?: number;
  readonly established: number;
}

/** Go `DBStats` and more, computed on read. */
export interface PoolStats {
  /** Go `MaxOpenConnections`; `null` = unlimited. */
  readonly maxOpen: number | null;
  readonly maxIdle: number | null;
  readonly open: number;
  readonly inUse: number;
  readonly idle: number;
  readonly pending: number;
  /** Connections ever opened. */
  readonly created: number;
  /** Acquires that got a connection. */
  readonly acquired: number;
  /** Go `WaitCount`: acquires that had to queue. */
  readonly waitCount: number;
  /** Go `WaitDuration`: total time queued acquires waited, timed-out ones included. */
  readonly waitDurationMs: number;
  readonly timeouts: number;
  readonly acquireErrors: number;
  /** Connection attempts that failed (refused, timed out, TLS, authentication), since registration. */
  readonly connectErrors: number;
  /** The same, by error code (`ECONNREFUSED`, `28P01`, …; `unknown` when the library gave none). */
  readonly connectErrorsByCode: Readonly<Record<string, number>>;
  /** The most recent failed attempt; `null` when none failed. */
  readonly lastConnectError: ConnectErrorInfo | null;
  readonly closed: Readonly<Record<CloseReason, number>>;
  /** Finer reasons reported by the adapter (`keep-alive-hint`, `connection-close`, `min-refill`, …). */
  readonly closedDetail: Readonly<Record<string, number>>;
  readonly closedBy: ClosedByCounts;
  readonly timeWait: TimeWaitStats;
  /** Connections opened/closed per second over the window. */
  readonly openedPerSecond: number;
  readonly closedPerSecond: number;
  /** Highest in-use count seen in the window. */
  readonly peakInUse: number;
  /** Acquires per connection ever opened (the reuse ratio). */
  readonly usesPerConnection: number;
  /** Connections held longer than the leak threshold right now. */
  readonly leaked: number;
  readonly timings: {
    readonly connect: TimingSummary;
    readonly wait: TimingSummary;
    readonly use: TimingSummary;
    readonly lifetime: TimingSummary;
  };
  /** Events counted by the adapter with `probe.count()`. */
  readonly events: Readonly<Record<string, number>>;
}

export interface EndpointStats {
  /** `host:port`, IPv6 as `[addr]:port`, v4-mapped addresses as plain IPv4. */
  readonly endpoint: string;
  readonly open: number;
  readonly created: number;
  readonly closedBy: ClosedByCounts;
  readonly timeWait: TimeWaitStats;
  /** Kernel counts toward this endpoint, when a host observer is attached. */
  readonly kernel?: KernelEndpointView;
}

export interface Finding {
  /** Stable identifier: `max-idle-churn`, `server-closes-first`, … */
  readonly code: string;
  readonly severity: Severity;
  /** The pool's name (for endpoint-level findings, the pools involved, comma-separated). */
  readonly pool: string;
  readonly endpoint?: string;
  /** What is happening, in one sentence with the numbers. */
  readonly message: string;
  /** The figures the diagnosis rests on. */
  readonly evidence: Readonly<Record<string, number | string | boolean | null>>;
  /** What to change, naming the setting and the value. */
  readonly advice: string;
}

/** A count over the window, with the number of distinct seconds it happened in (to tell a blip from a trend). */
export interface WindowCount {
  readonly count: number;
  readonly seconds: number;
}

/** What happened within the last `windowSeconds` (the TIME_WAIT length): the evidence detectors read. */
export interface RecentActivity {
  readonly windowSeconds: number;
  readonly opened: WindowCount;
  readonly closed: WindowCount;
  readonly closedByReason: Readonly<Record<CloseReason, WindowCount>>;
  readonly closedBy: {
    readonly local: WindowCount;
    readonly remote: WindowCount;
    readonly reset: WindowCount;
  };
  /** Acquires that queued. */
  readonly waits: WindowCount;
  /** Connection attempts that failed. */
  readonly connectErrors: WindowCount;
  readonly timeouts: WindowCount;
  /** Opens that replaced a connection closed for idle time. */
  readonly reopenedAfterIdleClose: WindowCount;
  /** Registrations that joined this pool (a client created per request shows here). */
  readonly clientsCreated: WindowCount;
  readonly events: Readonly<Record<string, WindowCount>>;
  readonly peakInUse: number;
  readonly peakPending: number;
  /** How long connections closed for idle time had been idle (ms, since start). */
  readonly idleBeforeCloseMs: TimingSummary;
  /** How soon a replacement was opened after an idle-time close (ms, since start). */
  readonly reopenDelayMs: TimingSummary;
}

/** A connection held longer than the leak threshold. */
export interface LeakedConnection {
  readonly heldMs: number;
  /** Where it was acquired. */
  readonly stack: string;
}

export interface PoolSnapshot {
  readonly name: string;
  readonly kind: string;
  /** `inbound`: a server's accepted connections, grouped by peer (see `PoolRegistration.direction`). */
  readonly direction?: 'outbound' | 'inbound';
  readonly config: PoolConfig;
  /** The library's own options, secrets redacted. */
  readonly rawConfig?: Readonly<Record<string, unknown>>;
  readonly settings: SettingNames;
  readonly annotations: Readonly<Record<string, number | string | boolean>>;
  readonly endpoints: readonly EndpointStats[];
  readonly stats: PoolStats;
  readonly recent: RecentActivity;
  /** Connections held past the leak threshold right now (empty while leak detection is off). */
  readonly leaks: readonly LeakedConnection[];
  readonly findings: readonly Finding[];
}

export interface AuditSnapshot {
  /** Auditor clock (ms) at which it was taken. */
  readonly at: number;
  readonly windowSeconds: number;
  readonly portRange: PortRange;
  readonly pools: readonly PoolSnapshot[];
  /** Every destination across all pools: port budgets are per destination. */
  readonly endpoints: readonly (EndpointStats & { readonly pools: readonly string[] })[];
  /** Findings that concern a destination rather than one pool (port exhaustion, unaudited TIME_WAIT). */
  readonly findings: readonly Finding[];
  /** The process's connections no adapter audits: present while `watchProcessSockets()` is on. */
  readonly unaudited?: ProcessSocketsSnapshot;
  /**
   * Per destination the kernel has a count for: its TIME_WAIT sockets split into the audited pools' share,
   * this process's unaudited share, and the rest. Present while a host observer is attached.
   */
  readonly reconciliation?: readonly TimeWaitReconciliation[];
}

/** `auditor.watchProcessSockets()`: what it reads, and at what cost. */
export interface ProcessSocketsOptions {
  /**
   * Stacks sampled per second at connect, to name the library and application frame behind a connection
   * (about 10–20 µs each). 0 turns call sites off. Default 20.
   */
  readonly samplesPerSecond?: number;
}

/** The process-wide view of outbound TCP connections that no adapter registered. */
export interface ProcessSocketsSnapshot {
  /** How connects are seen: Node's `net.client.socket` channel (Node 24) or a wrap of `Socket#connect` (20, 22). */
  readonly mechanism: 'diagnostics-channel' | 'socket-connect-wrap';
  readonly samplesPerSecond: number;
  /** Connections to destinations past the 1,024 followed, not counted anywhere else. */
  readonly untracked: number;
  /** Most TIME_WAIT first. */
  readonly destinations: readonly UnauditedDestination[];
}

/** Unaudited connections toward one destination, open now or closed within the window. */
export interface UnauditedDestination {
  readonly endpoint: string;
  readonly open: number;
  /** Connections seen since the view started (closed ones leave once the window has passed quietly). */
  readonly created: number;
  readonly closedBy: ClosedByCounts;
  /** Connect to close, of the closed ones. */
  readonly lifetime: TimingSummary;
  /** The TIME_WAIT sockets these connections left: confirmed per 4-tuple with a host observer, else counted. */
  readonly timeWait: TimeWaitStats;
  /** Kernel counts toward this destination (every process's), when a host observer is attached. */
  readonly kernel?: KernelEndpointView;
  /** Connections whose stack was sampled at connect. */
  readonly sampled: number;
  /** Call sites of the sampled connections, most connections first. */
  readonly callers: readonly UnauditedCaller[];
}

/** Where sampled connections came from. */
export interface UnauditedCaller {
  /** The package (`undici`, `axios`) or Node module (`node:https`, `node:net`) the application called. */
  readonly library: string | null;
  /** The application's innermost frame, `file:line`; null when the stack held none (an async callback). */
  readonly frame: string | null;
  /** Sampled connections from here (closed within the window, or open). */
  readonly connections: number;
  readonly open: number;
}

/** The kernel's TIME_WAIT count toward one destination = `pools` + `unaudited` + `unexplained`. */
export interface TimeWaitReconciliation {
  readonly endpoint: string;
  /** The kernel's count (every process in this network namespace). */
  readonly kernel: number;
  /** The audited pools' footprint, and whether it is confirmed per 4-tuple or counted. */
  readonly pools: number;
  readonly poolsSource: FootprintSource;
  /** This process's unaudited connections' footprint; null while `watchProcessSockets()` is off. */
  readonly unaudited: number | null;
  /** What neither explains: other processes (and, with the process view off, unaudited clients here). */
  readonly unexplained: number;
}

/** An inclusive ephemeral port range. */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** Where the SDK reports its own troubles and periodic lines. */
export interface AuditLogger {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Closed connections whose 4-tuples a host scan looks up among the kernel's sockets, from
 * `auditor.closeLookup()`. `local[i]` and `remote[i]` (`endpointKey` form) are one connection.
 */
export interface CloseLookup {
  readonly local: readonly string[];
  readonly remote: readonly string[];
  /**
   * Hands back the kernel's TCP state number of each 4-tuple (`include/net/tcp_states.h`: 6 = TIME_WAIT;
   * 0 = no such socket), in the same order; `null` when the scan failed (they are looked up next time).
   */
  settle(states: ArrayLike<number> | null): void;
}

/** Supplies kernel facts; implemented by `@poolaudit/host`. Must answer from memory, synchronously. */
export interface HostObserver {
  /** Kernel counts for the given endpoints, from the observer's latest scan. */
  endpointView(endpoints: readonly string[]): ReadonlyMap<string, KernelEndpointView> | undefined;
  /** The host's real ephemeral port range, when known. */
  portRange?(): PortRange | undefined;
  /** Stops any polling the observer does. */
  close?(): void;
}

/** Sustain thresholds for one detector: it fires only on this much evidence within the window. */
export interface DetectorThresholds {
  /** Events needed within the window. */
  readonly minEvents?: number;
  /** Distinct seconds of the window with at least one event. */
  readonly minSeconds?: number;
  /** `port-exhaustion-risk` only: the share of the port budget that warns (default 0.2; 2.5× it is an error). */
  readonly minShare?: number;
  /** Set false to turn the detector off. */
  readonly enabled?: boolean;
}

export interface AuditorOptions {
  /** Recording on or off. A disabled auditor hands out probes that record nothing. Default true. */
  readonly enabled?: boolean;
  /** TIME_WAIT length and window length in seconds. Default: the platform's (60 Linux, 30 macOS, 240 Windows). */
  readonly timeWaitSeconds?: number;
  /** Ephemeral port range. Default 32768–60999 (Linux) until a host observer supplies the real one. */
  readonly portRange?: PortRange;
  /** A connection held longer than this (ms) is reported as a leak with its acquiring stack. 0 = off (default). */
  readonly leakDetectionThresholdMs?: number;
  /** Per-detector thresholds, by finding code. */
  readonly detectors?: Readonly<Record<string, DetectorThresholds>>;
  /** Monotonic clock in ms. Default `performance.now()`. */
  readonly clock?: () => number;
  /** Default: `console`, prefixed `poolaudit:`. */
  readonly logger?: AuditLogger;
}

export interface StartOptions {
  /** How often findings are evaluated and the stats line is logged (ms). Default 1000. */
  readonly intervalMs?: number;
  /** Receives one Go `DBStats`-style line per pool per interval; `false` logs nothing. Default: the logger's `info`. */
  readonly log?: ((line: string) => void) | false;
}

export interface AuditorEvents {
  /** A finding started to hold. */
  finding: [Finding];
  /** A finding no longer holds. */
  'finding-cleared': [Finding];
  /** A leaked connection was released after all (HikariCP's "unleaked"). */
  'leak-released': [{ pool: string; heldMs: number; stack: string }];
}

/** What a lint rule looks at: one pool (or the host) as configured, and what is known about it. */
export interface LintSubject {
  /** `mysql2`, `undici`, `ioredis`, `generic-pool`, `http-agent`, `host`, … */
  readonly kind: string;
  readonly name: string;
  /** The library's options as written (secrets redacted), or the host's sysctls. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Facts from a server probe or the audit (`serverIdleTimeoutMs`, `serverKeepAliveTimeoutMs`, …). */
  readonly facts: Readonly<Record<string, number | string | boolean>>;
  /** The pool's live snapshot, when an audited pool is linted. */
  readonly snapshot?: PoolSnapshot;
}

/** What a rule found wrong. */
export interface LintViolation {
  readonly message: string;
  readonly evidence: Readonly<Record<string, number | string | boolean | null>>;
  /** The change to make, naming the option and the value. */
  readonly fix: string;
  /** Overrides the rule's default severity for this case. */
  readonly severity?: Severity;
}

/** A startup check of one setting, with a stable id (`mysql2/max-idle-below-limit`). */
export interface LintRule {
  readonly id: string;
  /** The subject kind it applies to; `*` for every subject. */
  readonly kind: string;
  readonly severity: Severity;
  /** One line: what the rule catches and why it matters. */
  readonly description: string;
  check(subject: LintSubject): LintViolation | undefined;
}

/** Which duration a timing event carries: connect time, acquire wait, time held, or whole lifetime. */
export type PoolTiming = 'connect' | 'wait' | 'use' | 'lifetime';

/**
 * Receives each duration as a pool records it (ms). `endpoint` is the connection's `host:port`, or null
 * while unknown. Called synchronously on the pool's hot path: keep it O(1).
 */
export type TimingListener = (
  pool: string,
  kind: string,
  timing: PoolTiming,
  ms: number,
  endpoint: string | null,
) => void;
