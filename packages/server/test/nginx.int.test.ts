import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditServer } from '@poolaudit/server';
import { countLocalSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { startNginx } from '../../../test/harness/nginx.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function poolOf(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return pool;
}

/** nginx's lines for a request sent on an upstream connection the upstream had closed or was closing. */
function upstreamResets(log: string): number {
  return log.split('\n').filter((l) => /upstream prematurely closed|reset by peer|broken pipe/i.test(l))
    .length;
}

interface Phase {
  readonly statuses: Map<number, number>;
  readonly pool: PoolSnapshot;
  readonly resets: number;
  readonly port: number;
}

/** Node closes a connection idle this long after keepAliveTimeout (its `keepAliveTimeoutBuffer`, 20.20 and 24). */
const BUFFER_MS = 1_000;
/** How long the event loop stalls as each burst goes out (a GC pause, a CPU-heavy handler, a loaded host). */
const STALL_MS = 40;

/** Keeps the event loop busy for `ms`: nothing else in this process runs meanwhile. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/**
 * A Node server audited behind nginx (upstream keepalive, idle upstream connections kept 60 s): bursts of
 * `WIDTH` requests through nginx, each sent 10 ms before the moment a keepAliveTimeout of 1 s closes the idle
 * connections (plus Node's 1 s keepAliveTimeoutBuffer), and the event loop stalled for 40 ms right after: nginx
 * forwards the requests during the stall, and Node, when it runs again, takes its due timers before it reads
 * them, so it closes connections that carry a request. That is the balancer's 502. With the advice the same
 * stalls are harmless: no timer is due.
 */
async function phase(keepAliveTimeout: number, rounds: number): Promise<Phase> {
  const auditor = createAuditor({ detectors: { 'server-keep-alive-race': { minEvents: 3, minSeconds: 2 } } });
  const host = observeHost(auditor, { intervalMs: 60_000 });
  const server = http.createServer(
    { keepAliveTimeout, headersTimeout: keepAliveTimeout + 1_000 },
    (_req, res) => res.end('ok'),
  );
  auditServer(server, { auditor, name: 'app', loadBalancerIdleTimeoutMs: 60_000 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const nginx = await startNginx(port);
  const agent = new http.Agent({ keepAlive: true });
  const statuses = new Map<number, number>();
  const get = (): Promise<void> =>
    new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port: nginx.port, agent }, (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume().on('end', resolve);
        })
        .on('error', () => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          resolve();
        });
    });
  try {
    await host.refresh();
    // Bounded: `rounds` + 1 bursts, about 2 s apart.
    await Promise.all(Array.from({ length: WIDTH }, get));
    for (let r = 0; r < rounds; r++) {
      // The moment a 1 s keepAliveTimeout closes the idle connections, as of the last responses.
      const closesIn = 1_000 + BUFFER_MS;
      // A stall over that moment: when the loop runs again, the burst's timer and then Node's keep-alive
      // timers are all due, in that order.
      setTimeout(() => stall(20), closesIn - 15);
      await pause(closesIn - 5);
      const burst = Promise.all(Array.from({ length: WIDTH }, get));
      // Once the requests are written, before Node's timers run: nginx forwards them meanwhile.
      process.nextTick(() => stall(STALL_MS));
      await burst;
    }
    const settled = () => {
      const s = poolOf(auditor, 'app').stats;
      return s.closedBy.local + s.closedBy.remote + s.closedBy.reset === s.created - s.open;
    };
    expect(await eventually(settled)).toBe(true);
    await host.refresh();
    const pool = poolOf(auditor, 'app');
    expect(pool.stats.timeWait.source).toBe('kernel');
    expect(pool.stats.timeWait.footprint).toBe(countLocalSockets('time-wait', port));
    return { statuses, pool, resets: upstreamResets(nginx.errorLog()), port };
  } finally {
    host.detach();
    agent.destroy();
    await nginx.close();
    server.closeAllConnections();
    server.close();
  }
}

const WIDTH = 8;

describe('a Node server behind a real nginx', () => {
  it('keepAliveTimeout 1 s under nginx keepalive_timeout 60 s: the race is found, and gone at 65 s', async () => {
    const bad = await phase(1_000, 6);
    process.stdout.write(
      `nginx, keepAliveTimeout 1 s: ${bad.pool.stats.created} connections, ${bad.pool.stats.closed.idleTimeout} ` +
        `closed idle by Node, footprint ${bad.pool.stats.timeWait.footprint}, nginx upstream errors ${bad.resets}, ` +
        `statuses ${JSON.stringify([...bad.statuses])}\n`,
    );
    const race = bad.pool.findings.find((f) => f.code === 'server-keep-alive-race');
    expect(race?.message).toContain('keepAliveTimeout=1 s');
    expect(race?.advice).toContain('65 s');
    expect(bad.pool.stats.closed.idleTimeout).toBeGreaterThanOrEqual(WIDTH * 3);
    expect(bad.pool.stats.closedBy.local).toBe(bad.pool.stats.closed.idleTimeout);
    // nginx failed requests with a 502, each logged as an upstream that closed or reset mid-request: the
    // requests it sent on connections Node was closing (seen: 24 and 16 of 56).
    expect(bad.resets).toBeGreaterThan(0);
    expect(bad.statuses.get(502) ?? 0).toBe(bad.resets);
    // Some of Node's closes met a request already sent and ended in a reset, leaving no TIME_WAIT: the kernel
    // tells each close's fate, and its count is the footprint (= ss, checked in phase()).
    const tw = bad.pool.stats.timeWait;
    expect((tw.confirmed ?? 0) + (tw.resets ?? 0)).toBe(bad.pool.stats.closedBy.local);

    const cured = await phase(65_000, 6);
    expect(cured.pool.findings.find((f) => f.code === 'server-keep-alive-race')).toBeUndefined();
    expect(cured.pool.stats.closed.idleTimeout).toBe(0);
    expect(cured.pool.stats.created).toBeLessThanOrEqual(WIDTH);
    expect(cured.resets).toBe(0);
    expect([...cured.statuses]).toEqual([[200, WIDTH * 7]]);
  });
});
