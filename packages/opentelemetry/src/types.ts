import type { MeterProvider } from '@opentelemetry/api';

/** Options of `registerMetrics()`. */
export interface MetricsOptions {
  /**
   * Where the instruments are created. Default: the global `MeterProvider` of `@opentelemetry/api`
   * (a no-op until an SDK registers one).
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Pool kinds reported as HTTP pools (`http.client.*`); every other kind is reported as a database or
   * Redis pool (`db.client.connection.*`). Default `['undici', 'http-agent', 'grpc']` (gRPC runs over HTTP/2).
   */
  readonly httpKinds?: readonly string[];
}

/** What `registerMetrics()` returns. */
export interface MetricsHandle {
  /**
   * Stops reporting: removes the collection callback and the timing listener. Safe to call more than once.
   * Histogram points already recorded stay in the SDK's cumulative state.
   */
  unregister(): void;
}
