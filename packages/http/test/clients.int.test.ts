import { execFile } from 'node:child_process';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axios from 'axios';
import fetch from 'node-fetch';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot, PoolStats } from '@poolaudit/core';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { ok, startServer } from '../../../test/harness/http-servers.js';
import type { TestServer } from '../../../test/harness/http-servers.js';
import { agentName, auditAgent, detach, isAudited } from '../src/index.js';
import { get, sequential } from './support/requests.js';

function pool(auditor: Auditor, name: string): PoolSnapshot {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return found;
}

/** got through an audited keep-alive agent; prints what the audit recorded as JSON. Argument: the server URL. */
const GOT_CHILD = `
import { Agent } from 'node:http';
import got from 'got';
import core from '@poolaudit/core';
import http from '@poolaudit/http';

const url = process.argv.at(-1);
const auditor = core.createAuditor();
const agent = http.auditAgent(new Agent({ keepAlive: true }), { name: 'got', auditor });
for (let i = 0; i < 10; i++)
  await got(\`\${url}/g\${i}\`, { agent: { http: agent }, retry: { limit: 0 } }).text();
const pool = auditor.snapshot().pools[0];
process.stdout.write(JSON.stringify({ name: pool?.name, stats: pool?.stats, findings: pool?.findings }));
http.detach(agent);
agent.destroy();
`;

describe('real clients through an audited agent', () => {
  let server: TestServer | undefined;
  const agents: Agent[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      detach(agent);
      agent.destroy();
    }
    await server?.close();
    server = undefined;
  });

  it('https.request with a generated certificate: one TLS connection reused, connect time with the handshake', async () => {
    server = await startServer(ok, undefined, { tls: true });
    const auditor = createAuditor();
    const agent = auditAgent(new HttpsAgent({ keepAlive: true, ca: server.ca }), { name: 'tls', auditor });
    agents.push(agent);
    const outcomes = await sequential(server.origin, agent, 10, 10);
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const name = `tls ${server.origin}`;
    const p = pool(auditor, name);
    expect(p.stats).toMatchObject({ created: 1, acquired: 10, open: 1, idle: 1 });
    expect(p.stats.timings.connect.count).toBe(1);
    expect(p.rawConfig).toMatchObject({ agent: 'https.Agent', keepAlive: true });
    expect(JSON.stringify(p)).not.toContain('BEGIN CERTIFICATE');
    agent.destroy();
    expect(await eventually(() => pool(auditor, name).stats.closed.shutdown === 1)).toBe(true);
  });

  it('axios with one shared keep-alive agent: one connection per concurrent request, no finding', async () => {
    server = await startServer((req, res) => setTimeout(() => res.end('ok'), 20));
    const auditor = createAuditor({ detectors: { 'client-per-request': { minEvents: 10, minSeconds: 1 } } });
    const agent = auditAgent(new Agent({ keepAlive: true }), { name: 'axios', auditor });
    agents.push(agent);
    const client = axios.create({ baseURL: server.origin, httpAgent: agent });
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => client.get<string>(`/a${i}`)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    }
    const p = pool(auditor, `axios ${server.origin}`);
    expect(p.stats).toMatchObject({ created: 4, acquired: 20, open: 4 });
    expect(p.findings).toEqual([]);
  });

  it('axios with a new agent per request: client-per-request, its TIME_WAIT footprint = ss', async () => {
    server = await startServer(ok);
    const auditor = createAuditor({ detectors: { 'client-per-request': { minEvents: 10, minSeconds: 1 } } });
    const started = Date.now();
    // What register does for every agent the application creates: audit it under its default name.
    for (let i = 0; i < 15; i++) {
      const agent = auditAgent(new Agent(), { auditor });
      agents.push(agent);
      const answer = await axios.get<string>(`${server.origin}/p${i}`, { httpAgent: agent });
      expect(answer.status).toBe(200);
    }
    const name = `http.Agent keepAlive=false ${server.origin}`;
    expect(
      await eventually(
        () =>
          pool(auditor, name).stats.closedBy.unknown +
            pool(auditor, name).stats.closed.other +
            pool(auditor, name).stats.closed.remote >=
          15,
      ),
    ).toBe(true);
    const p = pool(auditor, name);
    expect(p.stats.created).toBe(15);
    expect(p.recent.clientsCreated.count).toBe(15);
    const finding = p.findings.find((f) => f.code === 'client-per-request');
    expect(finding).toBeDefined();
    expect(finding?.evidence['clientsCreated']).toBe(15);
    expect(p.stats.timeWait.footprint).toBe(countSsSockets('time-wait', server.port, server.clientPorts));
    expect(Date.now() - started).toBeGreaterThanOrEqual(0);
  });

  it('node-fetch 2 with an agent option', async () => {
    server = await startServer(ok);
    const auditor = createAuditor();
    const agent = auditAgent(new Agent({ keepAlive: true }), { name: 'fetch', auditor });
    agents.push(agent);
    for (let i = 0; i < 5; i++)
      expect(await (await fetch(`${server.origin}/f${i}`, { agent })).text()).toBe(`ok /f${i}`);
    expect(pool(auditor, `fetch ${server.origin}`).stats).toMatchObject({ created: 1, acquired: 5 });
  });

  it('got 14 (ESM) with agent: { http }', async () => {
    server = await startServer(ok);
    // got is ESM only: it runs in a child process of its own, through the built packages.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', GOT_CHILD, server.origin],
      { cwd: join(__dirname, '..') },
    );
    const result = JSON.parse(stdout) as { name: string; stats: PoolStats; findings: unknown[] };
    expect(result.name).toBe(`got ${server.origin}`);
    expect(result.stats).toMatchObject({ created: 1, acquired: 10 });
    expect(result.findings).toEqual([]);
  });
});

describe('auditAgent() leaves no trace, and detach() restores the agent exactly', () => {
  it('same object, same own keys, prototype and listener counts; detached records nothing', async () => {
    const server = await startServer(ok);
    try {
      const auditor = createAuditor();
      const agent = new Agent({ keepAlive: true });
      const keys = Object.keys(agent);
      const names = Object.getOwnPropertyNames(agent);
      const listeners = agent.eventNames().map((e) => [e, agent.listenerCount(e)]);
      const addRequest: unknown = Reflect.get(Agent.prototype, 'addRequest');
      expect(auditAgent(agent, { name: 'trace', auditor })).toBe(agent);
      expect(isAudited(agent)).toBe(true);
      expect(Object.keys(agent)).toEqual(keys);
      expect(Object.getOwnPropertyNames(agent)).toEqual(names);
      expect(Object.getPrototypeOf(agent)).toBe(Agent.prototype);
      await sequential(server.origin, agent, 3, 0);
      expect(agent.eventNames().map((e) => [e, agent.listenerCount(e)])).toEqual(listeners);
      expect(detach(agent)).toBe(true);
      expect(detach(agent)).toBe(false);
      expect(isAudited(agent)).toBe(false);
      expect(Object.getOwnPropertyNames(agent)).toEqual(names);
      expect(Reflect.get(agent, 'addRequest')).toBe(addRequest);
      expect(Reflect.get(Agent.prototype, 'addRequest')).toBe(addRequest);
      await sequential(server.origin, agent, 3, 0);
      expect(pool(auditor, `trace ${server.origin}`).stats.acquired).toBe(3);
      agent.destroy();
    } finally {
      await server.close();
    }
  });

  it('an agent audited in use adopts the sockets it holds: in use, idle, and still connecting', async () => {
    const server = await startServer(ok);
    try {
      const auditor = createAuditor();
      const agent = new Agent({ keepAlive: true });
      await get(server.origin, agent); // one free socket
      // Two requests in flight, audited in the same tick: one took the free socket, one is connecting.
      const inFlight = [get(server.origin, agent), get(server.origin, agent)];
      auditAgent(agent, { name: 'late', auditor });
      const name = `late ${server.origin}`;
      expect(pool(auditor, name).stats.inUse).toBe(1); // the reused socket; the other opens at connect
      expect((await Promise.all(inFlight)).map((o) => o.status)).toEqual([200, 200]);
      const stats = pool(auditor, name).stats;
      expect(stats.open).toBe(2);
      expect(stats.created).toBe(2);
      expect(stats.acquired).toBe(2);
      expect(stats.inUse).toBe(0);
      expect(stats.idle).toBe(2);
      // Adopted sockets have no connect time to report.
      expect(stats.timings.connect.count).toBe(0);
      await get(server.origin, agent);
      expect(pool(auditor, name).stats.acquired).toBe(3);
      expect(pool(auditor, name).stats.created).toBe(2);
      detach(agent);
      agent.destroy();
    } finally {
      await server.close();
    }
  });

  it('auditing again renames the pools, history kept, and hooks nothing twice', async () => {
    const server = await startServer(ok);
    try {
      const auditor = createAuditor();
      const agent = auditAgent(new Agent({ keepAlive: true }), { auditor });
      await sequential(server.origin, agent, 2, 0);
      const listeners = agent.eventNames().map((e) => [e, agent.listenerCount(e)]);
      expect(auditAgent(agent, { name: 'pricing', auditor })).toBe(agent);
      expect(auditor.poolNames()).toEqual([`pricing ${server.origin}`]);
      await sequential(server.origin, agent, 2, 0);
      const p = pool(auditor, `pricing ${server.origin}`);
      expect(p.stats.acquired).toBe(4);
      expect(p.stats.created).toBe(1);
      expect(agent.eventNames().map((e) => [e, agent.listenerCount(e)])).toEqual(listeners);
      // A destination reached after the rename is named after it too.
      const other = await startServer(ok);
      try {
        await sequential(other.origin, agent, 1, 0);
        expect(auditor.poolNames()).toContain(`pricing ${other.origin}`);
      } finally {
        await other.close();
      }
      detach(agent);
      agent.destroy();
    } finally {
      await server.close();
    }
  });

  it('bad input throws at once naming the option; a disabled auditor records nothing', async () => {
    expect(() => auditAgent({} as never)).toThrow('poolaudit: @poolaudit/http expects a Node http.Agent');
    expect(() => auditAgent(new Agent(), { name: '' })).toThrow('poolaudit: name must be a non-empty string');
    expect(() => auditAgent(new Agent(), { nmae: 'x' } as never)).toThrow('nmae');
    expect(agentName(new Agent({ keepAlive: true, maxSockets: 50, timeout: 4000 }))).toBe(
      'http.Agent keepAlive=true maxSockets=50 timeout=4000',
    );
    const server = await startServer(ok);
    try {
      const auditor = createAuditor({ enabled: false });
      const agent = auditAgent(new Agent({ keepAlive: true }), { auditor });
      expect((await get(server.origin, agent)).status).toBe(200);
      expect(auditor.snapshot().pools).toEqual([]);
      detach(agent);
      agent.destroy();
    } finally {
      await server.close();
    }
  });
});
