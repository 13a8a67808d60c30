/* eslint-disable @typescript-eslint/no-require-imports -- the OpenTelemetry SDK is loaded at the first pool or
   scrape, not at startup. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Auditor } from '@poolaudit/core';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The Prometheus endpoint: `GET /metrics` in Prometheus text format, served by OpenTelemetry's Prometheus
 * exporter over `@poolaudit/opentelemetry`'s instruments on a private `MeterProvider`, so that the metric
 * names are those of the dashboard and the alert rules, and the application's own OpenTelemetry setup is not
 * touched. Only pool names, kinds, destinations and finding codes become labels: no option value, so no
 * secret. The server and every scrape connection are unref'd: it never keeps the process alive. A cluster
 * worker listens `exclusive`ly on its own port (a shared handle would hand scrapes to any worker).
 */
export class MetricsEndpoint {
  private handler: Handler | undefined;
  private readonly server: Server;
  url: string | undefined;

  constructor(
    private readonly auditor: Auditor,
    host: string,
    port: number,
    exclusive: boolean,
    private readonly failed: (message: string) => void,
    listening: (url: string) => void,
  ) {
    this.server = createServer((req, res) => this.serve(req, res));
    this.server.on('connection', (socket) => socket.unref());
    this.server.once('error', (err) => {
      this.failed(`the metrics endpoint could not listen on ${host}:${port} (${err.message}); no endpoint`);
    });
    this.server.listen({ host, port, exclusive }, () => {
      const address = this.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      this.url = `http://${shown}:${bound}/metrics`;
      listening(this.url);
    });
    this.server.unref();
  }

  /** Builds the exporter now (at the first pool) rather than at the first scrape. */
  prepare(): void {
    try {
      this.handler ??= this.createHandler();
    } catch (err) {
      this.failed(`the metrics endpoint could not start OpenTelemetry (${String(err)}); no metrics`);
    }
  }

  close(): void {
    this.server.close();
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('poolaudit: GET /metrics\n');
      return;
    }
    this.prepare();
    if (this.handler === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('poolaudit: metrics unavailable\n');
      return;
    }
    this.handler(req, res);
  }

  private createHandler(): Handler {
    const { PrometheusExporter } =
      require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
    const { MeterProvider } =
      require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
    const { registerMetrics } =
      require('@poolaudit/opentelemetry') as typeof import('@poolaudit/opentelemetry');
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    registerMetrics(this.auditor, { meterProvider });
    return (req, res) => exporter.getMetricsRequestHandler(req, res);
  }
}
