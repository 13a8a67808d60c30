import { TLSSocket } from 'node:tls';
import { createAuditor, formatReport } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import mysql from 'mysql2';
import { certificateFiles } from '../../../test/harness/certificates';
import type { CertificateFiles } from '../../../test/harness/certificates';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { startMariaDb } from '../../../test/harness/mariadb';
import type { PrivateMariaDb } from '../../../test/harness/mariadb';
import { auditPool } from '../src/index.js';

jest.setTimeout(60_000);

const ssCount = (port: number): number => countSsSockets('time-wait', port);

// A private MariaDB that takes TLS with a certificate made now (never committed).
let db: PrivateMariaDb;
let cert: CertificateFiles;
beforeAll(async () => {
  cert = certificateFiles();
  db = await startMariaDb({ args: [`--ssl-cert=${cert.certPath}`, `--ssl-key=${cert.keyPath}`] });
}, 60_000);
afterAll(async () => {
  await db?.stop();
  cert?.remove();
});

function query(pool: mysql.Pool, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    pool.query(sql, (err, rows) => (err ? reject(err) : resolve(rows))),
  );
}

describe('mysql2 over TLS (ssl), against a private MariaDB with a generated certificate', () => {
  it('reads who closed first at the TLS socket, and the kernel confirms the TIME_WAIT per 4-tuple', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const pool = auditPool(
      mysql.createPool({
        host: db.host,
        port: db.port,
        user: 'root',
        database: 'test',
        ssl: { ca: cert.cert },
        connectionLimit: 4,
        maxIdle: 1,
        idleTimeout: 60_000,
      }),
      { auditor, name: 'secure' },
    );
    // This end's port of every connection of the pool: the kernel's TIME_WAIT is compared on these alone
    // (the harness's own client, which created the database, left one toward the same server).
    const ports = new Set<number>();
    pool.on('connection', (c) => ports.add((c as unknown as { stream: TLSSocket }).stream.localPort ?? 0));
    try {
      await host.refresh(); // confirmation per 4-tuple records from the first scan on
      // TLS is really on: the server says which cipher this session uses.
      const [status] = (await query(pool, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")) as { Value: string }[];
      expect(status?.Value).not.toBe('');
      // A burst of 4, then the idle cap of 1: this side closes 3 of them, leaving TIME_WAIT here.
      await Promise.all(Array.from({ length: 4 }, () => query(pool, 'SELECT SLEEP(0.2)')));
      const stats = () => auditor.snapshot().pools[0]!.stats;
      expect(await eventually(() => stats().closedBy.local + stats().closedBy.reset === 3, 10_000)).toBe(
        true,
      );
      const s = stats();
      expect(s).toMatchObject({ created: 4, closed: { maxIdle: 3 } });
      expect(s.closedBy.unknown).toBe(0);
      // What the kernel holds toward the server from this process's closes, per 4-tuple.
      await host.refresh();
      const t = auditor.snapshot().pools[0]!.stats.timeWait;
      expect(t.source).toBe('kernel');
      const kernel = countSsSockets('time-wait', db.port, ports);
      expect(ports.size).toBe(4);
      expect(t.footprint).toBe(kernel);
      expect((t.confirmed ?? 0) + (t.resets ?? 0)).toBe(s.closedBy.local + s.closedBy.reset);
      // The report splits what the kernel held toward the server at the scan into this pool's share and the
      // rest (the harness's own client, which created the database). Read against that scan: a later ss may
      // miss a TIME_WAIT that expired since (one left toward this port number by an earlier run's server).
      const snapshot = auditor.snapshot();
      const toServer = snapshot.endpoints.find((e) => e.endpoint === `127.0.0.1:${db.port}`)?.kernel?.timeWait;
      expect(toServer).toBeGreaterThanOrEqual(t.footprint);
      expect(toServer).toBeGreaterThanOrEqual(ssCount(db.port));
      expect(formatReport(snapshot)).toContain(
        `127.0.0.1:${db.port} (secure): kernel ${toServer} = these pools' closes ${t.footprint} ` +
          `(confirmed per 4-tuple) + sockets no audited pool owns ${(toServer ?? 0) - t.footprint}`,
      );
      console.log(
        `mysql2 ssl: closedBy local ${s.closedBy.local} reset ${s.closedBy.reset}; kernel TIME_WAIT ${kernel}, ` +
          `confirmed ${t.confirmed}, resets ${t.resets}`,
      );
      // The connection left open is read at its TLS socket.
      const conn = await new Promise<mysql.PoolConnection>((resolve, reject) =>
        pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
      );
      expect((conn as unknown as { stream: unknown }).stream).toBeInstanceOf(TLSSocket);
      conn.release();
    } finally {
      host.detach();
      await new Promise((resolve) => pool.end(resolve));
    }
  });

  it('a certificate the client does not trust: a failed connect, named as a TLS problem', async () => {
    const auditor = createAuditor();
    const pool = auditPool(
      mysql.createPool({ host: db.host, port: db.port, user: 'root', database: 'test', ssl: {} }),
      { auditor, name: 'untrusted' },
    );
    try {
      const code = await query(pool, 'SELECT 1').then(
        () => 'ok',
        (err: unknown) => String((err as { code?: string }).code),
      );
      expect(code).toBe('HANDSHAKE_SSL_ERROR');
      expect(await eventually(() => auditor.snapshot().pools[0]!.stats.connectErrors === 1)).toBe(true);
      const s = auditor.snapshot().pools[0]!.stats;
      expect(s.created).toBe(0);
      expect(s.lastConnectError?.code).toBe('HANDSHAKE_SSL_ERROR');
      const finding = auditor.findings().find((f) => f.code === 'connect-failing');
      expect(finding?.advice).toContain('TLS handshake');
    } finally {
      await new Promise((resolve) => pool.end(resolve));
    }
  });
});
