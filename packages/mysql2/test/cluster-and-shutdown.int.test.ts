import { createAuditor } from '@poolaudit/core';
import { auditPool, detach, isAudited } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb';
import { allSidesSettled, collectLocalPorts, invariantsHold, poolSnapshot } from './support/workload';

const server = mysqlOptionsFromUrl(sharedMysqlUrl());

function clusterQuery(cluster: mysql.PoolCluster, pattern: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    cluster.of(pattern).query('SELECT 1 AS one', (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

describe('PoolCluster', () => {
  it('audits every node, including nodes added later, as <name>/<node id>; detach restores add', async () => {
    const auditor = createAuditor();
    const cluster = mysql.createPoolCluster();
    cluster.add('A', { ...server, connectionLimit: 2 });
    cluster.add('B', { ...server, connectionLimit: 2 });
    const addBefore = Object.prototype.hasOwnProperty.call(cluster, 'add');
    expect(auditPool(cluster, { name: 'shop', auditor })).toBe(cluster);
    cluster.add('C', { ...server, connectionLimit: 2 });
    try {
      for (const id of ['A', 'B', 'C', 'A', 'C']) await clusterQuery(cluster, id);
      expect(auditor.poolNames().sort()).toEqual(['shop/A', 'shop/B', 'shop/C']);
      expect(poolSnapshot(auditor, 'shop/A').stats.acquired).toBe(2);
      expect(poolSnapshot(auditor, 'shop/B').stats.acquired).toBe(1);
      expect(poolSnapshot(auditor, 'shop/C').stats.acquired).toBe(2);
      expect(poolSnapshot(auditor, 'shop/C').config.maxOpen).toBe(2);
    } finally {
      expect(detach(cluster)).toBe(true);
      expect(Object.prototype.hasOwnProperty.call(cluster, 'add')).toBe(addBefore);
      expect(isAudited(cluster)).toBe(false);
      await new Promise<void>((resolve) => cluster.end(() => resolve()));
    }
  }, 20_000);

  it('audits a mysql2/promise cluster and returns it', async () => {
    const auditor = createAuditor();
    const cluster = mysqlPromise.createPoolCluster();
    cluster.add('R1', { ...server, connectionLimit: 2 });
    expect(auditPool(cluster, { auditor })).toBe(cluster);
    try {
      const [rows] = await cluster.of('R1').query('SELECT 2 AS two');
      expect(rows).toEqual([{ two: 2 }]);
      expect(poolSnapshot(auditor, 'mysql2 cluster/R1').stats.acquired).toBe(1);
    } finally {
      await cluster.end();
    }
  }, 20_000);
});

describe('shutdown, destroy and the default name', () => {
  it('counts end() as shutdown, closed by the server first after COM_QUIT, with no TIME_WAIT here', async () => {
    const auditor = createAuditor();
    const pool = auditPool(mysqlPromise.createPool({ ...server, connectionLimit: 4 }), { auditor });
    const name = `mysql2 ${server.host}:${server.port}/${server.database}`;
    expect(auditor.poolNames()).toEqual([name]);
    const localPorts = collectLocalPorts(pool);
    const conns = await Promise.all([pool.getConnection(), pool.getConnection(), pool.getConnection()]);
    conns[0].release();
    conns[1].release();
    // The application destroys one itself: ours to close, `other`.
    conns[2].destroy();
    await pool.end();
    expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
    const snap = poolSnapshot(auditor, name);
    expect(invariantsHold(snap)).toBe(true);
    expect(snap.stats.open).toBe(0);
    expect(snap.stats.closed.shutdown).toBe(2);
    expect(snap.stats.closed.other).toBe(1);
    expect(snap.stats.closedBy).toEqual({ local: 1, remote: 2, reset: 0, unknown: 0 });
    expect(snap.stats.timeWait.footprint).toBe(1);
    expect(countSsSockets('time-wait', server.port, localPorts)).toBe(1);
    expect(snap.rawConfig?.['password']).toBeUndefined();
  }, 20_000);

  it('adopts connections that exist before the audit', async () => {
    const auditor = createAuditor();
    const pool = mysql.createPool({ ...server, connectionLimit: 3 });
    const [a, b] = await Promise.all([
      new Promise<mysql.PoolConnection>((r) => pool.getConnection((_e, c) => r(c))),
      new Promise<mysql.PoolConnection>((r) => pool.getConnection((_e, c) => r(c))),
    ]);
    a.release();
    auditPool(pool, { name: 'adopted', auditor });
    let snap = poolSnapshot(auditor, 'adopted');
    expect(snap.stats.open).toBe(2);
    expect(snap.stats.inUse).toBe(1);
    expect(snap.stats.idle).toBe(1);
    b.release();
    snap = poolSnapshot(auditor, 'adopted');
    expect(snap.stats.inUse).toBe(0);
    expect(invariantsHold(snap)).toBe(true);
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }, 20_000);
});

describe('a failure inside auditing', () => {
  it('is reported once as a process warning; the pool goes on unaudited and restored', async () => {
    const real = createAuditor();
    // An auditor whose probe fails when a connection closes.
    const failing = {
      register: (registration: Parameters<typeof real.register>[0]) => {
        const probe = real.register(registration);
        return {
          ...probe,
          now: () => probe.now(),
          opened: probe.opened.bind(probe),
          acquireStart: () => probe.acquireStart(),
          acquired: probe.acquired.bind(probe),
          acquireFailed: probe.acquireFailed.bind(probe),
          released: probe.released.bind(probe),
          annotate: probe.annotate.bind(probe),
          count: probe.count.bind(probe),
          unregister: () => probe.unregister(),
          ended: () => probe.ended(),
          closed: () => {
            throw new Error('probe failure under test');
          },
        };
      },
      snapshot: () => real.snapshot(),
      audits: (kind: string) => real.audits(kind),
    } as unknown as typeof real;
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const pool = mysql.createPool({ ...server, connectionLimit: 2 });
    try {
      auditPool(pool, { name: 'failing', auditor: failing });
      const conn = await new Promise<mysql.PoolConnection>((r) => pool.getConnection((_e, c) => r(c)));
      expect(() => conn.destroy()).not.toThrow();
      const rows = await new Promise((resolve, reject) =>
        pool.query('SELECT 1 AS one', (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(rows).toEqual([{ one: 1 }]);
      const warnings = warn.mock.calls.map((call) => String(call[0]));
      expect(warnings.filter((w) => w.includes('pool failing failed'))).toHaveLength(1);
      expect(warnings.find((w) => w.includes('pool failing failed'))).toContain('probe failure under test');
      expect(poolSnapshot(real, 'failing').stats.events['audit-failed']).toBe(1);
      expect(isAudited(pool)).toBe(false);
      expect(Object.prototype.hasOwnProperty.call(pool, 'getConnection')).toBe(false);
    } finally {
      warn.mockRestore();
      await new Promise<void>((resolve) => pool.end(() => resolve()));
    }
  }, 20_000);
});
