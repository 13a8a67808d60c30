import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import type { PoolConnection } from 'mysql2';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import {
  allSidesSettled,
  collectLocalPorts,
  invariantsHold,
  mysql2State,
  poolSnapshot,
} from './support/workload';

// Against the shared server, only what is allowed there: KILL of our own connections, and a per-session
// wait_timeout (never SET GLOBAL).
const server = mysqlOptionsFromUrl(sharedMysqlUrl());

function acquire(pool: mysql.Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) => {
    pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn)));
  });
}

function query(target: mysql.Pool | mysql.Connection | PoolConnection, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    target.query(sql, (err: unknown, rows: unknown) => (err ? reject(err as Error) : resolve(rows)));
  });
}

function end(pool: mysql.Pool | mysql.Connection): Promise<void> {
  return new Promise((resolve) => {
    pool.end(() => resolve());
  });
}

describe('closes by the server, on the shared MariaDB', () => {
  const admin = mysql.createConnection(server);
  afterAll(() => end(admin));

  it('counts connections killed with KILL as remote, closed by the server first, and server-closes-first fires', async () => {
    const name = 'killed';
    const auditor = createAuditor({ detectors: { 'server-closes-first': { minEvents: 2, minSeconds: 1 } } });
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 5 }), { name, auditor });
    const localPorts = collectLocalPorts(pool);
    try {
      const conns = await Promise.all([acquire(pool), acquire(pool), acquire(pool), acquire(pool)]);
      const ids = conns.map((c) => c.threadId);
      // Three idle, one in the middle of a query.
      for (const c of conns.slice(0, 3)) c.release();
      const busy = conns[3];
      const running = query(busy, 'SELECT SLEEP(5)').then(
        () => 'finished',
        (err: unknown) => (err as { code?: string }).code,
      );
      for (const id of ids) await query(admin, `KILL ${id}`);
      expect(await running).toBe('PROTOCOL_CONNECTION_LOST');
      busy.release();

      expect(await eventually(() => mysql2State(pool).all === 0, 5000)).toBe(true);
      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      const snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.closed.remote).toBe(4);
      expect(snap.stats.closedBy.remote).toBe(4);
      expect(snap.stats.closedBy.local).toBe(0);
      expect(snap.stats.timeWait.footprint).toBe(0);
      expect(countSsSockets('time-wait', server.port, localPorts)).toBe(0);
      const finding = auditor.findings().find((f) => f.code === 'server-closes-first');
      expect(finding?.evidence['closedByServer']).toBe(4);
      expect(finding?.advice).toContain('idleTimeout');

      // The pool recovers with a fresh connection.
      expect(await query(pool, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await end(pool);
    }
  }, 20_000);

  it('counts idle connections that outlive a per-session wait_timeout as remote', async () => {
    const name = 'wait_timeout';
    const auditor = createAuditor();
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 5 }), { name, auditor });
    const localPorts = collectLocalPorts(pool);
    pool.on('connection', (conn) => {
      conn.query('SET SESSION wait_timeout = 1');
    });
    try {
      const conns = await Promise.all([acquire(pool), acquire(pool), acquire(pool)]);
      await Promise.all(conns.map((c) => query(c, 'SELECT 1')));
      for (const c of conns) c.release();
      expect(poolSnapshot(auditor, name).stats.idle).toBe(3);

      expect(await eventually(() => mysql2State(pool).all === 0, 8000)).toBe(true);
      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      const snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.closed.remote).toBe(3);
      expect(snap.stats.closed.maxIdle + snap.stats.closed.idleTimeout + snap.stats.closed.error).toBe(0);
      // MariaDB resets a connection that outlives wait_timeout (MySQL sends an error packet and a FIN):
      // either way nothing was closed here first and no TIME_WAIT is left on this host.
      expect(snap.stats.closedBy.local).toBe(0);
      expect(snap.stats.closedBy.remote + snap.stats.closedBy.reset).toBe(3);
      expect(countSsSockets('time-wait', server.port, localPorts)).toBe(0);
    } finally {
      await end(pool);
    }
  }, 20_000);
});
