import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { registerMetrics } from '../src/index.js';
import { runScenario } from './support/scenario.js';

const DASHBOARD = join(__dirname, '../../../examples/service/grafana-dashboard.json');

/** Every sample name and label name of a Prometheus text exposition. */
async function exposition(): Promise<{ samples: Set<string>; labels: Set<string>; text: string }> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const { agent, agentConnections } = runScenario((auditor) => {
    registerMetrics(auditor, { meterProvider: provider });
  });
  agent.close(agentConnections[2]!, 'idleTimeout', 'local');
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  const text = new PrometheusSerializer().serialize(resourceMetrics);
  await provider.shutdown();
  const samples = new Set<string>();
  const labels = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? /.exec(line);
    if (!match) continue;
    samples.add(match[1]!);
    for (const pair of (match[3] ?? '').split(/,(?=[a-zA-Z_])/)) {
      const name = pair.split('=')[0];
      if (name) labels.add(name);
    }
  }
  return { samples, labels, text };
}

describe('through the Prometheus exporter', () => {
  it('every metric family is exposed under its Prometheus name', async () => {
    const { samples } = await exposition();
    for (const name of [
      'db_client_connection_count',
      'db_client_connection_max',
      'db_client_connection_idle_max',
      'db_client_connection_idle_min',
      'db_client_connection_pending_requests',
      'db_client_connection_timeouts_total',
      'db_client_connection_create_time_bucket',
      'db_client_connection_wait_time_bucket',
      'db_client_connection_use_time_bucket',
      'http_client_open_connections',
      'http_client_connection_duration_bucket',
      'poolaudit_connection_created_total',
      'poolaudit_connection_closed_total',
      'poolaudit_connection_closed_by_total',
      'poolaudit_time_wait_footprint',
      'poolaudit_time_wait_kernel',
      'poolaudit_port_budget_used',
      'poolaudit_findings_active',
    ]) {
      expect({ name, exposed: samples.has(name) }).toEqual({ name, exposed: true });
    }
  });

  it('the Grafana dashboard queries only series and labels that are exposed', async () => {
    const { samples, labels } = await exposition();
    const dashboard = readFileSync(DASHBOARD, 'utf8');
    const exprs = [...dashboard.matchAll(/"(?:expr|definition)": "([^"]+)"/g)].map((m) => m[1]!);
    expect(exprs.length).toBeGreaterThan(15);
    const referenced = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b(?:db_client|http_client|poolaudit)_[a-z_]+/g)].map((m) => m[0]),
      ),
    );
    expect(referenced.size).toBeGreaterThan(15);
    for (const name of referenced) {
      expect({ name, exposed: samples.has(name) || labels.has(name) }).toEqual({ name, exposed: true });
    }
  });
});
