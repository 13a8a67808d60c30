import { Agent } from 'node:http';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { connectionClose, ok, startServer } from '../../../test/harness/http-servers.js';
import type { TestServer } from '../../../test/harness/http-servers.js';
import { freePort } from '../../../test/harness/free-port.js';
import { auditAgent, detach } from '../src/index.js';
import { closesIdleAfter, closesOnReuse, get, pause, sequential } from './support/requests.js';

// Findings need their evidence spread over seconds; one second is enough here, where each test runs briefly.
const QUICK = { minSeconds: 1 };
function quickAuditor(): Auditor {
  return createAuditor({
    detectors: {
      'http-keep-alive-disabled': QUICK,
      'http-connection-close': QUICK,
      'http-short-keep-alive-hint': QUICK,
      'max-idle-churn': { minEvents: 5, minSeconds: 1 },
      'idle-timeout-churn': { minEvents: 3, minSeconds: 1 },
      'server-closes-first': QUICK,
    },
  });
}

function pool(auditor: Auditor, name: string): PoolSnapshot {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return found;
}

function settled(auditor: Auditor, name: string, closes: number): Promise<boolean> {
  return eventually(() => {
    const s = pool(auditor, name).stats;
    return s.closedBy.local + s.closedBy.remote + s.closedBy.reset + s.closedBy.unknown >= closes;
  }, 10_000);
}

function codes(p: PoolSnapshot): string[] {
  return p.findings.map((f) => f.code);
}

describe('every close of an http.Agent socket classified, against real node:http servers', () => {
  let server: TestServer | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    if (agent) {
      detach(agent);
      agent.destroy();
    }
    await server?.close();
    server = undefined;
    agent = undefined;
  });

  it('one keep-alive agent: one connection for sequential requests, no close, no finding', async () => {
    server = await startServer(ok);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'api', auditor });
    const outcomes = await sequential(server.origin, agent, 20, 10);
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    const p = pool(auditor, `api ${server.origin}`);
    expect(p.kind).toBe('http-agent');
    expect(p.stats).toMatchObject({ created: 1, acquired: 20, open: 1, idle: 1, inUse: 0 });
    expect(p.stats.usesPerConnection).toBe(20);
    expect(p.stats.timings.connect.count).toBe(1);
    expect(p.findings).toEqual([]);
  });

  it('new Agent() without keepAlive: a connection per request, http-keep-alive-disabled', async () => {
    server = await startServer(ok);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent(), { name: 'plain', auditor });
    await sequential(server.origin, agent, 12, 100);
    const name = `plain ${server.origin}`;
    expect(await settled(auditor, name, 12)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(12);
    expect(p.stats.closedDetail['keep-alive-disabled']).toBe(12);
    expect(codes(p)).toContain('http-keep-alive-disabled');
    expect(p.findings.find((f) => f.code === 'http-keep-alive-disabled')?.advice).toContain('keepAlive');
  });

  it('keepAlive false with a finite maxSockets: the agent destroys each freed socket, TIME_WAIT here = ss', async () => {
    server = await startServer(ok);
    const auditor = quickAuditor();
    // With maxSockets finite the request asks for keep-alive, and the agent destroys the socket on 'free'.
    agent = auditAgent(new Agent({ keepAlive: false, maxSockets: 4 }), { name: 'capped', auditor });
    await sequential(server.origin, agent, 10, 20);
    const name = `capped ${server.origin}`;
    expect(await settled(auditor, name, 10)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.closed.other).toBe(10);
    expect(p.stats.closedDetail['keep-alive-disabled']).toBe(10);
    expect(p.stats.closedBy.local).toBe(10);
    expect(p.stats.timeWait.footprint).toBe(countSsSockets('time-wait', server.port, server.clientPorts));
  });

  it('a server answering Connection: close: every close remote, http-connection-close', async () => {
    server = await startServer(connectionClose);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'cc', auditor });
    await sequential(server.origin, agent, 10, 100);
    const name = `cc ${server.origin}`;
    expect(await settled(auditor, name, 10)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(10);
    expect(p.stats.closed.remote).toBe(10);
    expect(p.stats.closedDetail['connection-close']).toBe(10);
    expect(p.stats.events['connection-close-response']).toBe(10);
    // The server closes first (its TIME_WAIT), although Node's client ends its side before reading the FIN.
    expect(p.stats.closedBy.remote).toBe(10);
    expect(p.stats.timeWait.footprint).toBe(0);
    expect(countSsSockets('time-wait', server.port, server.clientPorts)).toBe(0);
    expect(codes(p)).toContain('http-connection-close');
  });

  it('a server hinting Keep-Alive: timeout=1: the agent refuses to keep sockets, closing each here', async () => {
    server = await startServer(ok, 1000);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'hint', auditor });
    await sequential(server.origin, agent, 10, 100);
    const name = `hint ${server.origin}`;
    expect(await settled(auditor, name, 10)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(10);
    expect(p.stats.closedDetail['keep-alive-hint']).toBe(10);
    expect(p.stats.closed.idleTimeout).toBe(10);
    expect(p.annotations['serverKeepAliveTimeoutMs']).toBe(1000);
    expect(p.stats.timeWait.footprint).toBe(countSsSockets('time-wait', server.port, server.clientPorts));
    const finding = p.findings.find((f) => f.code === 'http-short-keep-alive-hint');
    expect(finding?.advice).toContain('agentKeepAliveTimeoutBuffer');
  });

  it('bursts beyond maxFreeSockets: the extra freed sockets are destroyed (maxIdle), TIME_WAIT here = ss', async () => {
    server = await startServer((req, res) => setTimeout(() => res.end('ok'), 30));
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true, maxFreeSockets: 2 }), { name: 'burst', auditor });
    for (let burst = 0; burst < 3; burst++) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => get(`${server!.origin}/b${i}`, agent!)),
      );
      expect(outcomes.every((o) => o.status === 200)).toBe(true);
      await pause(50);
    }
    const name = `burst ${server.origin}`;
    const p = pool(auditor, name);
    // Each burst reuses the 2 kept sockets and dials 6 more; 6 are destroyed after it.
    expect(p.stats.closed.maxIdle).toBe(18);
    expect(p.stats.closedDetail['max-free-sockets']).toBe(18);
    expect(p.stats.created).toBe(20);
    expect(p.stats.peakInUse).toBe(8);
    expect(await settled(auditor, name, 18)).toBe(true);
    expect(pool(auditor, name).stats.timeWait.footprint).toBe(
      countSsSockets('time-wait', server.port, server.clientPorts),
    );
    const finding = pool(auditor, name).findings.find((f) => f.code === 'max-idle-churn');
    expect(finding?.advice).toContain('maxFreeSockets to at least 8');
  });

  it('the free-socket timeout: idle sockets closed here (idleTimeout), idle-timeout-churn names timeout', async () => {
    server = await startServer(ok, 0);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true, timeout: 150 }), { name: 'idle', auditor });
    await sequential(server.origin, agent, 6, 300);
    const name = `idle ${server.origin}`;
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(6);
    expect(p.stats.closedDetail['free-socket-timeout']).toBe(5);
    expect(p.stats.closedBy.local).toBe(5);
    const finding = p.findings.find((f) => f.code === 'idle-timeout-churn');
    expect(finding?.message).toContain('timeout=150 ms');
  });

  it('a server closing idle sockets first: remote, its idle timeout learnt, server-closes-first', async () => {
    server = await startServer(closesIdleAfter(100), 0);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'fin', auditor });
    await sequential(server.origin, agent, 6, 300);
    const name = `fin ${server.origin}`;
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(6);
    expect(p.stats.closedDetail['server-idle-close']).toBe(5);
    expect(p.stats.closedBy.remote).toBe(5);
    expect(p.annotations['serverIdleTimeoutMs']).toBe(100);
    expect(codes(p)).toContain('server-closes-first');
  });

  it('the keep-alive race: requests on reused sockets the server closes fail, counted, advice names timeout', async () => {
    server = await startServer(closesOnReuse(), 0);
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'race', auditor });
    const outcomes = await sequential(server.origin, agent, 8, 20);
    // Odd requests land on the connection the previous one opened, and the server closes it instead.
    const failed = outcomes.filter((o) => o.error !== undefined);
    expect(failed.length).toBe(4);
    expect(failed.every((o) => o.reusedSocket && o.error?.code === 'ECONNRESET')).toBe(true);
    const name = `race ${server.origin}`;
    expect(await settled(auditor, name, 4)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.events['keep-alive-race']).toBe(4);
    expect(p.stats.closedDetail['keep-alive-race']).toBe(4);
    const finding = p.findings.find((f) => f.code === 'http-keep-alive-race');
    expect(finding?.advice).toMatch(/Set timeout: \d+/);
    expect(finding?.advice).toContain('reusedSocket');
  });

  it('maxSockets queues requests: Go wait counts, pending read from agent.requests', async () => {
    server = await startServer((req, res) => setTimeout(() => res.end('ok'), 40));
    const auditor = quickAuditor();
    agent = auditAgent(new Agent({ keepAlive: true, maxSockets: 2 }), { name: 'queue', auditor });
    const name = `queue ${server.origin}`;
    const running = Promise.all(Array.from({ length: 6 }, (_, i) => get(`${server!.origin}/q${i}`, agent!)));
    await eventually(() => auditor.poolNames().includes(name));
    expect(pool(auditor, name).stats.pending).toBe(4);
    expect((await running).every((o) => o.status === 200)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats).toMatchObject({ created: 2, acquired: 6, waitCount: 4, pending: 0, inUse: 0, idle: 2 });
    expect(p.stats.waitDurationMs).toBeGreaterThan(0);
  });

  it('a destination nobody listens on: the failed connects are connect-failing, with the code and endpoint', async () => {
    const auditor = quickAuditor();
    const port = await freePort();
    agent = auditAgent(new Agent({ keepAlive: true }), { name: 'down', auditor });
    const outcomes = [
      await get(`http://127.0.0.1:${port}/a`, agent),
      await get(`http://127.0.0.1:${port}/b`, agent),
    ];
    expect(outcomes.map((o) => o.error?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    const name = `down http://127.0.0.1:${port}`;
    // The request's error comes before its socket's 'close', where the failed connect is counted.
    expect(await eventually(() => pool(auditor, name).stats.connectErrors === 2)).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats).toMatchObject({
      created: 0,
      connectErrors: 2,
      acquireErrors: 2,
      lastConnectError: { code: 'ECONNREFUSED', endpoint: `127.0.0.1:${port}` },
    });
    expect(p.findings.find((f) => f.code === 'connect-failing')).toMatchObject({
      severity: 'error',
      endpoint: `127.0.0.1:${port}`,
    });
  });
});
