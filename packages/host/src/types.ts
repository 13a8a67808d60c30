import type { PortRange } from '@poolaudit/core';

/** TCP states as the kernel numbers them (`include/net/tcp_states.h`), named as `ss` names them. */
export type TcpState =
  | 'established'
  | 'synSent'
  | 'synRecv'
  | 'finWait1'
  | 'finWait2'
  | 'timeWait'
  | 'close'
  | 'closeWait'
  | 'lastAck'
  | 'listen'
  | 'closing';

/** How many sockets are in each state. */
export type StateCounts = Readonly<Record<TcpState, number>>;

/** What the remaining TIME_WAIT timers toward one endpoint say (s), read from the `tm->when` field. */
export interface TimeWaitRemaining {
  /** The entry closest to expiry (s left). */
  readonly min: number;
  /** The newest entry (s left; about 60 right after a close on Linux). */
  readonly max: number;
}

/** One socket as `/proc/net/tcp{,6}` lists it (returned only with `listSockets: true`). */
export interface TableSocket {
  /** `endpointKey` form: `127.0.0.1:3306`, `[::1]:6379`; v4-mapped addresses as plain IPv4. */
  readonly local: string;
  readonly remote: string;
  readonly state: TcpState;
  /** Seconds left on the TIME_WAIT timer; `null` for other states. */
  readonly timeWaitRemaining: number | null;
  /** Which file listed it. */
  readonly file: 'tcp' | 'tcp6';
}

/** Something in `/proc` that could not be read or parsed. */
export interface TableProblem {
  /** The file, e.g. `/proc/net/tcp6`. */
  readonly file: string;
  /** `missing`, `unreadable`, `empty`, `bad-header`, `malformed-line`, `truncated-line`, `unknown-state`. */
  readonly kind: string;
  /** 1-based line number for line problems. */
  readonly line?: number;
  readonly message: string;
}

/** The kernel's TCP sockets, counted. */
export interface SocketTable {
  /** Counts per remote endpoint (`endpointKey` form), limited to the `remote` filter when one is given. */
  readonly byRemote: ReadonlyMap<string, StateCounts>;
  /** Counts per local endpoint, limited to the `local` filter when one is given (empty when only `remote` is). */
  readonly byLocal: ReadonlyMap<string, StateCounts>;
  /** TIME_WAIT timers per remote endpoint in `byRemote` that has TIME_WAIT sockets. */
  readonly timeWaitRemaining: ReadonlyMap<string, TimeWaitRemaining>;
  /** Every socket in the table (in the `states` filter), whatever its endpoints. */
  readonly totals: StateCounts;
  /** The matching sockets one by one, when `listSockets` was set. */
  readonly sockets?: readonly TableSocket[];
  /**
   * With `tuples`: the kernel's state number of each asked 4-tuple, in order (`include/net/tcp_states.h`:
   * 1 ESTABLISHED … 6 TIME_WAIT … 11 CLOSING; 0 = not in the table).
   */
  readonly tupleStates?: Uint8Array;
  /**
   * Remote, local, remote, local…: the CLOSE_WAIT sockets toward the counted remote endpoints, when the host
   * observer asked for them (it follows them from scan to scan). Absent from `readSocketTable()`.
   */
  readonly closeWaitTuples?: readonly string[];
  /** Socket lines parsed (both files). */
  readonly lines: number;
  /** True when some file or line could not be read: the counts are then a lower bound. */
  readonly partial: boolean;
  readonly problems: readonly TableProblem[];
  /** Whether the files were read and parsed in a worker thread. */
  readonly offThread: boolean;
  /** Wall time of the scan (ms). */
  readonly durationMs: number;
}

/** Options of `readSocketTable`. */
export interface SocketTableOptions {
  /** Where `/proc` is mounted (tests point it at a directory of fixtures). Default `/proc`. */
  readonly procRoot?: string;
  /** Count per remote endpoint only these (`host:port`, `[v6]:port`; IPs, as `endpointKey` makes them). Default: all. */
  readonly remote?: readonly string[];
  /** Count per local endpoint only these. Default: all when `remote` is not given either, else none. */
  readonly local?: readonly string[];
  /** Count only these states (in totals too). Default: all. */
  readonly states?: readonly TcpState[];
  /** Also return each matching socket (those in `byRemote` or `byLocal`). Default false. */
  readonly listSockets?: boolean;
  /**
   * 4-tuples to look up, whatever the other filters: `local[i]` → `remote[i]`, in `endpointKey` form
   * (`127.0.0.1:41234`, `[::1]:6379`). Their states come back in `tupleStates`. One hash lookup per table
   * line whose local port is wanted; this is how a closed connection is confirmed as a TIME_WAIT socket.
   */
  readonly tuples?: { readonly local: readonly string[]; readonly remote: readonly string[] };
  /**
   * Read and parse in a worker thread: `true`, `false`, or `'auto'` (default) = in a worker when
   * `/proc/net/sockstat` shows more than `offThreadAbove` sockets, so big tables never block the event loop.
   */
  readonly offThread?: boolean | 'auto';
  /** Socket count above which `'auto'` moves the scan to a worker. Default 2000. */
  readonly offThreadAbove?: number;
  /** Ticks per second of the `tm->when` field (`getconf CLK_TCK`, USER_HZ). Default 100. */
  readonly userHz?: number;
  /** Byte order of the kernel that wrote the files. Default `os.endianness()`. */
  readonly endianness?: 'LE' | 'BE';
}

/** Options of `readCounters` and `readSysctls`. */
export interface ProcOptions {
  /** Where `/proc` is mounted. Default `/proc`. */
  readonly procRoot?: string;
  /** The platform whose facts to report. Default `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/** The always-cheap TCP counters of this network namespace; `null` where a field could not be read. */
export interface TcpCounters {
  /** `/proc/net/sockstat` `TCP:` line. `inuse` and `tw` are per netns; `orphan`, `alloc`, `mem` host-wide. */
  readonly sockstat: {
    readonly inuse: number | null;
    readonly orphan: number | null;
    /** Live TIME_WAIT minisockets, orphaned FIN_WAIT2 included. */
    readonly tw: number | null;
    readonly alloc: number | null;
    /** TCP memory in pages. */
    readonly mem: number | null;
  };
  /** `/proc/net/netstat` `TcpExt:` (cumulative). */
  readonly tcpExt: {
    /** TIME_WAIT sockets created (at creation since about Linux 5.18). Its rate is the TIME_WAIT creation rate. */
    readonly TW: number | null;
    /** connect() reused a TIME_WAIT 4-tuple. */
    readonly TWRecycled: number | null;
    readonly TWKilled: number | null;
    /** A TIME_WAIT could not be created (`tcp_max_tw_buckets` reached). */
    readonly TCPTimeWaitOverflow: number | null;
    readonly TCPAbortOnClose: number | null;
    /** Also counts zero-linger closes (`resetAndDestroy()`). */
    readonly TCPAbortOnData: number | null;
  };
  /** `/proc/net/snmp` `Tcp:`. */
  readonly tcp: {
    /** connect() attempts (cumulative): its rate is the outgoing connection churn. */
    readonly ActiveOpens: number | null;
    readonly PassiveOpens: number | null;
    /** Gauge: ESTABLISHED (+ CLOSE_WAIT on kernels with commit a46d0ea5c942). */
    readonly CurrEstab: number | null;
    readonly EstabResets: number | null;
    readonly AttemptFails: number | null;
    readonly OutRsts: number | null;
  };
  /** True when some file or field could not be read. */
  readonly partial: boolean;
  readonly problems: readonly TableProblem[];
}

/**
 * Where a setting's value came from: read from `/proc/sys`, a kernel constant, a platform's documented default,
 * a setting this kernel or platform does not have (`absent`), or nothing readable (`unknown`).
 */
export type SysctlSource = 'proc' | 'kernel-constant' | 'documented-default' | 'absent' | 'unknown';

/** One setting: its value (or `null`), and where that value came from. */
export interface SysctlReading<T> {
  /** The platform's name for it (`net.ipv4.tcp_tw_reuse`, `TcpTimedWaitDelay`). */
  readonly name: string;
  readonly value: T | null;
  readonly source: SysctlSource;
  /** Why the value is what it is, when that needs saying. */
  readonly note?: string;
}

/** The host settings that decide TIME_WAIT and port budgets. */
export interface HostSysctls {
  readonly platform: NodeJS.Platform;
  /** Ephemeral ports connect() picks from (per network namespace on Linux). */
  readonly ipLocalPortRange: SysctlReading<PortRange>;
  /** Ports excluded from automatic assignment. */
  readonly ipLocalReservedPorts: SysctlReading<readonly PortRange[]>;
  /** 0 off, 1 on, 2 loopback only (default since Linux 4.18). Applies to outgoing connect() only. */
  readonly tcpTwReuse: SysctlReading<number>;
  /** Age (ms) a TIME_WAIT must reach before reuse (Linux 6.14+); it does not shorten TIME_WAIT. */
  readonly tcpTwReuseDelayMs: SysctlReading<number>;
  /** Most TIME_WAIT sockets kept; past it TIME_WAIT is skipped (`TCPTimeWaitOverflow`). */
  readonly tcpMaxTwBuckets: SysctlReading<number>;
  /** Orphaned FIN_WAIT2 lifetime (s). It does not change TIME_WAIT. */
  readonly tcpFinTimeoutSeconds: SysctlReading<number>;
  /** 1 = TCP timestamps on (needed for safe reuse). */
  readonly tcpTimestamps: SysctlReading<number>;
  /** `tcp_tw_recycle` (removed in Linux 4.12; 1 breaks clients behind NAT). */
  readonly tcpTwRecycle: SysctlReading<number>;
  /** How long TIME_WAIT lasts here (s). */
  readonly timeWaitSeconds: SysctlReading<number>;
}
