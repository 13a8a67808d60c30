import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/mysql2';
import mysql from 'mysql2/promise';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import {
  allSidesSettled,
  collectLocalPorts,
  invariantsHold,
  mysql2State,
  poolSnapshot,
  runWorkload,
} from './support/workload';

// The seed case against the shared MariaDB (not destructive: short SELECTs, ≤ 50 connections at a time).
const server = mysqlOptionsFromUrl(sharedMysqlUrl());

/** 50 workers in bursts: all busy for 200 ms of every 700, then all idle, so the 1 s reaper finds > maxIdle idle. */
async function churnRun(maxIdle: number, name: string) {
  const auditor = createAuditor();
  const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 100, maxIdle }), { name, auditor });
  const localPorts = collectLocalPorts(pool);
  const result = await runWorkload({
    workers: 50,
    durationMs: 6000,
    maxIterations: 2000,
    burst: { periodMs: 700, burstMs: 200 },
    run: () => pool.query('SELECT 1 AS one'),
  });
  // Let the reaper finish with the last burst, and every closure settle at its socket.
  await eventually(() => mysql2State(pool.pool).free <= maxIdle, 3000);
  const settled = await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000);
  return { auditor, pool, localPorts, result, settled };
}

describe('the canonical symptom: connectionLimit 100, maxIdle 10, 50 workers', () => {
  it('counts idle-cap closures, all closed here first, matching the kernel TIME_WAIT count, and advises maxIdle', async () => {
    const name = 'canonical maxIdle 10';
    const { auditor, pool, localPorts, result, settled } = await churnRun(10, name);
    try {
      expect(result.errors).toEqual([]);
      expect(settled).toBe(true);
      const snap = poolSnapshot(auditor, name);
      const { stats } = snap;
      expect(invariantsHold(snap)).toBe(true);

      // Idle-cap closures in the hundreds, every one closed by us first.
      expect(stats.closed.maxIdle).toBeGreaterThanOrEqual(100);
      expect(stats.closedBy.local).toBe(stats.closed.maxIdle);
      expect(stats.closed.idleTimeout).toBe(0);
      expect(stats.closed.remote + stats.closed.error + stats.closed.other).toBe(0);
      expect(stats.created).toBe(localPorts.size);

      // The ledger's TIME_WAIT footprint against the kernel's count of our own sockets.
      const kernel = countSsSockets('time-wait', server.port, localPorts);
      const footprint = stats.timeWait.footprint;
      expect(footprint).toBe(stats.closedBy.local);
      expect(Math.abs(footprint - kernel)).toBeLessThanOrEqual(Math.ceil(footprint * 0.1));

      // The finding, with advice naming maxIdle at or above the peak in use.
      const finding = auditor.findings().find((f) => f.code === 'max-idle-churn');
      expect(finding).toBeDefined();
      expect(finding?.pool).toBe(name);
      const advised = /Set maxIdle to at least (\d+)/.exec(finding?.advice ?? '');
      expect(advised).not.toBeNull();
      expect(Number(advised?.[1])).toBeGreaterThanOrEqual(snap.recent.peakInUse);
      expect(snap.recent.peakInUse).toBeGreaterThan(10);
      process.stdout.write(
        `canonical: maxIdleClosed=${stats.closed.maxIdle} local=${stats.closedBy.local} ` +
          `footprint=${footprint} kernelTimeWait=${kernel} peakInUse=${snap.recent.peakInUse} ` +
          `created=${stats.created} queries=${result.ok}\n`,
      );
    } finally {
      await pool.end();
    }
    // end() sends COM_QUIT: the server closes first, so shutdown leaves no TIME_WAIT here.
    expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
    const after = poolSnapshot(auditor, name).stats;
    expect(after.open).toBe(0);
    expect(after.closed.shutdown).toBeGreaterThan(0);
    expect(after.closedBy.local).toBe(after.closed.maxIdle);
    const kernelAfter = countSsSockets('time-wait', server.port, localPorts);
    expect(Math.abs(after.timeWait.footprint - kernelAfter)).toBeLessThanOrEqual(
      Math.ceil(after.timeWait.footprint * 0.1),
    );
  }, 30_000);

  it('with maxIdle 50 the same run closes nothing for idleness and raises no finding', async () => {
    const name = 'canonical maxIdle 50';
    const { auditor, pool, localPorts, result, settled } = await churnRun(50, name);
    try {
      expect(result.errors).toEqual([]);
      expect(settled).toBe(true);
      const snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.closed.maxIdle).toBe(0);
      expect(snap.stats.closed.idleTimeout).toBe(0);
      expect(snap.stats.closedBy.local).toBe(0);
      expect(snap.stats.timeWait.footprint).toBe(0);
      expect(countSsSockets('time-wait', server.port, localPorts)).toBe(0);
      expect(snap.stats.created).toBeLessThanOrEqual(50);
      expect(snap.recent.peakInUse).toBeGreaterThan(10);
      expect(auditor.findings()).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 30_000);
});
