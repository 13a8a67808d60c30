import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/mysql2';
import mysql from 'mysql2/promise';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import { invariantsHold, mysql2State, poolSnapshot, runWorkload } from './support/workload';

const server = mysqlOptionsFromUrl(sharedMysqlUrl());

describe('a saturated pool: 2 connections, 20 workers', () => {
  it('counts the waits (Go semantics), their duration and the queue as pending, and pool-saturated fires', async () => {
    const name = 'saturated';
    const auditor = createAuditor();
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 2 }), { name, auditor });
    let peakPending = 0;
    let peakQueue = 0;
    const sampler = setInterval(() => {
      peakPending = Math.max(peakPending, poolSnapshot(auditor, name).stats.pending);
      peakQueue = Math.max(peakQueue, mysql2State(pool.pool).queued);
    }, 20);
    try {
      const result = await runWorkload({
        workers: 20,
        durationMs: 3000,
        maxIterations: 1000,
        run: async () => {
          const conn = await pool.getConnection();
          try {
            await conn.query('SELECT SLEEP(0.01)');
          } finally {
            conn.release();
          }
        },
      });
      clearInterval(sampler);
      expect(result.errors).toEqual([]);
      const snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      const { stats } = snap;
      expect(stats.maxOpen).toBe(2);
      expect(stats.created).toBe(2);
      expect(stats.acquired).toBe(result.ok);
      // Most acquires had to queue behind the two connections; none that found one free counts.
      expect(stats.waitCount).toBeGreaterThan(result.ok / 2);
      expect(stats.waitCount).toBeLessThan(result.ok);
      expect(stats.waitDurationMs).toBeGreaterThan(0);
      expect(peakQueue).toBeGreaterThan(0);
      expect(peakPending).toBeGreaterThan(0);
      expect(stats.pending).toBe(0);
      const finding = auditor.findings().find((f) => f.code === 'pool-saturated');
      expect(finding).toBeDefined();
      expect(finding?.advice).toContain('connectionLimit');
    } finally {
      clearInterval(sampler);
      await pool.end();
    }
  }, 20_000);

  it('counts no wait when every acquire finds a connection', async () => {
    const name = 'not saturated';
    const auditor = createAuditor();
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 5 }), { name, auditor });
    try {
      const result = await runWorkload({
        workers: 3,
        durationMs: 500,
        maxIterations: 100,
        run: () => pool.query('SELECT 1'),
      });
      expect(result.errors).toEqual([]);
      const { stats } = poolSnapshot(auditor, name);
      expect(stats.acquired).toBe(result.ok);
      expect(stats.waitCount).toBe(0);
      expect(stats.waitDurationMs).toBe(0);
      expect(auditor.findings().some((f) => f.code === 'pool-saturated')).toBe(false);
    } finally {
      await pool.end();
    }
  }, 20_000);
});
