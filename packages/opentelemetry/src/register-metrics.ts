import { diag, metrics } from '@opentelemetry/api';
import type { BatchObservableCallback, MeterProvider } from '@opentelemetry/api';
import { InvalidOptionError, accepts, checkOptions } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { observeSnapshot } from './internal/collect.js';
import { createInstruments } from './internal/instruments.js';
import { ServerAttributes } from './internal/server-attributes.js';
import { TimingRecorder } from './internal/timing-recorder.js';
import type { MetricsHandle, MetricsOptions } from './types.js';

const METER_NAME = '@poolaudit/opentelemetry';
const METER_VERSION = '0.1.0';
// gRPC runs over HTTP/2: a channel's connections are HTTP client connections (`http.client.open_connections`).
const DEFAULT_HTTP_KINDS: readonly string[] = ['undici', 'http-agent', 'grpc'];
/** Auditors registered per provider: a second registration would record every histogram twice. */
const registered = new WeakMap<MeterProvider, WeakSet<Auditor>>();

/**
 * Reports every pool of `auditor` as OpenTelemetry metrics. Gauges and counters are read from one
 * `auditor.snapshot()` per collection, so they agree with each other and cannot drift; the connect, wait,
 * use and connection-duration histograms are recorded as the pools report each duration.
 *
 * ```ts
 * const metrics = registerMetrics(defaultAuditor);
 * // later
 * metrics.unregister();
 * ```
 */
export function registerMetrics(auditor: Auditor, options: MetricsOptions = {}): MetricsHandle {
  checkArguments(auditor, options);
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  let auditors = registered.get(provider);
  if (auditors?.has(auditor)) {
    throw new InvalidOptionError(
      'auditor',
      'registered once per MeterProvider (unregister() the first registration before registering again)',
      auditor,
    );
  }
  if (!auditors) {
    auditors = new WeakSet();
    registered.set(provider, auditors);
  }
  auditors.add(auditor);
  const meter = provider.getMeter(METER_NAME, METER_VERSION);
  const instruments = createInstruments(meter);
  const httpKinds = new Set(options.httpKinds ?? DEFAULT_HTTP_KINDS);
  const isHttp = (kind: string): boolean => httpKinds.has(kind);
  const servers = new ServerAttributes();
  const recorder = new TimingRecorder(instruments, isHttp, servers);
  const context = {
    instruments,
    servers,
    isHttp,
    inUseOf: (pool: string) => recorder.inUseOf(pool),
    findingsSeen: new Set<string>(),
  };
  let warned = false;
  const collect: BatchObservableCallback = (result) => {
    try {
      observeSnapshot(auditor.snapshot(), result, context);
    } catch (err) {
      // A collection must never fail the exporter or the application; say so once.
      if (!warned) diag.warn(`poolaudit: collecting pool metrics failed: ${String(err)}`);
      warned = true;
    }
  };
  meter.addBatchObservableCallback(collect, instruments.observables);
  const stopTimings = auditor.onTiming(recorder.listener);
  let active = true;
  return {
    unregister() {
      if (!active) return;
      active = false;
      meter.removeBatchObservableCallback(collect, instruments.observables);
      stopTimings();
      registered.get(provider)?.delete(auditor);
    },
  };
}

const OPTIONS = {
  meterProvider: {
    expected: 'a MeterProvider with getMeter()',
    accepts: (v: unknown) => typeof (v as { getMeter?: unknown } | null)?.getMeter === 'function',
  },
  httpKinds: accepts.arrayOf(accepts.nonEmptyString, 'an array of pool kinds'),
};

function checkArguments(auditor: Auditor, options: MetricsOptions): void {
  const a = auditor as Partial<Auditor> | null | undefined;
  if (typeof a?.snapshot !== 'function' || typeof a.onTiming !== 'function') {
    throw new InvalidOptionError('auditor', 'an Auditor from @poolaudit/core', auditor);
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  checkOptions('registerMetrics()', options, OPTIONS);
}
