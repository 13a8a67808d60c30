import { createPool } from 'generic-pool';
import type { Options, Pool } from 'generic-pool';
import type { Socket } from 'node:net';
import type { Finding, PoolSnapshot } from '@poolaudit/core';
import { auditPool, detach } from '../src/index.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { auditorFor } from './support/fake-factory.js';
import { socketFactory, startServer } from './support/tcp-server.js';

let server: Awaited<ReturnType<typeof startServer>>;
const pools: Pool<Socket>[] = [];

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const pool of pools.splice(0)) {
    detach(pool);
    await pool.drain();
    await pool.clear();
  }
  await server.close();
});

/** An audited pool of raw TCP sockets to the test server. */
function socketPool(options: Options, auditorOptions?: Parameters<typeof auditorFor>[0]) {
  const { factory, localPorts } = socketFactory(server.port);
  const pool = createPool(factory, options);
  pools.push(pool);
  const { auditor, pool: snap } = auditorFor(auditorOptions);
  auditPool(pool, { auditor, name: 'sockets' });
  return { pool, auditor, snap, localPorts };
}

const codes = (findings: readonly Finding[]): string[] => findings.map((f) => f.code);

/**
 * Closes the pool, waits until every socket it opened has closed (each close settled in the ledger), and
 * returns the TIME_WAIT sockets the kernel holds for its local ports. With loopback TIME_WAIT reuse
 * (`tcp_tw_reuse`) a port may serve twice; such a port holds one TIME_WAIT at most.
 */
async function shutDown(pool: Pool<Socket>, snap: () => PoolSnapshot, localPorts: number[]) {
  await pool.drain();
  await pool.clear();
  const settled = await eventually(() => {
    const { closedBy, created } = snap().stats;
    return closedBy.local + closedBy.remote + closedBy.reset + closedBy.unknown === created;
  });
  expect(settled).toBe(true);
  const reused = localPorts.length - new Set(localPorts).size;
  return { kernelTimeWait: countSsSockets('time-wait', server.port, new Set(localPorts)), reused };
}

describe('a generic-pool of raw TCP sockets', () => {
  it('min > 0 with a short hard idleTimeoutMillis: churn classified, min-refill-churn advises softIdleTimeoutMillis; the soft timeout does not churn', async () => {
    const trap = socketPool({ max: 4, min: 2, idleTimeoutMillis: 150, evictionRunIntervalMillis: 50 });
    const safe = socketPool({
      max: 4,
      min: 2,
      softIdleTimeoutMillis: 150,
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      evictionRunIntervalMillis: 50,
    });
    // Both pools sit idle for the same time; the finding needs churn in 3 distinct seconds.
    const found = await eventually(
      () => codes(trap.auditor.findings()).includes('min-refill-churn'),
      8000,
      100,
    );
    expect(found).toBe(true);
    const finding = trap.auditor.findings().find((f) => f.code === 'min-refill-churn')!;
    expect(finding.advice).toMatch(/softIdleTimeoutMillis=150/);
    expect(finding.advice).toMatch(/raise idleTimeoutMillis far above it/);
    expect(finding.message).toMatch(/on idleTimeoutMillis=150 ms, which ignores min=2/);
    const stats = trap.snap().stats;
    expect(stats.closedDetail['idleTimeoutMillis']).toBeGreaterThanOrEqual(5);
    expect(stats.closed.idleTimeout).toBe(stats.closedDetail['idleTimeoutMillis']);
    expect(stats.events['idle-closed-below-min']).toBe(stats.closed.idleTimeout);
    expect(stats.created).toBe(2 + stats.events['min-refill']!);
    expect(trap.snap().endpoints).toEqual([
      expect.objectContaining({ endpoint: `127.0.0.1:${server.port}` }),
    ]);

    // The same pool without the trap: no closes, no findings.
    const calm = safe.snap();
    expect(calm.stats.created).toBe(2);
    expect(calm.stats.closed.idleTimeout).toBe(0);
    expect(codes(safe.auditor.findings())).toEqual([]);

    // Every close was ours: the ledger's TIME_WAIT footprint is what the kernel holds for our ports.
    const { kernelTimeWait, reused } = await shutDown(trap.pool, trap.snap, trap.localPorts);
    const after = trap.snap().stats;
    expect(after.closed.shutdown).toBe(2);
    expect(after.closedBy.local).toBe(after.created);
    expect(after.timeWait.footprint).toBe(after.created);
    expect(kernelTimeWait).toBe(after.timeWait.footprint - reused);
  }, 15_000);

  it('min = 0 with the same short idleTimeoutMillis closes idle sockets once and does not refill', async () => {
    const { pool, auditor, snap, localPorts } = socketPool({
      max: 4,
      idleTimeoutMillis: 100,
      evictionRunIntervalMillis: 30,
    });
    const sockets = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const socket of sockets) await pool.release(socket);
    expect(await eventually(() => snap().stats.closed.idleTimeout === 3, 3000)).toBe(true);
    expect(snap().stats.events['min-refill']).toBeUndefined();
    expect(pool.size).toBe(0);
    expect(codes(auditor.findings())).not.toContain('min-refill-churn');
    const { kernelTimeWait, reused } = await shutDown(pool, snap, localPorts);
    expect(snap().stats.timeWait.footprint).toBe(3);
    expect(kernelTimeWait).toBe(3 - reused);
  });

  it('pool-saturated fires on a pool of 1 under 10 borrowers', async () => {
    const { pool, auditor, snap } = socketPool({ max: 1 });
    let running = true;
    const deadline = Date.now() + 8000;
    const borrower = async (): Promise<number> => {
      let rounds = 0;
      while (running && Date.now() < deadline && rounds < 500) {
        const socket = await pool.acquire();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await pool.release(socket);
        rounds++;
      }
      return rounds;
    };
    const borrowers = Array.from({ length: 10 }, borrower);
    const saturated = await eventually(() => codes(auditor.findings()).includes('pool-saturated'), 8000, 100);
    running = false;
    const rounds = await Promise.all(borrowers);
    expect(saturated).toBe(true);
    const finding = auditor.findings().find((f) => f.code === 'pool-saturated')!;
    expect(finding.evidence).toMatchObject({ maxOpen: 1, peakInUse: 1, timeouts: 0 });
    expect(finding.evidence['waits']).toBeGreaterThanOrEqual(10);
    expect(finding.advice).toMatch(/Raise max from 1/);
    const stats = snap().stats;
    expect(stats.created).toBe(1);
    expect(stats.acquired).toBe(rounds.reduce((a, b) => a + b, 0));
    // All but the very first acquire found the only socket taken or queued behind others.
    expect(stats.waitCount).toBeGreaterThanOrEqual(stats.acquired - 10);
    expect({ open: stats.open, inUse: stats.inUse, pending: stats.pending }).toEqual({
      open: pool.size,
      inUse: pool.borrowed,
      pending: pool.pending,
    });
  }, 15_000);

  it('counts acquire timeouts, and pool-saturated reports them as an error', async () => {
    const { pool, auditor, snap } = socketPool({ max: 1, acquireTimeoutMillis: 50 });
    const held = await pool.acquire();
    const results = await Promise.allSettled([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).name)).toEqual([
      'TimeoutError',
      'TimeoutError',
      'TimeoutError',
    ]);
    await pool.release(held);
    expect(snap().stats).toMatchObject({ timeouts: 3, acquireErrors: 3, waitCount: 3, pending: 0 });
    expect(snap().stats.waitDurationMs).toBeGreaterThanOrEqual(3 * 45);
    const finding = auditor.findings().find((f) => f.code === 'pool-saturated');
    expect(finding).toMatchObject({ severity: 'error', evidence: { timeouts: 3 } });
  });

  it('reports a socket held past the leak threshold with the acquiring stack, and its late release', async () => {
    const { pool, auditor, snap } = socketPool({ max: 2 }, { leakDetectionThresholdMs: 100 });
    const released: string[] = [];
    auditor.on('leak-released', (e) => released.push(e.stack));
    async function exportNightlyReport(): Promise<Socket> {
      const socket = await pool.acquire();
      return socket; // never released here: the leak
    }
    const socket = await exportNightlyReport();
    await pool.release(await pool.acquire());
    expect(await eventually(() => snap().leaks.length === 1, 3000)).toBe(true);
    const finding = auditor.findings().find((f) => f.code === 'connection-leak')!;
    expect(String(finding.evidence['stack']).split('\n')[1]).toMatch(
      /at exportNightlyReport .*tcp-pool\.int\.test\.ts/,
    );
    await pool.release(socket);
    expect(released).toHaveLength(1);
    expect(released[0]).toMatch(/exportNightlyReport/);
    expect(codes(auditor.findings())).not.toContain('connection-leak');
  });

  it('a destroy by the user is counted as such and its TIME_WAIT is ours', async () => {
    const { pool, snap, localPorts } = socketPool({ max: 2 });
    const socket = await pool.acquire();
    await pool.destroy(socket);
    expect(await eventually(() => snap().stats.closedBy.local === 1)).toBe(true);
    expect(snap().stats.closedDetail).toEqual({ destroy: 1 });
    expect(countSsSockets('time-wait', server.port, new Set(localPorts))).toBe(1);
  });
});
