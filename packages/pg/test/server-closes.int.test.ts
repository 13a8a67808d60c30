import { createAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditPool } from '@poolaudit/pg';
import pg from 'pg';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { allSidesSettled, invariantsHold, poolSnapshot } from '../../../test/harness/pool-checks';
import { sharedPgOptions, startPrivatePostgres } from '../../../test/harness/postgres';
import type { PrivatePostgres } from '../../../test/harness/postgres';
import { backendPid, collectLocalPorts, pgState } from './support/pg-pool';

jest.setTimeout(60_000);

// Against the shared server, only what is allowed there: pg_terminate_backend of our own sessions, and a
// per-session idle_session_timeout (never ALTER SYSTEM).
const server = sharedPgOptions();

/** pg-pool emits an idle client's error on the pool; without a listener Node would throw it. */
function collectPoolErrors(pool: pg.Pool): string[] {
  const codes: string[] = [];
  pool.on('error', (err) => codes.push((err as { code?: string }).code ?? err.message));
  return codes;
}

/**
 * Waits until the pool has dropped every client and the ledger has settled, then checks that all `n` closes
 * are booked as the server's. Its FATAL message comes before the backend's FIN, so pg-pool's end() may cross
 * that FIN: who closed first may be either side (the kernel's TIME_WAIT table says which).
 */
async function expectEndedByServer(auditor: Auditor, name: string, pool: pg.Pool, n: number): Promise<void> {
  expect(await eventually(() => pgState(pool).total === 0, 10_000)).toBe(true);
  expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
  const snap = poolSnapshot(auditor, name);
  expect(invariantsHold(snap)).toBe(true);
  expect(snap.stats.closed.remote).toBe(n);
  const { local, remote, reset, unknown } = snap.stats.closedBy;
  expect({ sum: local + remote + reset + unknown, reset, unknown }).toEqual({ sum: n, reset: 0, unknown: 0 });
}

describe('closes by the server, on the shared PostgreSQL', () => {
  it('counts sessions ended by pg_terminate_backend as remote, with the TIME_WAIT the kernel shows, and recovers', async () => {
    const name = 'terminated';
    const auditor = createAuditor({ detectors: { 'server-closes-first': { minEvents: 2, minSeconds: 1 } } });
    const pool = auditPool(new pg.Pool({ ...server, max: 5 }), { name, auditor });
    const errors = collectPoolErrors(pool);
    const ports = collectLocalPorts(pool);
    const observation = observeHost(auditor, { intervalMs: 60_000 });
    const admin = new pg.Client(server);
    await admin.connect();
    try {
      await observation.refresh();
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect(), pool.connect()]);
      const pids = await Promise.all(clients.map(backendPid));
      // Three idle, one in the middle of a query.
      for (const c of clients.slice(0, 3)) c.release();
      const busy = clients[3];
      const running = busy.query('SELECT pg_sleep(5)').then(
        (): Error & { code?: string } => new Error('finished'),
        (err: unknown) => err as Error & { code?: string },
      );
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      const err = await running;
      expect(err.code).toBe('57P01');
      // As pg's docs ask: a client whose query failed goes back with the error, and pg-pool destroys it.
      busy.release(err);

      await expectEndedByServer(auditor, name, pool, 4);
      expect(poolSnapshot(auditor, name).stats.closedDetail['57P01']).toBe(1);
      await observation.refresh();
      const tw = poolSnapshot(auditor, name).stats.timeWait;
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(countSsSockets('time-wait', server.port, ports));
      expect(errors).toEqual(['57P01', '57P01', '57P01']);
      const finding = auditor.findings().find((f) => f.code === 'server-closes-first');
      expect(finding?.evidence['closedByServer']).toBe(4);

      // The pool recovers with a fresh connection.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(poolSnapshot(auditor, name).stats).toMatchObject({ open: 1, idle: 1, created: 5 });
    } finally {
      observation.detach();
      await admin.end();
      await pool.end();
      auditor.close();
    }
  });

  it('counts idle sessions ended by idle_session_timeout as remote, with the SQLSTATE', async () => {
    const name = 'idle-session';
    const auditor = createAuditor();
    // idle_session_timeout for these sessions only, as a startup option.
    const pool = auditPool(new pg.Pool({ ...server, max: 3, options: '-c idle_session_timeout=300' }), {
      name,
      auditor,
    });
    const errors = collectPoolErrors(pool);
    try {
      const clients = await Promise.all([pool.connect(), pool.connect()]);
      for (const c of clients) c.release();
      await expectEndedByServer(auditor, name, pool, 2);
      expect(errors).toEqual(['57P05', '57P05']);
    } finally {
      await pool.end();
      auditor.close();
    }
  });
});

describe('a private PostgreSQL that restarts', () => {
  let pgServer: PrivatePostgres;
  beforeAll(async () => {
    pgServer = await startPrivatePostgres({ max_connections: '20' });
  });
  afterAll(() => pgServer?.stop());

  it('counts every session a restart ends as remote and keeps serving after it', async () => {
    const name = 'restarted';
    const auditor = createAuditor();
    const pool = auditPool(new pg.Pool({ ...pgServer.options, max: 4 }), { name, auditor });
    const errors = collectPoolErrors(pool);
    try {
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      for (const c of clients) c.release();
      await pgServer.restart();
      await expectEndedByServer(auditor, name, pool, 3);
      expect(errors.every((code) => code === '57P01')).toBe(true);

      const rows = await Promise.all(
        [1, 2, 3].map((n) => pool.query<{ n: number }>('SELECT $1::int AS n', [n])),
      );
      expect(rows.map((r) => r.rows[0]?.n)).toEqual([1, 2, 3]);
      const snap = poolSnapshot(auditor, name);
      expect(snap.stats.open).toBe(pgState(pool).total);
      expect(invariantsHold(snap)).toBe(true);
    } finally {
      await pool.end();
      auditor.close();
    }
    expect(poolSnapshot(auditor, name).stats.open).toBe(0);
  });

  it('reads max_connections and superuser_reserved_connections from the server it probes', async () => {
    const auditor = createAuditor();
    const pool = auditPool(new pg.Pool({ ...pgServer.options, max: 25, idleTimeoutMillis: 5000 }), {
      name: 'capped',
      auditor,
    });
    try {
      const findings = await auditor.lint({ probeServers: true });
      const finding = findings.find((f) => f.code === 'pg/max-connections-exceeded');
      expect(finding?.severity).toBe('error');
      // max_connections 20 minus the default 3 reserved for superusers.
      expect(finding?.message).toContain('the server takes 17');
      expect(finding?.evidence).toMatchObject({
        max: 25,
        serverMaxConnections: 20,
        serverReservedConnections: 3,
      });
      await expect(auditor.lint({ failOn: 'error' })).rejects.toThrow('pg/max-connections-exceeded');
    } finally {
      await pool.end();
      auditor.close();
    }
  });
});
