import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import { eventually } from '../../../test/harness/kernel-sockets';
import { startMariaDb } from '../../../test/harness/mariadb';
import type { PrivateMariaDb } from '../../../test/harness/mariadb';
import { allSidesSettled, invariantsHold, mysql2State, poolSnapshot, runWorkload } from './support/workload';

// What mysql2 itself reports while its server goes away and comes back; anything else would be ours.
const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|EPIPE|PROTOCOL_CONNECTION_LOST|ER_SERVER_SHUTDOWN|ER_CONNECTION_KILLED|closed state|Connection lost|shutdown/i;

describe('a private MariaDB restarted under load', () => {
  let db: PrivateMariaDb | undefined;
  beforeAll(async () => {
    db = await startMariaDb();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  }, 30_000);

  it('keeps the counts consistent at every snapshot, recovers, and throws nothing into the application', async () => {
    const server = db!;
    const name = 'restarted';
    const auditor = createAuditor();
    const callbackPool = mysql.createPool({
      host: server.host,
      port: server.port,
      user: 'root',
      database: 'test',
      connectionLimit: 10,
      connectTimeout: 3000,
    });
    auditPool(callbackPool, { name, auditor });
    const pool = callbackPool.promise();
    let snapshots = 0;
    const broken: string[] = [];
    const sample = (): void => {
      const snap = poolSnapshot(auditor, name);
      snapshots++;
      if (!invariantsHold(snap)) broken.push(JSON.stringify(snap.stats));
    };
    const sampler = setInterval(sample, 10);
    try {
      const load = runWorkload({
        workers: 20,
        durationMs: 4000,
        maxIterations: 20_000,
        run: () => pool.query('SELECT 1 AS one'),
      });
      expect(await eventually(() => poolSnapshot(auditor, name).stats.acquired >= 200, 4000)).toBe(true);
      const before = poolSnapshot(auditor, name).stats;
      expect(before.open).toBeGreaterThan(0);
      await server.restart();
      const result = await load;
      clearInterval(sampler);
      sample();

      expect(broken).toEqual([]);
      expect(snapshots).toBeGreaterThan(50);
      expect(result.ok).toBeGreaterThan(0);
      // Only mysql2's own connection errors reached the application.
      for (const message of result.errors) expect(message).toMatch(CONNECTION_ERRORS);

      // The pool recovers on the restarted server.
      const [rows] = await pool.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);

      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      const after = poolSnapshot(auditor, name);
      expect(invariantsHold(after)).toBe(true);
      // Every connection open before the restart was closed by the server going away.
      const serverSide = after.stats.closed.remote + after.stats.closed.error;
      expect(serverSide).toBeGreaterThanOrEqual(before.open);
      expect(after.stats.closed.maxIdle + after.stats.closed.idleTimeout + after.stats.closed.shutdown).toBe(
        0,
      );
      expect(after.stats.open).toBe(mysql2State(callbackPool).all);
      expect(after.stats.created).toBeGreaterThan(before.created);
      process.stdout.write(
        `restart: openBefore=${before.open} closed=${JSON.stringify(after.stats.closed)} ` +
          `closedBy=${JSON.stringify(after.stats.closedBy)} errors=${result.errors.length} ok=${result.ok} ` +
          `snapshots=${snapshots}\n`,
      );
    } finally {
      clearInterval(sampler);
      await pool.end();
    }
  }, 40_000);

  it('counts connections of a server killed outright (SIGKILL) as closed by the server, and recovers after start()', async () => {
    const server = db!;
    const name = 'killed server';
    const auditor = createAuditor();
    const callbackPool = mysql.createPool({
      host: server.host,
      port: server.port,
      user: 'root',
      database: 'test',
      connectionLimit: 4,
    });
    auditPool(callbackPool, { name, auditor });
    const pool = callbackPool.promise();
    try {
      const conns = await Promise.all([pool.getConnection(), pool.getConnection(), pool.getConnection()]);
      for (const c of conns) c.release();
      await server.kill();
      expect(await eventually(() => mysql2State(callbackPool).all === 0, 5000)).toBe(true);
      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      let snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.closed.remote).toBe(3);
      expect(snap.stats.closedBy.local).toBe(0);
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await server.start();
      const [rows] = await pool.query('SELECT 2 AS two');
      expect(rows).toEqual([{ two: 2 }]);
      snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.open).toBe(1);
      expect(snap.stats.acquireErrors).toBe(1);
    } finally {
      await pool.end();
    }
  }, 40_000);
});
