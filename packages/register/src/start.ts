/* eslint-disable @typescript-eslint/no-require-imports -- host and OpenTelemetry code is loaded only when the
   first pool appears. */
import { existsSync } from 'node:fs';
import cluster from 'node:cluster';
import { defaultAuditor } from '@poolaudit/core';
import type { Auditor, Finding } from '@poolaudit/core';
import { Hook as RequireHook } from 'require-in-the-middle';
import { applicationEnv, readEnvConfig } from './env-config.js';
import { HOOKS } from './hook-table.js';
import type { CreateOptions, HookEntry } from './hook-table.js';
import { watchFetchDispatcher } from './internal/fetch-watch.js';
import { MetricsEndpoint } from './internal/metrics-endpoint.js';
import { ModuleHooks } from './internal/module-hooks.js';
import { Output } from './internal/output.js';
import { processIdentity } from './internal/process-identity.js';
import { RunChannel } from './internal/run-channel.js';
import type { ProcessIdentity, RegisterConfig, Registered } from './types.js';

/** One registration per process, whichever entry (`--require`, `--import`, both) or copy loads first. */
const SLOT = Symbol.for('poolaudit.register');
/** How often a process under `poolaudit run` sends its snapshot (ms). */
const RUN_INTERVAL_MS = 1000;
/** How often the host observer scans the kernel's socket table (ms). */
const HOST_INTERVAL_MS = 5000;

/** The running registration of this process, or undefined when the hook was not loaded. */
export function registered(): Registered | undefined {
  return (globalThis as Record<symbol, Registration | undefined>)[SLOT];
}

/** Starts the hook once per process. Never throws: a failure is one line on stderr and the app runs as before. */
export function startOnce(): Registration | undefined {
  const slots = globalThis as Record<symbol, Registration | undefined>;
  const running = slots[SLOT];
  if (running) return running;
  try {
    const registration = new Registration();
    slots[SLOT] = registration;
    return registration;
  } catch (err) {
    try {
      process.stderr.write(`poolaudit: the hook could not start (${String(err)}); nothing is audited\n`);
    } catch {
      // stderr is gone: stay silent.
    }
    return undefined;
  }
}

/** The hook in this process: the auditor, the module hooks, and what reports from them. */
export class Registration implements Registered {
  readonly auditor: Auditor;
  readonly config: RegisterConfig;
  readonly process: ProcessIdentity;
  readonly hooked = new Map<string, string>();
  readonly moduleHooks: ModuleHooks;
  private readonly output: Output;
  private readonly audited = new WeakSet<object>();
  private readonly failedLibraries = new Set<string>();
  private readonly failures = new Set<string>();
  private readonly endpoint: MetricsEndpoint | undefined;
  private readonly run: RunChannel | undefined;
  private active = false;

  constructor(given: NodeJS.ProcessEnv = process.env) {
    const env = applicationEnv(given);
    const { config, problems } = readEnvConfig(env);
    this.config = config;
    this.process = processIdentity(env);
    this.output = new Output(config.log, this.process);
    this.run = config.runSocket === undefined ? undefined : new RunChannel(config.runSocket, this.process);
    for (const problem of problems) this.say(problem.message);
    // The default auditor: pools the application audits in code (`auditPool(pool, { name })`) land in the
    // same reports, metrics and findings as those the hook audits.
    this.auditor = defaultAuditor.configure({
      leakDetectionThresholdMs: config.leakMs,
      logger: this.output.logger,
    });
    const entries = HOOKS.filter((entry) => !config.disabled.has(entry.library));
    this.moduleHooks = new ModuleHooks(entries, {
      pool: (entry, pool, callSite, createOptions) => this.audit(entry, pool, callSite, createOptions),
      hooked: (entry, version) => this.hooked.set(entry.package, version),
      skipped: (message) => this.say(message),
    });
    if (entries.length > 0) {
      // require-in-the-middle types its callback as generic in the exports; ours may hand back a proxy.
      const onRequire = ((exports: unknown, name: string, basedir?: string) =>
        this.moduleHooks.onRequire(exports, name, basedir)) as <T>(
        exports: T,
        name: string,
        basedir?: string,
      ) => T;
      new RequireHook(this.moduleHooks.modules, onRequire);
    }
    if (!config.disabled.has('fetch')) {
      watchFetchDispatcher(this.auditor, (err) =>
        this.say(`auditing fetch failed (${String(err)}); fetch goes on unaudited`),
      );
    }
    if (config.prometheusPort !== undefined) {
      const offset = config.prometheusPort === 0 ? 0 : (this.process.worker ?? 0);
      this.endpoint = new MetricsEndpoint(
        this.auditor,
        config.prometheusHost,
        config.prometheusPort + offset,
        cluster.isWorker,
        (message) => this.say(message),
        (url) => this.say(`metrics on ${url}`),
      );
    }
    // The process view must see the connections made before any pool exists, or with no pool at all.
    if (config.processSockets) this.activate();
  }

  get metricsUrl(): string | undefined {
    return this.endpoint?.url;
  }

  /**
   * Audits one pool a hooked export handed out, in a microtask: an application that audits the pool itself
   * right away (`auditPool(mysql.createPool(cfg), { name })`) does so first, and its name stands. The
   * microtask still runs before any I/O, so no connection is missed. A failure is said once per library,
   * and the pool runs on.
   */
  private audit(
    entry: HookEntry,
    pool: object,
    callSite: string | undefined,
    createOptions: CreateOptions,
  ): void {
    if (this.audited.has(pool)) return;
    this.audited.add(pool);
    queueMicrotask(() => this.auditNow(entry, pool, callSite, createOptions));
  }

  private auditNow(
    entry: HookEntry,
    pool: object,
    callSite: string | undefined,
    createOptions: CreateOptions,
  ): void {
    try {
      this.activate();
      entry.audit(pool, entry.defaultName?.(pool, callSite), this.auditor, createOptions);
    } catch (err) {
      if (this.failedLibraries.has(entry.library)) return;
      this.failedLibraries.add(entry.library);
      this.say(
        `could not audit a ${entry.library} pool (${err instanceof Error ? err.message : String(err)}); it runs unaudited`,
      );
    }
  }

  /** At the first pool: findings, periodic lines, the host observer, metrics. Nothing runs before. */
  private activate(): void {
    if (this.active) return;
    this.active = true;
    const { config } = this;
    const onFinding = (cleared: boolean) => (finding: Finding) => {
      this.output.finding(finding, cleared);
      this.run?.finding(finding, cleared);
    };
    this.auditor.on('finding', onFinding(false));
    this.auditor.on('finding-cleared', onFinding(true));
    if (config.reportIntervalMs > 0 && config.log !== 'off') {
      setInterval(
        () => this.guard(() => this.output.report(this.auditor.snapshot())),
        config.reportIntervalMs,
      ).unref();
    }
    if (this.run) {
      const run = this.run;
      const send = (): void => this.guard(() => run.snapshot(this.auditor.snapshot()));
      setInterval(send, RUN_INTERVAL_MS).unref();
      process.once('exit', send);
    }
    if (!config.disabled.has('host') && existsSync('/proc/net/tcp')) {
      this.guard(() => {
        const { observeHost } = require('@poolaudit/host') as typeof import('@poolaudit/host');
        observeHost(this.auditor, { intervalMs: HOST_INTERVAL_MS, logger: this.output.logger });
      });
    }
    if (config.processSockets) this.guard(() => this.auditor.watchProcessSockets());
    this.endpoint?.prepare();
    if (config.otel) {
      this.guard(() => {
        const { registerMetrics } =
          require('@poolaudit/opentelemetry') as typeof import('@poolaudit/opentelemetry');
        registerMetrics(this.auditor);
      });
    }
  }

  /** Runs `run`; a failure is said once (a periodic task failing every interval says it the first time). */
  private guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      const message = `internal failure (${err instanceof Error ? err.message : String(err)}); auditing goes on`;
      if (this.failures.has(message)) return;
      this.failures.add(message);
      this.say(message);
    }
  }

  private say(message: string): void {
    this.output.line('warn', message);
    this.run?.log(message);
  }
}
