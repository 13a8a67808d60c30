import type { Socket } from 'node:net';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import type { HostObservation } from '@poolaudit/host';
import { auditKnex, detach, isAudited } from '@poolaudit/tarn';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from '../../../test/harness/mariadb.js';
import { sharedPgOptions } from '../../../test/harness/postgres.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function poolOf(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return pool;
}

const SERVERS = [
  {
    client: 'mysql2',
    connection: () => mysqlOptionsFromUrl(sharedMysqlUrl()),
    name: (c: { user: string; host: string; port: number; database: string }) =>
      `knex mysql2 ${c.user}@${c.host}:${c.port}/${c.database}`,
  },
  {
    client: 'pg',
    connection: () => sharedPgOptions(),
    name: (c: { user: string; host: string; port: number; database: string }) =>
      `knex pg ${c.user}@${c.host}:${c.port}/${c.database}`,
  },
] as const;

describe.each(SERVERS)('knex with $client', (server) => {
  let db: Knex | undefined;
  let observation: HostObservation | undefined;
  afterEach(async () => {
    observation?.detach();
    observation = undefined;
    await db?.destroy();
    db = undefined;
  });

  it('min 0, idleTimeoutMillis 500, a query every 700 ms: idle-timeout churn naming pool.idleTimeoutMillis', async () => {
    const connection = server.connection();
    const auditor = createAuditor({
      detectors: { 'idle-timeout-churn': { minEvents: 2, minSeconds: 1 } },
    });
    observation = observeHost(auditor, { intervalMs: 60_000 });
    db = knexFactory({
      client: server.client,
      connection,
      pool: { min: 0, max: 2, idleTimeoutMillis: 500 },
    });
    const localPorts = new Set<number>();
    // The default socketOf reads the driver's socket; this one also notes its port, to ask the kernel.
    const socketOf = (resource: unknown): Socket | undefined => {
      const r = resource as { stream?: Socket; connection?: { stream?: Socket } };
      const socket = r.stream ?? r.connection?.stream;
      if (socket?.localPort !== undefined) localPorts.add(socket.localPort);
      return socket;
    };
    expect(auditKnex(db, { auditor, socketOf })).toBe(db);
    const name = server.name(connection);
    expect(isAudited(db)).toBe(true);
    // Bounded: 9 queries, 700 ms apart.
    for (let i = 0; i < 9; i++) {
      await db.raw('SELECT 1');
      await pause(700);
    }
    const { stats, findings } = poolOf(auditor, name);
    expect(stats.closed.idleTimeout).toBeGreaterThanOrEqual(2);
    expect(stats.closedDetail['idleTimeoutMillis']).toBe(stats.closed.idleTimeout);
    expect(stats.created).toBe(stats.closed.idleTimeout + stats.open);
    expect(stats.acquired).toBe(9);
    const churn = findings.find((f) => f.code === 'idle-timeout-churn');
    expect(churn?.advice).toContain('pool.idleTimeoutMillis');
    // Who closed first is read at each socket; the footprint, confirmed per 4-tuple by the host observer, is
    // what the kernel holds on those ports (a pg Terminate races the server's own close: counting alone would
    // say every one of them is here).
    const sidesSettled = () => {
      const now = poolOf(auditor, name).stats;
      return now.closedBy.local + now.closedBy.remote + now.closedBy.reset === now.closed.idleTimeout;
    };
    expect(await eventually(sidesSettled)).toBe(true);
    await observation.refresh();
    const tw = poolOf(auditor, name).stats.timeWait;
    expect(tw.source).toBe('kernel');
    expect(tw.footprint).toBe(countSsSockets('time-wait', connection.port, localPorts));
    await db.destroy();
    db = undefined;
    const after = poolOf(auditor, name).stats;
    expect(after.open).toBe(0);
    expect(after.closed.shutdown).toBe(stats.open);
  });

  it('the pool is the same audited and not: its keys, and the rows', async () => {
    const auditor = createAuditor();
    db = knexFactory({ client: server.client, connection: server.connection(), pool: { min: 0, max: 2 } });
    const pool = db.client.pool as object;
    const keys = Object.keys(pool);
    const raw = await db.raw('SELECT 1 AS one');
    auditKnex(db, { auditor, name: 'orders' });
    const audited = await db.raw('SELECT 1 AS one');
    expect(JSON.stringify(audited.rows ?? audited[0])).toBe(JSON.stringify(raw.rows ?? raw[0]));
    expect(Object.keys(pool)).toEqual(keys);
    // The connection made before the audit is adopted.
    expect(poolOf(auditor, 'orders').stats).toMatchObject({ open: 1, acquired: 1, inUse: 0 });
    expect(detach(db)).toBe(true);
    expect(Object.keys(pool)).toEqual(keys);
  });
});
