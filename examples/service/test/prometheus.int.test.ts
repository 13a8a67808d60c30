import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../test/harness/free-port.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { sharedMysqlUrl } from '../../../test/harness/mariadb.js';
// The example is plain JavaScript, run as users run it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startService } = require('../service.js') as typeof import('../service.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLoad } = require('../load.js') as typeof import('../load.js');

const RULES = resolve(__dirname, '../alerts.yaml');
const CONFIG = resolve(__dirname, '../prometheus.yml');
const PROMETHEUS = which('prometheus');
const PROMTOOL = which('promtool');

describe('the alert rules', () => {
  (PROMTOOL ? it : it.skip)(
    'pass promtool check rules, and the Prometheus config passes check config',
    () => {
      expect(execFileSync(PROMTOOL as string, ['check', 'rules', RULES], { encoding: 'utf8' })).toContain(
        'SUCCESS: 6 rules found',
      );
      expect(execFileSync(PROMTOOL as string, ['check', 'config', CONFIG], { encoding: 'utf8' })).toContain(
        'is valid prometheus config file syntax',
      );
    },
  );
  if (!PROMTOOL) it.todo('promtool is not installed here: `apt-get install prometheus` (CI installs it)');
});

/**
 * The shipped rules, time-compressed for a test: every minute in a `for:` or a range becomes 2 seconds, with
 * scrapes and evaluations every 500 ms. Expressions, thresholds and labels are the shipped ones.
 */
function compressedRules(): string {
  return readFileSync(RULES, 'utf8')
    .replace(/\[(\d+)m\]/g, (_, m: string) => `[${Number(m) * 2}s]`)
    .replace(/for: (\d+)m/g, (_, m: string) => `for: ${Number(m) * 2}s`);
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

(PROMETHEUS ? describe : describe.skip)('a real Prometheus scraping the service', () => {
  let dir: string;
  let prometheus: ChildProcess;
  let api: string;
  const services: { url: string; close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const mysqlUrl = sharedMysqlUrl();
    // The same service twice: churning (maxIdle 5 under bursts of 40) and cured (maxIdle 50).
    const churning = await startService({ port: 0, mysqlUrl, maxIdle: 5 });
    const cured = await startService({ port: 0, mysqlUrl, maxIdle: 50 });
    services.push(churning, cured);
    dir = mkdtempSync(join(tmpdir(), 'poolaudit-prometheus-'));
    writeFileSync(join(dir, 'alerts.yaml'), compressedRules());
    const target = (url: string): string => new URL(url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 500ms, evaluation_interval: 500ms }',
        'rule_files: [alerts.yaml]',
        'scrape_configs:',
        `  - { job_name: churning, static_configs: [{ targets: ['${target(churning.url)}'] }] }`,
        `  - { job_name: cured, static_configs: [{ targets: ['${target(cured.url)}'] }] }`,
      ].join('\n'),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      PROMETHEUS as string,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const ready = await eventually(async () => (await get('/status/runtimeinfo')) !== undefined, 15_000, 200);
    if (!ready) throw new Error('Prometheus did not answer within 15 s');
  }, 30_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await Promise.allSettled(services.map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function get(path: string): Promise<unknown> {
    try {
      const res = await fetch(`${api}${path}`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return undefined;
      return ((await res.json()) as { data: unknown }).data;
    } catch {
      return undefined;
    }
  }

  it('fires the churn alert for the churning pool, and never for the cured one', async () => {
    const churning = services[0]!;
    const cured = services[1]!;
    const seen = new Set<string>();
    let firing = false;
    const watch = (async () => {
      const deadline = Date.now() + 40_000;
      while (!firing && Date.now() < deadline) {
        const data = (await get('/alerts')) as { alerts: Alert[] } | undefined;
        for (const alert of data?.alerts ?? []) {
          if (alert.labels['alertname'] !== 'PoolauditConnectionChurn') continue;
          if (alert.labels['poolaudit_pool_name'] !== 'orders-db') continue;
          seen.add(`${alert.labels['job'] ?? ''} ${alert.state}`);
          if (alert.labels['job'] === 'churning' && alert.state === 'firing') firing = true;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    // Both services under the same bursts: 15 of 40 requests, 1.2 s apart (about 20 s).
    const load = (url: string) =>
      runLoad({ url, bursts: 15, concurrency: 40, pauseMs: 1200, deadlineMs: 30_000 });
    await Promise.all([watch, load(churning.url), load(cured.url)]);
    expect(firing).toBe(true);
    expect([...seen].filter((s) => s.startsWith('cured'))).toEqual([]);
    // The cured pool was scraped all along: its counters are there, with no idle-cap closes.
    const query = async (q: string) =>
      ((await get(`/query?query=${encodeURIComponent(q)}`)) as { result: { value: [number, string] }[] })
        .result;
    const created = await query(
      'poolaudit_connection_created_total{job="cured",poolaudit_pool_name="orders-db"}',
    );
    expect(Number(created[0]?.value[1])).toBeGreaterThan(0);
    const closed = await query(
      'poolaudit_connection_closed_total{job="cured",poolaudit_pool_name="orders-db",poolaudit_reason="maxIdle"}',
    );
    expect(Number(closed[0]?.value[1])).toBe(0);
  }, 60_000);
});

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
