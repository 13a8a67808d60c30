import { once } from 'node:events';
import { Agent, get } from 'node:https';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import type { HostObservation } from '@poolaudit/host';
import { auditDispatcher } from '@poolaudit/undici';
import { Pool } from 'undici';
import { ok, startServer } from './harness/http-servers';
import type { TestServer } from './harness/http-servers';
import { countSsSockets, eventually } from './harness/kernel-sockets';

// Issue 15's process view: connections no adapter registered, seen at connect, confirmed by the kernel.
const NET_CONNECTIONS = 200;
const HTTPS_REQUESTS = 100;

let plain: Server;
let plainPort: number;
const plainClientPorts = new Set<number>();
let https: TestServer;
let auditor: Auditor;
let host: HostObservation;
let stopWatching: () => void;

beforeAll(async () => {
  plain = createServer((s) => {
    if (s.remotePort !== undefined) plainClientPorts.add(s.remotePort);
    s.on('error', () => undefined);
    s.on('data', () => s.write('ok'));
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  plainPort = (plain.address() as AddressInfo).port;
  https = await startServer(ok, 5000, { tls: true });
  auditor = createAuditor({ logger: { info: () => undefined, warn: () => undefined } });
  host = observeHost(auditor, { intervalMs: 60_000 });
  stopWatching = auditor.watchProcessSockets();
});

afterAll(async () => {
  stopWatching();
  host.detach();
  auditor.close();
  plain.close();
  await https.close();
});

/** A plain `net.connect()` per message, ended by us after the reply: one TIME_WAIT socket each, on our side. */
function netRoundTrip(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(plainPort, '127.0.0.1', () => socket.write('x'));
    socket.on('data', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** An `https.get()` through an agent made for the request and destroyed after it: the client closes. */
function httpsRequestPerAgent(): Promise<void> {
  const agent = new Agent({ keepAlive: true, ca: https.ca });
  return new Promise<void>((resolve, reject) => {
    get(`${https.origin}/`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    }).on('error', reject);
  }).finally(() => agent.destroy());
}

it('counts net.connect() and https.get() connections per destination, confirmed against the kernel, and names their code', async () => {
  // An audited pool to the same https server: its connections stay the pool's.
  const pool = auditDispatcher(new Pool(https.origin, { connect: { ca: https.ca } }), {
    name: 'api',
    auditor,
  });
  for (let i = 0; i < 5; i++) await (await pool.request({ path: '/', method: 'GET' })).body.text();
  for (let i = 0; i < NET_CONNECTIONS; i++) await netRoundTrip();
  for (let i = 0; i < HTTPS_REQUESTS; i++) await httpsRequestPerAgent();
  await pool.close();

  const plainEndpoint = `127.0.0.1:${plainPort}`;
  const httpsEndpoint = `127.0.0.1:${https.port}`;
  // Everything closed, and the kernel holds each of our FINs as TIME_WAIT (or saw a reset instead).
  auditor.snapshot();
  await host.refresh();
  const settled = await eventually(async () => {
    await host.refresh();
    const s = auditor.snapshot();
    // A TLS socket's 'close' can come a while after its destroy(): wait for every one.
    return (s.unaudited?.destinations ?? []).every((d) => d.open === 0 && d.timeWait.unconfirmed === 0);
  });
  expect(settled).toBe(true);
  const snapshot = auditor.snapshot();
  const view = snapshot.unaudited;
  const net = view?.destinations.find((d) => d.endpoint === plainEndpoint);
  const tls = view?.destinations.find((d) => d.endpoint === httpsEndpoint);

  expect(net).toMatchObject({ open: 0, created: NET_CONNECTIONS, closedBy: { local: NET_CONNECTIONS } });
  expect(net?.timeWait.source).toBe('kernel');
  expect(net?.timeWait.footprint).toBe(countSsSockets('time-wait', plainPort, plainClientPorts));
  expect(net?.timeWait.footprint).toBe(NET_CONNECTIONS);

  // The pool's 5 requests went over its own connection: only the per-request agents' connections are here.
  expect(tls).toMatchObject({ open: 0, created: HTTPS_REQUESTS });
  const ourPorts = new Set([...https.clientPorts]);
  expect(tls?.timeWait.footprint).toBe(countSsSockets('time-wait', https.port, ourPorts));
  // A local close became a TIME_WAIT socket or, with TLS 1.3 tickets unread, a reset: the kernel says which.
  expect((tls?.timeWait.confirmed ?? 0) + (tls?.timeWait.resets ?? 0)).toBe(tls?.closedBy.local);

  // Call sites: sampled at a bounded rate, and this file named for both.
  for (const d of [net, tls]) {
    expect(d?.sampled).toBeGreaterThan(0);
    expect(d?.callers[0]?.frame).toMatch(/^test\/process-sockets\.int\.test\.ts:\d+$/);
  }
  expect(net?.callers[0]?.library).toBe('node:net');
  expect(tls?.callers[0]?.library).toBe('node:https');

  // Reconciliation: kernel = the pool's share + the unaudited share here + the rest (others on the host).
  const account = snapshot.reconciliation?.find((r) => r.endpoint === httpsEndpoint);
  expect(account).toBeDefined();
  const poolShare = snapshot.endpoints.find((e) => e.endpoint === httpsEndpoint)?.timeWait.footprint;
  expect(account?.pools).toBe(poolShare);
  expect(account?.unaudited).toBe(tls?.timeWait.footprint);
  expect(account?.kernel).toBe(
    (account?.pools ?? 0) + (account?.unaudited ?? 0) + (account?.unexplained ?? 0),
  );

  const finding = snapshot.findings.find(
    (f) => f.code === 'unaudited-time-wait' && f.endpoint === plainEndpoint,
  );
  expect(finding?.message).toContain('test/process-sockets.int.test.ts:');
  expect(finding?.message).toContain(`${NET_CONNECTIONS} of them are this process's unaudited connections`);
  expect(finding?.advice).toContain('(via node:net)');
  console.log(
    `process view (${view?.mechanism}): net ${net?.created} connections, TIME_WAIT ${net?.timeWait.footprint} ` +
      `(ss ${countSsSockets('time-wait', plainPort, plainClientPorts)}); https ${tls?.created}, TIME_WAIT ` +
      `${tls?.timeWait.confirmed} + resets ${tls?.timeWait.resets}; callers ${JSON.stringify(net?.callers)}`,
  );
});
