import { createAuditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { Agent, Pool, request } from 'undici';
import { countSsSockets, eventually, ssSockets } from '../../../test/harness/kernel-sockets.js';
import { auditDispatcher, detachDispatcher } from '../src/index.js';
import { connectionClose, ok, sleep, startServer } from '../../../test/harness/http-servers.js';
import type { TestServer } from '../../../test/harness/http-servers.js';

const REQUESTS = 30;

function pool(auditor: Auditor, name: string): PoolSnapshot {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return found;
}

/** `n` requests one after another, `gapMs` apart, each body read to the end. */
async function sequential(dispatcher: Agent | Pool, origin: string, n: number, gapMs: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await request(`${origin}/r${i}`, { dispatcher });
    await res.body.text();
    if (gapMs > 0 && i < n - 1) await sleep(gapMs);
  }
}

/** Server-side TIME_WAIT sockets: local port = the server's, peer port = one of our client ports. */
function serverSideTimeWait(server: TestServer): number {
  return ssSockets('time-wait').filter(
    (s) => s.localPort === server.port && server.clientPorts.has(s.peerPort),
  ).length;
}

describe('who closes first, read at the socket and checked against the kernel', () => {
  let server: TestServer | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    if (agent) {
      detachDispatcher(agent);
      await agent.destroy();
    }
    await server?.close();
    server = undefined;
    agent = undefined;
  });

  it('a server answering Connection: close: one connection per request, every close remote', async () => {
    server = await startServer(connectionClose);
    const auditor = createAuditor();
    agent = auditDispatcher(new Agent(), { auditor, name: 'cc' });
    await sequential(agent, server.origin, REQUESTS, 70);
    const name = `cc ${server.origin}`;
    expect(
      await eventually(() => {
        const s = pool(auditor, name).stats;
        return s.closedBy.remote + s.closedBy.local + s.closedBy.reset === REQUESTS;
      }),
    ).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(REQUESTS);
    expect(p.stats.usesPerConnection).toBe(1);
    expect(p.stats.closedBy).toEqual({ local: 0, remote: REQUESTS, reset: 0, unknown: 0 });
    expect(p.stats.closed.remote).toBe(REQUESTS);
    expect(p.stats.closedDetail['connection-close']).toBe(REQUESTS);
    expect(p.stats.events['connection-close-response']).toBe(REQUESTS);
    expect(p.stats.timeWait.footprint).toBe(0);
    const codes = auditor.findings().map((f) => f.code);
    expect(codes).toContain('server-closes-first');
    expect(codes).toContain('http-connection-close');

    // The kernel agrees: the TIME_WAIT sockets are the server's, none is ours.
    expect(server.clientPorts.size).toBe(REQUESTS);
    const ours = countSsSockets('time-wait', server.port, server.clientPorts);
    const theirs = serverSideTimeWait(server);
    expect(ours).toBe(0);
    expect(theirs).toBeGreaterThanOrEqual(REQUESTS * 0.9);
    process.stdout.write(
      `Connection: close, ${REQUESTS} requests: TIME_WAIT here ${ours}, server side ${theirs}\n`,
    );
  });

  it('a server hinting Keep-Alive: timeout=1: undici closes after every response, the TIME_WAIT is ours', async () => {
    server = await startServer(ok, 1000);
    const auditor = createAuditor();
    agent = auditDispatcher(new Agent(), { auditor, name: 'hint' });
    await sequential(agent, server.origin, REQUESTS, 70);
    const name = `hint ${server.origin}`;
    expect(await eventually(() => pool(auditor, name).stats.closedBy.local === REQUESTS)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(REQUESTS);
    expect(p.stats.closedDetail['keep-alive-hint']).toBe(REQUESTS);
    expect(p.annotations['serverKeepAliveTimeoutMs']).toBe(1000);

    const footprint = p.stats.timeWait.footprint;
    const kernel = countSsSockets('time-wait', server.port, server.clientPorts);
    expect(footprint).toBe(REQUESTS);
    expect(Math.abs(kernel - footprint)).toBeLessThanOrEqual(footprint * 0.1);
    expect(serverSideTimeWait(server)).toBe(0);
    process.stdout.write(
      `Keep-Alive: timeout=1, ${REQUESTS} requests: footprint ${footprint}, kernel ${kernel}\n`,
    );

    const hint = auditor.findings().find((f) => f.code === 'http-short-keep-alive-hint');
    expect(hint?.message).toContain('Keep-Alive: timeout=1');
    expect(hint?.advice).toContain('keepAliveTimeoutThreshold');
    const churn = auditor.findings().find((f) => f.code === 'idle-timeout-churn');
    expect(churn?.message).toContain("the server's Keep-Alive: timeout=1 hint");
  });

  it('over HTTPS the same local closes leave what the kernel says: confirmed per 4-tuple, resets told apart', async () => {
    server = await startServer(ok, 1000, { tls: true });
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    try {
      await host.refresh(); // confirmation per 4-tuple records from the first scan on
      agent = auditDispatcher(new Agent({ connect: { ca: server.ca } }), { auditor, name: 'tls' });
      const n = 10;
      await sequential(agent, server.origin, n, 70);
      const name = `tls ${server.origin}`;
      expect(await eventually(() => pool(auditor, name).stats.closedBy.local === n)).toBe(true);
      await host.refresh();
      const t = pool(auditor, name).stats.timeWait;
      const kernel = countSsSockets('time-wait', server.port, server.clientPorts);
      expect(server.clientPorts.size).toBe(n);
      expect(t.source).toBe('kernel');
      expect(t.counted).toBe(n);
      // Each local close is either a TIME_WAIT the kernel holds for that 4-tuple, or a reset (TLS 1.3
      // session tickets still unread at close make Linux send RST): the footprint is the kernel's own.
      expect(t.footprint).toBe(kernel);
      expect((t.confirmed ?? 0) + (t.resets ?? 0)).toBe(n);
      expect(serverSideTimeWait(server)).toBe(0);
      process.stdout.write(
        `HTTPS, Keep-Alive: timeout=1, ${n} requests: counted ${t.counted}, kernel ${kernel}, ` +
          `confirmed ${t.confirmed}, resets ${t.resets}\n`,
      );
    } finally {
      host.detach();
    }
  });

  it('keepAliveTimeout 500 ms with requests every 800 ms: idle-timeout-churn with advice', async () => {
    // keepAliveTimeout 0: Node neither times out nor advertises a hint, so the client's own timeout rules.
    server = await startServer(ok, 0);
    const auditor = createAuditor();
    const pooled = auditDispatcher(new Pool(server.origin, { keepAliveTimeout: 500 }), {
      auditor,
      name: 'short',
    });
    try {
      await sequential(pooled, server.origin, 7, 800);
      const p = pool(auditor, `short ${server.origin}`);
      expect(p.stats.closed.idleTimeout).toBeGreaterThanOrEqual(6);
      expect(p.stats.closedDetail['keep-alive-timeout']).toBe(p.stats.closed.idleTimeout);
      expect(p.stats.closedBy.local).toBeGreaterThanOrEqual(6);
      const churn = auditor.findings().find((f) => f.code === 'idle-timeout-churn');
      expect(churn?.message).toContain('keepAliveTimeout=500 ms');
      expect(churn?.advice).toMatch(/Raise keepAliveTimeout to at least \d/);
    } finally {
      detachDispatcher(pooled);
      await pooled.destroy();
    }
  });

  it('requests every 100 ms against a default server reuse one connection: no finding', async () => {
    server = await startServer(ok);
    const auditor = createAuditor();
    agent = auditDispatcher(new Agent(), { auditor, name: 'steady' });
    await sequential(agent, server.origin, 20, 100);
    const p = pool(auditor, `steady ${server.origin}`);
    expect(p.stats.acquired).toBe(20);
    expect(p.stats.created).toBe(1);
    expect(p.stats.usesPerConnection).toBeGreaterThanOrEqual(10);
    expect(p.stats.open).toBe(1);
    expect(p.stats.idle).toBe(1);
    expect(auditor.findings()).toEqual([]);
  });
});
