import type { Auditor } from '@poolaudit/core';

/** Where the hook writes its findings and periodic lines: `stderr` (text), `json` (one object a line on stderr) or `off`. */
export type LogMode = 'stderr' | 'json' | 'off';

/** A library the hook can audit, as named in `POOLAUDIT_DISABLE`. */
export type HookedLibrary =
  'mysql2' | 'ioredis' | 'undici' | 'fetch' | 'generic-pool' | 'pg' | 'http' | 'grpc' | 'tarn' | 'node-redis';

/** The hook's settings, read from `POOLAUDIT_*` environment variables (see the README's table). */
export interface RegisterConfig {
  /** How often each pool's Go `DBStats` line and each destination's TIME_WAIT line are logged (ms); 0 = never. Default 60000. */
  readonly reportIntervalMs: number;
  /** Default `stderr`. */
  readonly log: LogMode;
  /** Port of the Prometheus `/metrics` endpoint; undefined = no endpoint (default). */
  readonly prometheusPort: number | undefined;
  /** Address the endpoint binds to. Default `127.0.0.1`. */
  readonly prometheusHost: string;
  /** Register the pool metrics on the global OpenTelemetry `MeterProvider`. Default false. */
  readonly otel: boolean;
  /** `POOLAUDIT_PROCESS_SOCKETS=1`: the process-wide view of connections no adapter audits. */
  readonly processSockets: boolean;
  /** A connection held longer than this (ms) is reported as a leak; 0 = off (default). */
  readonly leakMs: number;
  /** Libraries left alone, plus `host` for the kernel observer. Default none. */
  readonly disabled: ReadonlySet<HookedLibrary | 'http-server' | 'host'>;
  /** The `poolaudit run` socket snapshots are sent to (set by the CLI). */
  readonly runSocket: string | undefined;
}

/** One problem found in the environment: logged (never thrown), and the setting falls back to its default. */
export interface ConfigProblem {
  /** The variable, e.g. `POOLAUDIT_LOG`. */
  readonly variable: string;
  /** One line naming the variable, the value and what was expected (with a "did you mean" when close). */
  readonly message: string;
}

/** Which process this is, as every report and metric endpoint says it. */
export interface ProcessIdentity {
  readonly pid: number;
  /** `cluster` worker id, or PM2's `NODE_APP_INSTANCE`; undefined in a lone or primary process. */
  readonly worker: number | undefined;
  /** `pid 4242` or `worker 2 pid 4242`. */
  readonly label: string;
}

/** What the running hook exposes to an application that wants to read it. */
export interface Registered {
  /** The auditor every hooked pool is registered into. */
  readonly auditor: Auditor;
  readonly config: RegisterConfig;
  readonly process: ProcessIdentity;
  /** The libraries hooked in this process so far, with the version seen. */
  readonly hooked: ReadonlyMap<string, string>;
  /** `http://127.0.0.1:9464/metrics` once the endpoint listens. */
  readonly metricsUrl: string | undefined;
}
