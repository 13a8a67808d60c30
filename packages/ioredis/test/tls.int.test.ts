import { TLSSocket } from 'node:tls';
import Redis from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditRedis } from '../src/index.js';
import { freePort } from '../../../test/harness/free-port.js';
import { certificateFiles } from '../../../test/harness/certificates.js';
import type { CertificateFiles } from '../../../test/harness/certificates.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { startRedis } from '../../../test/harness/redis.js';

jest.setTimeout(30_000);

// A private Redis with a `tls-port` and a certificate made now (never committed); Debian's build has TLS.
let server: Awaited<ReturnType<typeof startRedis>>;
let tlsPort: number;
let cert: CertificateFiles;
beforeAll(async () => {
  cert = certificateFiles();
  tlsPort = await freePort();
  server = await startRedis([
    '--tls-port',
    String(tlsPort),
    '--tls-cert-file',
    cert.certPath,
    '--tls-key-file',
    cert.keyPath,
    '--tls-auth-clients',
    'no',
  ]);
});
afterAll(async () => {
  await server?.stop();
  cert?.remove();
});

describe('ioredis over TLS, against a private Redis on a tls-port', () => {
  it('reads who closed first at the TLS socket, and the kernel confirms each close per 4-tuple', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const ports = new Set<number>();
    try {
      await host.refresh(); // confirmation per 4-tuple records from the first scan on
      // A client per request, each closed here with disconnect(): a close per client on this side.
      for (let i = 0; i < 6; i++) {
        const redis = auditRedis(
          new Redis({ host: '127.0.0.1', port: tlsPort, tls: { ca: cert.cert }, lazyConnect: true }),
          { auditor, name: 'per-request' },
        );
        await redis.connect();
        expect(redis.stream).toBeInstanceOf(TLSSocket);
        expect(await redis.ping()).toBe('PONG');
        ports.add(redis.stream.localPort ?? 0);
        redis.disconnect();
      }
      const stats = () => auditor.snapshot().pools[0]!.stats;
      const sides = () => stats().closedBy.local + stats().closedBy.remote + stats().closedBy.reset;
      expect(await eventually(() => sides() === 6)).toBe(true);
      const s = stats();
      expect(s.created).toBe(6);
      expect(s.closedBy.unknown).toBe(0);
      expect(s.closedBy.local + s.closedBy.reset).toBe(6);
      await host.refresh();
      const t = auditor.snapshot().pools[0]!.stats.timeWait;
      const kernel = countSsSockets('time-wait', tlsPort, ports);
      expect(ports.size).toBe(6);
      expect(t.source).toBe('kernel');
      expect(t.footprint).toBe(kernel);
      expect((t.confirmed ?? 0) + (t.resets ?? 0)).toBe(s.closedBy.local + s.closedBy.reset);
      process.stdout.write(
        `ioredis tls: closedBy local ${s.closedBy.local} reset ${s.closedBy.reset}; kernel TIME_WAIT ${kernel}, ` +
          `confirmed ${t.confirmed}, resets ${t.resets}\n`,
      );
    } finally {
      host.detach();
    }
  });
});
