import { eventually } from '../../../test/harness/kernel-sockets.js';
import { sharedMysqlUrl } from '../../../test/harness/mariadb.js';
// The example is plain JavaScript, run as users run it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startService } = require('../service.js') as typeof import('../service.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLoad } = require('../load.js') as typeof import('../load.js');

/** Every family `@poolaudit/opentelemetry` produces for these pools (mysql2, pg, ioredis, undici, with a host observer). */
const FAMILIES = [
  'db_client_connection_count',
  'db_client_connection_max',
  'db_client_connection_idle_max',
  'db_client_connection_idle_min',
  'db_client_connection_pending_requests',
  'db_client_connection_timeouts_total',
  'db_client_connection_create_time',
  'db_client_connection_wait_time',
  'db_client_connection_use_time',
  'http_client_open_connections',
  'http_client_connection_duration',
  'poolaudit_connection_created_total',
  'poolaudit_connection_closed_total',
  'poolaudit_connection_closed_by_total',
  'poolaudit_time_wait_footprint',
  'poolaudit_time_wait_kernel',
  'poolaudit_port_budget_used',
  'poolaudit_findings_active',
];

function families(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

jest.setTimeout(60_000);

describe('examples/service under load', () => {
  it('serves every metric family on /metrics, over HTTP, while the load runs', async () => {
    const service = await startService({
      port: 0,
      mysqlUrl: sharedMysqlUrl(),
      redisUrl: 'redis://127.0.0.1:6379',
    });
    let text = '';
    try {
      // Bursts of 30 against maxIdle 5: the pool closes what exceeds 5 after each burst and reopens it.
      const load = runLoad({
        url: service.url,
        bursts: 10,
        concurrency: 30,
        pauseMs: 1300,
        deadlineMs: 40_000,
      });
      let scrapes = 0;
      const seen = await eventually(
        async () => {
          const res = await fetch(`${service.url}/metrics`);
          text = await res.text();
          scrapes++;
          return res.status === 200 && FAMILIES.every((f) => families(text).has(f));
        },
        35_000,
        500,
      );
      const { ok, failed } = await load;
      expect({ missing: FAMILIES.filter((f) => !families(text).has(f)), scrapes: scrapes > 0 }).toEqual({
        missing: [],
        scrapes: true,
      });
      expect(seen).toBe(true);
      expect(failed).toBe(0);
      expect(ok).toBe(300);
      // The families show up with the first scrapes; the churn finding needs the whole load's evidence, so the
      // series are read again once the load is over.
      text = await (await fetch(`${service.url}/metrics`)).text();
      // The series carry the pools' names and the servers they talk to.
      expect(text).toMatch(/db_client_connection_count\{[^}]*db_client_connection_pool_name="orders-db"/);
      expect(text).toMatch(/db_client_connection_count\{[^}]*db_client_connection_pool_name="cache"/);
      expect(text).toMatch(/db_client_connection_count\{[^}]*db_client_connection_pool_name="accounts-db"/);
      expect(text).toMatch(/http_client_open_connections\{[^}]*server_address="127\.0\.0\.1"/);
      expect(text).toMatch(/poolaudit_connection_closed_total\{[^}]*poolaudit_reason="maxIdle"[^}]*\} [1-9]/);
      expect(text).toMatch(
        /poolaudit_findings_active\{[^}]*poolaudit_finding_code="max-idle-churn"[^}]*\} 1/,
      );
      // The pricing pool's 1 s keep-alive closes its connections in every 1.3 s pause, here (TIME_WAIT here).
      const pricing = service.auditor.snapshot().pools.find((p) => p.name.startsWith('pricing'));
      expect(pricing?.stats.closed.idleTimeout).toBeGreaterThan(0);
      expect(pricing?.stats.closedBy.local).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  });

  it('with the advice applied (MAX_IDLE=50, as server.js reads it), the same bursts close nothing', async () => {
    const service = await startService({ port: 0, mysqlUrl: sharedMysqlUrl(), maxIdle: 50 });
    try {
      const { ok, failed } = await runLoad({ url: service.url, bursts: 3, concurrency: 30, pauseMs: 1300 });
      expect({ ok, failed }).toEqual({ ok: 90, failed: 0 });
      const db = service.auditor.snapshot().pools.find((p) => p.name === 'orders-db');
      expect(db?.stats.closed.maxIdle).toBe(0);
      expect(db?.stats.created).toBeGreaterThan(5);
      expect(service.auditor.findings().map((f) => f.code)).not.toContain('max-idle-churn');
      // The pg pool, configured as the advice would have it, kept every connection it opened.
      const accounts = service.auditor.snapshot().pools.find((p) => p.name === 'accounts-db');
      expect(accounts?.stats.acquired).toBe(90);
      expect(accounts?.stats.open).toBe(accounts?.stats.created);
      expect(accounts?.stats.closedBy.local).toBe(0);
    } finally {
      await service.close();
    }
  });
});
