import { channel } from 'node:diagnostics_channel';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolStats } from '@poolaudit/core';
import { Agent, BalancedPool, Client, Pool, request } from 'undici';
import type { Dispatcher } from 'undici';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { auditDispatcher, detachDispatcher, isAudited } from '../src/index.js';
import { connectionClose, ok, startServer } from '../../../test/harness/http-servers.js';
import type { Handler, TestServer } from '../../../test/harness/http-servers.js';

const CHANNELS = [
  'undici:client:connected',
  'undici:client:sendHeaders',
  'undici:request:headers',
  'undici:request:trailers',
  'undici:request:error',
];

function statsOf(auditor: Auditor, name: string): PoolStats {
  const found = auditor.snapshot().pools.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return found.stats;
}

/** The core invariants, at any moment. */
function expectConsistent(s: PoolStats): void {
  expect(s.open).toBe(s.idle + s.inUse);
  const closed = Object.values(s.closed).reduce((a, b) => a + b, 0);
  expect(s.created - closed).toBe(s.open);
}

/** Serves `/ok`, `/404`, `/close` (Connection: close) and `/hangup` (half a body, then the socket dies). */
const mixed: Handler = (req, res) => {
  if (req.url === '/404') {
    res.statusCode = 404;
    res.end('missing');
  } else if (req.url === '/close') {
    connectionClose(req, res);
  } else if (req.url === '/hangup') {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setImmediate(() => res.socket?.destroy());
  } else {
    ok(req, res);
  }
};

/** Runs the same workload and records what the application sees: statuses, bodies, error codes. */
async function workload(dispatcher: Dispatcher, origin: string, deadOrigin: string): Promise<string[]> {
  const seen: string[] = [];
  const paths = ['/ok', '/404', '/close', '/ok', '/hangup', '/ok'];
  const one = async (url: string): Promise<string> => {
    try {
      const res = await request(url, { dispatcher });
      return `${res.statusCode} ${await res.body.text()}`;
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      return `error ${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`;
    }
  };
  for (const path of paths) seen.push(await one(`${origin}${path}`));
  seen.push(...(await Promise.all(paths.map((path) => one(`${origin}${path}`)))));
  seen.push(await one(`${deadOrigin}/ok`));
  return seen;
}

describe('undici dispatchers, audited', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('audited and unaudited dispatchers return the same responses and errors, hang-ups included', async () => {
    const server = await startServer(mixed);
    const dead = await startServer(ok);
    servers.push(server);
    await dead.close();
    const auditor = createAuditor();
    const plain = new Agent();
    const audited = auditDispatcher(new Agent(), { auditor, name: 'same' });
    try {
      const expected = await workload(plain, server.origin, dead.origin);
      const got = await workload(audited, server.origin, dead.origin);
      expect(got).toEqual(expected);
      expect(expected.some((line) => line.startsWith('error') && line.includes('other side closed'))).toBe(
        true,
      );
      expect(expected.at(-1)).toContain('ECONNREFUSED');
      const s = statsOf(auditor, `same ${server.origin}`);
      expect(await eventually(() => statsOf(auditor, `same ${server.origin}`).inUse === 0)).toBe(true);
      expect(s.closed.remote).toBeGreaterThanOrEqual(2);
      expect(s.closedDetail['server-hang-up']).toBeGreaterThanOrEqual(1);
      expectConsistent(statsOf(auditor, `same ${server.origin}`));
      expect(statsOf(auditor, `same ${dead.origin}`).connectErrors).toBe(1);
      expect(statsOf(auditor, `same ${dead.origin}`).lastConnectError).toMatchObject({
        code: 'ECONNREFUSED',
        endpoint: new URL(dead.origin).host,
      });
      expect(auditor.findings().find((f) => f.code === 'connect-failing')).toMatchObject({
        severity: 'error',
        pool: `same ${dead.origin}`,
      });
    } finally {
      detachDispatcher(audited);
      await Promise.all([plain.destroy(), audited.destroy()]);
    }
  });

  it('an Agent gets one audited pool per origin, kept when the Agent drops and recreates it', async () => {
    const a = await startServer(ok);
    const b = await startServer(connectionClose);
    servers.push(a, b);
    const auditor = createAuditor();
    const agent = auditDispatcher(new Agent(), { auditor });
    try {
      for (let i = 0; i < 3; i++) {
        for (const s of [a, b]) await (await request(`${s.origin}/x`, { dispatcher: agent })).body.text();
      }
      expect(auditor.poolNames().sort()).toEqual([`undici ${a.origin}`, `undici ${b.origin}`].sort());
      // b's connections close after every response, so the Agent drops b's Pool and builds a new one each time.
      const sb = statsOf(auditor, `undici ${b.origin}`);
      expect(sb.created).toBe(3);
      expect(sb.acquired).toBe(3);
      const sa = statsOf(auditor, `undici ${a.origin}`);
      expect(sa.created).toBe(1);
      expect(sa.acquired).toBe(3);
      expectConsistent(sa);
    } finally {
      detachDispatcher(agent);
      await agent.destroy();
    }
  });

  it('Client, Pool and BalancedPool: created, in use and closed on shutdown', async () => {
    const a = await startServer(ok);
    const b = await startServer(ok);
    servers.push(a, b);
    const auditor = createAuditor();
    const client = auditDispatcher(new Client(a.origin), { auditor, name: 'client' });
    const pooled = auditDispatcher(new Pool(a.origin, { connections: 4 }), { auditor, name: 'pool' });
    const balanced = auditDispatcher(new BalancedPool([a.origin, b.origin]), { auditor, name: 'bal' });
    const get = async (d: Dispatcher, origin: string): Promise<string> =>
      (await request(`${origin}/y`, { dispatcher: d })).body.text();
    await Promise.all(Array.from({ length: 8 }, () => get(client, a.origin)));
    await Promise.all(Array.from({ length: 8 }, () => get(pooled, a.origin)));
    await Promise.all(Array.from({ length: 8 }, () => get(balanced, a.origin)));

    expect(statsOf(auditor, `client ${a.origin}`)).toMatchObject({ created: 1, acquired: 8, maxOpen: 1 });
    const p = statsOf(auditor, `pool ${a.origin}`);
    expect(p.created).toBe(4);
    expect(p.acquired).toBe(8);
    expect(p.maxOpen).toBe(4);
    const upstreams = auditor.poolNames().filter((n) => n.startsWith('bal '));
    expect(upstreams.sort()).toEqual([`bal ${a.origin}`, `bal ${b.origin}`].sort());
    const balancedRequests = upstreams.reduce((sum, n) => sum + statsOf(auditor, n).acquired, 0);
    expect(balancedRequests).toBe(8);

    await Promise.all([client.close(), pooled.close(), balanced.close()]);
    for (const name of [`client ${a.origin}`, `pool ${a.origin}`]) {
      expect(await eventually(() => statsOf(auditor, name).open === 0)).toBe(true);
      const s = statsOf(auditor, name);
      expect(s.closed.shutdown).toBe(s.created);
      expect(s.closedBy.local).toBe(s.created);
      expectConsistent(s);
    }
    for (const d of [client, pooled, balanced]) detachDispatcher(d);
  });

  it('close(): once its last connection has closed the pool has ended, and leaves after the window', async () => {
    const a = await startServer(ok);
    servers.push(a);
    let now = 0;
    const auditor = createAuditor({ clock: () => now });
    const pooled = auditDispatcher(new Pool(a.origin, { connections: 2 }), { auditor, name: 'ends' });
    const get = async (): Promise<string> =>
      (await request(`${a.origin}/y`, { dispatcher: pooled })).body.text();
    await Promise.all([get(), get()]);
    now = 10_000;
    await pooled.close();
    expect(await eventually(() => statsOf(auditor, `ends ${a.origin}`).open === 0)).toBe(true);
    now += 59_000;
    expect(auditor.poolNames()).toEqual([`ends ${a.origin}`]);
    now += 2_000;
    // `pooled` is still referenced: the record left because the pool ended, not because it was collected.
    expect(auditor.poolNames()).toEqual([]);
    expect(pooled.closed).toBe(true);
  });

  it('pipelining: 0 turns keep-alive off: one connection per request, and a finding that says so', async () => {
    const server = await startServer(ok);
    servers.push(server);
    const auditor = createAuditor({ detectors: { 'http-keep-alive-disabled': { minSeconds: 1 } } });
    const pooled = auditDispatcher(new Pool(server.origin, { pipelining: 0 }), { auditor, name: 'nokeep' });
    try {
      for (let i = 0; i < 12; i++)
        await (await request(`${server.origin}/z`, { dispatcher: pooled })).body.text();
      const s = statsOf(auditor, `nokeep ${server.origin}`);
      expect(s.created).toBe(12);
      expect(s.events['connection-close-response']).toBeUndefined();
      const f = auditor.findings().find((x) => x.code === 'http-keep-alive-disabled');
      expect(f?.advice).toContain('pipelining: 0');
    } finally {
      detachDispatcher(pooled);
      await pooled.destroy();
    }
  });

  it('detach restores the listeners and the channel subscriptions exactly', async () => {
    const server = await startServer(ok);
    servers.push(server);
    const before = CHANNELS.map((name) => channel(name).hasSubscribers);
    const agent = new Agent();
    const listeners = ['connect', 'connectionError'].map((e) => agent.listenerCount(e));
    const auditor = createAuditor();
    auditDispatcher(agent, { auditor });
    expect(auditDispatcher(agent, { auditor })).toBe(agent);
    expect(CHANNELS.every((name) => channel(name).hasSubscribers)).toBe(true);
    await (await request(`${server.origin}/d`, { dispatcher: agent })).body.text();
    const created = statsOf(auditor, `undici ${server.origin}`).created;
    expect(created).toBe(1);

    expect(detachDispatcher(agent)).toBe(true);
    expect(detachDispatcher(agent)).toBe(false);
    expect(isAudited(agent)).toBe(false);
    expect(CHANNELS.map((name) => channel(name).hasSubscribers)).toEqual(before);
    expect(['connect', 'connectionError'].map((e) => agent.listenerCount(e))).toEqual(listeners);
    await (await request(`${server.origin}/d2`, { dispatcher: agent })).body.text();
    expect(statsOf(auditor, `undici ${server.origin}`).acquired).toBe(1);
    await agent.destroy();
  });

  it('a disabled auditor records nothing and the dispatcher works as before', async () => {
    const server = await startServer(ok);
    servers.push(server);
    const auditor = createAuditor({ enabled: false });
    const agent = auditDispatcher(new Agent(), { auditor });
    try {
      const res = await request(`${server.origin}/e`, { dispatcher: agent });
      expect(await res.body.text()).toBe('ok /e');
      expect(auditor.snapshot().pools).toEqual([]);
    } finally {
      detachDispatcher(agent);
      await agent.destroy();
    }
  });
});
