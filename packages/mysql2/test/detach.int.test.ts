import { createAuditor } from '@poolaudit/core';
import { auditPool, detach } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import type { Pool, PoolOptions } from 'mysql2';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import { poolSnapshot } from './support/workload';

const server = mysqlOptionsFromUrl(sharedMysqlUrl());

/** A call's outcome as the application sees it: rows, or the error's code and message. */
function outcome(run: (cb: (err: unknown, value?: unknown) => void) => void): Promise<string> {
  return new Promise((resolve) => {
    run((err, value) => {
      if (err) {
        const e = err as { code?: string; errno?: number; message?: string };
        resolve(`error ${e.code ?? ''} ${e.errno ?? ''} ${e.message ?? ''}`);
      } else {
        resolve(`ok ${JSON.stringify(value)}`);
      }
    });
  });
}

/** The same sequence of calls, results and errors, on whatever pool it is given. */
async function workload(make: (options: PoolOptions) => Pool): Promise<string[]> {
  const out: string[] = [];
  const pool = make({ ...server, connectionLimit: 2, queueLimit: 1 });
  out.push(await outcome((cb) => pool.query('SELECT 1 + 1 AS two', cb)));
  out.push(await outcome((cb) => pool.query('SELECT ? AS v', ['x'], cb)));
  out.push(await outcome((cb) => pool.query('SELEC nonsense', cb)));
  out.push(await outcome((cb) => pool.execute('SELECT ? AS n', [42], cb)));
  // Fill the pool, queue one, overflow the queue.
  const held = await Promise.all([
    new Promise<mysql.PoolConnection>((r) => pool.getConnection((_e, c) => r(c))),
    new Promise<mysql.PoolConnection>((r) => pool.getConnection((_e, c) => r(c))),
  ]);
  const queued = outcome((cb) => {
    pool.getConnection((err, c) => {
      if (err) {
        cb(err);
        return;
      }
      c.release();
      cb(null, 'queued');
    });
  });
  out.push(await outcome((cb) => pool.getConnection((err) => cb(err))));
  // A destroyed connection hands its place to the queued caller.
  held[0].destroy();
  out.push(await queued);
  held[1].release();
  out.push(await outcome((cb) => pool.query('SELECT 3 AS three', cb)));
  out.push(String(pool.listenerCount('connection')), String(pool.listenerCount('error')));
  await new Promise<void>((resolve) => pool.end(() => resolve()));
  out.push(await outcome((cb) => pool.query('SELECT 1', cb)));
  out.push(await outcome((cb) => pool.getConnection((err) => cb(err))));

  const strict = make({ ...server, connectionLimit: 1, waitForConnections: false });
  const only = await new Promise<mysql.PoolConnection>((r) => strict.getConnection((_e, c) => r(c)));
  out.push(await outcome((cb) => strict.getConnection((err) => cb(err))));
  only.release();
  await new Promise<void>((resolve) => strict.end(() => resolve()));
  return out;
}

describe('detach', () => {
  it('restores the pool exactly: same own properties, prototype methods, listeners, queues', () => {
    const pool = mysql.createPool({ ...server, connectionLimit: 1 });
    const ownBefore = Object.getOwnPropertyNames(pool).sort();
    const listenersBefore = pool.eventNames().map((e) => `${String(e)}:${pool.listenerCount(e)}`);
    const free = (pool as unknown as { _freeConnections: object })._freeConnections;
    expect(auditPool(pool, { auditor: createAuditor() })).toBe(pool);
    // The audit hooks the pool's idle list (and its other queues), never the pool itself.
    expect(Object.prototype.hasOwnProperty.call(free, 'pop')).toBe(true);
    expect(Object.getOwnPropertyNames(pool).sort()).toEqual(ownBefore);
    expect(detach(pool)).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(free, 'pop')).toBe(false);
    expect(Object.getOwnPropertyNames(pool).sort()).toEqual(ownBefore);
    const proto = Object.getPrototypeOf(pool) as Record<string, unknown>;
    for (const key of ['getConnection', 'releaseConnection', '_removeConnection', 'end']) {
      expect((pool as unknown as Record<string, unknown>)[key]).toBe(proto[key]);
    }
    expect(pool.eventNames().map((e) => `${String(e)}:${pool.listenerCount(e)}`)).toEqual(listenersBefore);
    expect(detach(pool)).toBe(false);
    pool.end();
  });

  it('an unaudited, an audited and a detached pool give the same results and errors', async () => {
    const auditor = createAuditor();
    const plain = await workload((o) => mysql.createPool(o));
    let n = 0;
    const audited = await workload((o) =>
      auditPool(mysql.createPool(o), { name: `audited ${n++}`, auditor }),
    );
    const detached = await workload((o) => {
      const pool = auditPool(mysql.createPool(o), { name: `detached ${n++}`, auditor });
      detach(pool);
      return pool;
    });
    expect(plain.some((s) => s.startsWith('error ER_PARSE_ERROR 1064'))).toBe(true);
    expect(plain.some((s) => s.includes('Queue limit reached.'))).toBe(true);
    expect(plain.some((s) => s.includes('No connections available.'))).toBe(true);
    expect(plain.some((s) => s.includes('Pool is closed.'))).toBe(true);
    expect(audited).toEqual(plain);
    expect(detached).toEqual(plain);

    // The audited run was recorded (the destroyed connection as `other`); the detached one stops at attach.
    const recorded = poolSnapshot(auditor, 'audited 0').stats;
    expect(recorded.acquired).toBeGreaterThan(5);
    expect(recorded.closed.other).toBe(1);
    expect(recorded.closedDetail['destroy']).toBe(1);
    expect(recorded.waitCount).toBe(1);
    expect(poolSnapshot(auditor, 'detached 2').stats.acquired).toBe(0);
  }, 20_000);
});
