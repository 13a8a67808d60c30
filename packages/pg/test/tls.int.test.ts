import { TLSSocket } from 'node:tls';
import { createAuditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditPool } from '@poolaudit/pg';
import pg from 'pg';
import { certificateFiles } from '../../../test/harness/certificates';
import type { CertificateFiles } from '../../../test/harness/certificates';
import { countSsSockets, eventually, ssSockets } from '../../../test/harness/kernel-sockets';
import { startPrivatePostgres } from '../../../test/harness/postgres';
import type { PrivatePostgres } from '../../../test/harness/postgres';
import { collectLocalPorts, pause } from './support/pg-pool';

jest.setTimeout(60_000);

// A private PostgreSQL with ssl = on and a certificate made now (never committed). The server reads its
// key only when the postgres user owns it and nobody else can read it.
let server: PrivatePostgres;
let cert: CertificateFiles;
beforeAll(async () => {
  cert = certificateFiles({ owner: 'postgres' });
  server = await startPrivatePostgres({
    ssl: 'on',
    ssl_cert_file: cert.certPath,
    ssl_key_file: cert.keyPath,
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  cert?.remove();
});

describe('pg over TLS (ssl), against a private PostgreSQL with a generated certificate', () => {
  it('reads who closed first at the TLS socket, and the kernel confirms the TIME_WAIT per 4-tuple', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const pool = auditPool(
      new pg.Pool({ ...server.options, ssl: { ca: cert.cert }, max: 4, idleTimeoutMillis: 200 }),
      { auditor, name: 'secure' },
    );
    const ports = collectLocalPorts(pool);
    try {
      await host.refresh(); // confirmation per 4-tuple records from the first scan on
      const client = await pool.connect();
      expect(client.connection.stream).toBeInstanceOf(TLSSocket);
      const { rows } = await client.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ ssl: true }]);
      client.release();
      // Four at once, then idle past idleTimeoutMillis: pg-pool closes all four here.
      await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.1)')));
      await pause(400);
      const stats = () => auditor.snapshot().pools[0]!.stats;
      const sides = () => stats().closedBy.local + stats().closedBy.reset + stats().closedBy.remote;
      expect(await eventually(() => sides() === 4, 10_000)).toBe(true);
      const s = stats();
      expect(s).toMatchObject({ created: 4, closed: { idleTimeout: 4 } });
      expect(s.closedBy.unknown).toBe(0);
      // pg's end() writes Terminate and ends its side once that is written; the server may close first in
      // between (as over plain TCP): the side is the socket's, and the kernel below has the last word.
      await host.refresh();
      const t = auditor.snapshot().pools[0]!.stats.timeWait;
      const kernel = countSsSockets('time-wait', server.port, ports);
      expect(ports.size).toBe(4);
      expect(t.source).toBe('kernel');
      expect(t.footprint).toBe(kernel);
      expect((t.confirmed ?? 0) + (t.resets ?? 0)).toBe(s.closedBy.local + s.closedBy.reset);
      // A close read as the server's (its FIN came first) leaves TIME_WAIT on the server's side of the same
      // 4-tuple, unless our close_notify reached a socket the server had closed: then it answered RST and
      // neither side keeps one. Nothing else can put one there.
      const serverSide = ssSockets('time-wait').filter(
        (x) => x.localPort === server.port && ports.has(x.peerPort),
      ).length;
      expect(serverSide).toBeLessThanOrEqual(s.closedBy.remote);
      console.log(
        `pg ssl: closedBy local ${s.closedBy.local} remote ${s.closedBy.remote} reset ${s.closedBy.reset}; kernel TIME_WAIT ${kernel}, ` +
          `confirmed ${t.confirmed}, resets ${t.resets}; server-side TIME_WAIT ${serverSide}`,
      );
    } finally {
      host.detach();
      await pool.end();
    }
  });
});
