import { createAuditor } from '@poolaudit/core';
import { auditPool, detach } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import { observeParity, parityDifferences } from '../../../test/harness/parity';
import type { CountsListeners } from '../../../test/harness/parity';
import { poolSnapshot } from './support/workload';

const server = mysqlOptionsFromUrl(sharedMysqlUrl());
const WRAPPED_BEFORE = ['getConnection', 'releaseConnection', '_removeConnection', 'end'] as const;

function acquire(pool: Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) => {
    pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn)));
  });
}

function internals(pool: Pool): { _allConnections: { length: number; get(i: number): unknown } } {
  return pool as unknown as { _allConnections: { length: number; get(i: number): unknown } };
}

describe('an audited mysql2 pool keeps its shape', () => {
  it("getConnection and the pool's other methods stay the prototype's (mysql2 test-pool-getconnection-contract)", async () => {
    const raw = mysql.createPool({ ...server, connectionLimit: 2 });
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 2 }), { auditor: createAuditor() });
    try {
      const proto = Object.getPrototypeOf(pool) as Record<string, unknown>;
      for (const method of WRAPPED_BEFORE) {
        expect(Object.prototype.hasOwnProperty.call(pool, method)).toBe(false);
        expect((pool as unknown as Record<string, unknown>)[method]).toBe(proto[method]);
      }
      await pool.promise().query('SELECT 1');
      expect(Object.keys(pool)).toEqual(Object.keys(raw));
      expect(Reflect.ownKeys(pool)).toEqual(Reflect.ownKeys(raw));
      expect(Object.prototype.hasOwnProperty.call(pool, 'getConnection')).toBe(false);
    } finally {
      await Promise.all([raw.promise().end(), pool.promise().end()]);
    }
  });

  it("a pooled connection carries the library's listeners only (mysql2 test-pool-memory-leak, issue #3904)", async () => {
    const pool = auditPool(mysql.createPool({ ...server, connectionLimit: 1 }), { auditor: createAuditor() });
    try {
      const first = await acquire(pool);
      expect(first.listenerCount('error')).toBe(1);
      first.release();

      await pool.promise().query('SELECT 1');
      const again = await acquire(pool);
      expect(again.listenerCount('error')).toBe(1);
      expect(again.listenerCount('connect')).toBe(0);
      expect(again.listenerCount('end')).toBe(1);
      again.release();
    } finally {
      await pool.promise().end();
    }
  });
});

/**
 * Two connections lent, a third acquire queued, one connection destroyed: mysql2 hands the waiter to
 * getConnection() again, which opens a new connection for it (lib/base/pool.js releaseConnection).
 */
async function queuedAndRemoved(pool: Pool): Promise<void> {
  const [a, b] = await Promise.all([acquire(pool), acquire(pool)]);
  const waiting = acquire(pool);
  a.destroy();
  const c = await waiting;
  await new Promise((resolve, reject) => {
    c.query('SELECT 1', (err) => (err ? reject(err) : resolve(undefined)));
  });
  b.release();
  c.release();
  await pool.promise().query('SELECT 2');
}

function emittersOf(pool: Pool): Record<string, CountsListeners | undefined> {
  const all = internals(pool)._allConnections;
  const emitters: Record<string, CountsListeners | undefined> = { pool };
  for (let i = 0; i < all.length; i++) emitters[`connection ${i}`] = all.get(i) as CountsListeners;
  return emitters;
}

describe('audited and unaudited, the same workload', () => {
  it('leaves the same keys, prototype and listener counts, and the server sees the same connections and bytes', async () => {
    const auditor = createAuditor();
    const { raw, audited } = await observeParity({
      serverPort: server.port,
      create: (port) => mysql.createPool({ ...server, port, connectionLimit: 2 }),
      audit: (pool) => auditPool(pool, { auditor, name: 'parity' }),
      workload: queuedAndRemoved,
      emitters: emittersOf,
      close: (pool) => pool.promise().end(),
    });
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(3);

    // And the audit saw it right: the re-run acquire counted once, as the one that waited.
    const stats = poolSnapshot(auditor, 'parity').stats;
    expect(stats.created).toBe(3);
    expect(stats.acquired).toBe(4);
    expect(stats.waitCount).toBe(1);
    expect(stats.acquireErrors).toBe(0);
    expect(stats.pending).toBe(0);
    expect(stats.inUse).toBe(0);
    expect(stats.closed.other).toBe(1);
    expect(stats.closed.shutdown).toBe(2);
  });

  it('detached, the pool is as it was before the audit', async () => {
    const raw = mysql.createPool({ ...server, connectionLimit: 2 });
    const pool = mysql.createPool({ ...server, connectionLimit: 2 });
    const queues = ['_allConnections', '_freeConnections', '_connectionQueue'] as const;
    const keysOf = (p: Pool) =>
      queues.map((q) => Reflect.ownKeys((p as unknown as Record<string, object>)[q] ?? {}));
    try {
      auditPool(pool, { auditor: createAuditor() });
      await queuedAndRemoved(pool);
      expect(detach(pool)).toBe(true);
      await queuedAndRemoved(raw);
      expect(keysOf(pool)).toEqual(keysOf(raw));
      expect(Reflect.ownKeys(pool)).toEqual(Reflect.ownKeys(raw));
    } finally {
      await Promise.all([raw.promise().end(), pool.promise().end()]);
    }
  });
});
