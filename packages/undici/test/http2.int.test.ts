import { once } from 'node:events';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { Client } from 'undici';
import { selfSignedCertificate } from '../../../test/harness/certificates.js';
import { countSsSockets, eventually, ssSockets } from '../../../test/harness/kernel-sockets.js';
import { auditDispatcher } from '../src/index.js';

jest.setTimeout(20_000);

const pem = selfSignedCertificate();
let server: Http2SecureServer;
let port: number;
const sessions: ServerHttp2Session[] = [];

beforeAll(async () => {
  server = createSecureServer({ key: pem.key, cert: pem.cert }, (_req, res) => res.end('ok'));
  server.on('session', (s) => sessions.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('HTTP/2 through undici (allowH2)', () => {
  it('one session is one connection carrying every request; a GOAWAY is the server closing, as the kernel shows', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const client = auditDispatcher(
      new Client(`https://localhost:${port}`, { allowH2: true, connect: { ca: pem.cert } }),
      { auditor, name: 'h2' },
    );
    const localPorts = new Set<number>();
    try {
      await host.refresh();
      const first = sessions.length;
      const bodies = await Promise.all(
        Array.from({ length: 6 }, async () =>
          (await client.request({ path: '/', method: 'GET' })).body.text(),
        ),
      );
      expect(bodies).toEqual(Array(6).fill('ok'));
      expect(sessions.length - first).toBe(1);
      const session = sessions[sessions.length - 1] as ServerHttp2Session;
      localPorts.add(session.socket.remotePort ?? 0);
      const stats = () => auditor.snapshot().pools[0]!.stats;
      // The six requests are six uses of the one connection.
      expect(stats()).toMatchObject({ created: 1, acquired: 6, open: 1 });

      // The server ends the session: GOAWAY, and it closes the connection first.
      session.close();
      expect(await eventually(() => stats().open === 0)).toBe(true);
      expect(stats().closed.remote).toBe(1);
      // undici 7 destroys the socket on the GOAWAY frame; undici 8 sees the session end first ('other side
      // closed'). Either way the server closed.
      expect(Object.entries(stats().closedDetail)).toEqual([
        [expect.stringMatching(/^(goaway|server-hang-up)$/), 1],
      ]);
      expect(stats().closedBy).toMatchObject({ remote: 1, local: 0 });
      // The kernel agrees: the TIME_WAIT is the server's, none on this side.
      expect(
        await eventually(() =>
          ssSockets('time-wait').some((s) => s.localPort === port && localPorts.has(s.peerPort)),
        ),
      ).toBe(true);
      await host.refresh();
      expect(countSsSockets('time-wait', port, localPorts)).toBe(0);
      expect(stats().timeWait).toMatchObject({ source: 'kernel', footprint: 0 });
    } finally {
      host.detach();
      await client.close();
    }
  });
});
