'use strict';
/**
 * Memory: heap growth after one (and two) million audited operations, with the heap collected before and
 * after (needs `node --expose-gc`).
 *
 * probe      acquire/release cycles through a probe over 50 connections, and every 100th operation one
 *            connection closed and a new one opened (10,000 open/close cycles per million), so the ledger's
 *            connection records, endpoint ledgers, windows and histograms are all exercised. The auditor's
 *            clock advances 0.1 ms per operation: a million operations span 100 s, more than the 60 s window,
 *            so every per-second ring wraps.
 * control    the same loop on a disabled auditor's probe: the measurement's own noise.
 * generic-pool  a real audited pool (max 50, 50 callers) vs the same pool unaudited, 1M acquire/release.
 *
 *   node --expose-gc bench/memory.js [--json] [--ops 1000000]
 */
const { createAuditor } = require('@poolaudit/core');
const { round } = require('./lib/stats.js');

if (typeof global.gc !== 'function') {
  console.error('memory.js needs node --expose-gc');
  process.exit(2);
}
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const OPS = option('--ops', 1_000_000);
const CONNECTIONS = 50;
const MB = 1024 * 1024;

/** heapUsed after full collections, once it has stopped moving. */
async function settledHeap() {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    // Let finalizers, weak callbacks and microtasks run between collections.
    await new Promise((resolve) => setImmediate(resolve));
    global.gc();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - last) < 1024) return used;
    last = used;
  }
  return last;
}

function probeLoop(enabled) {
  let now = 1_000_000;
  const auditor = createAuditor({ enabled, clock: () => now, logger: { info() {}, warn() {} } });
  const probe = auditor.register({
    name: 'memory',
    kind: 'bench',
    config: { maxOpen: CONNECTIONS, maxIdle: CONNECTIONS },
  });
  const conns = [];
  let id = 0;
  const open = () => {
    const conn = { id: id++ };
    probe.opened(conn, { endpoint: '127.0.0.1:3306', connectStartedAt: now - 1 });
    return conn;
  };
  for (let i = 0; i < CONNECTIONS; i++) conns.push(open());
  let k = 0;
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      now += 0.1;
      const conn = conns[k];
      const t = probe.acquireStart();
      probe.acquired(conn, t, false);
      probe.released(conn);
      if (i % 100 === 99) {
        probe.closed(conn, i % 200 === 199 ? 'idleTimeout' : 'maxIdle');
        conns[k] = open();
      }
      k = k === CONNECTIONS - 1 ? 0 : k + 1;
    }
  };
  return { auditor, run, opened: () => id };
}

async function measureProbe(enabled) {
  const loop = probeLoop(enabled);
  loop.run(50_000); // warm-up: compiled code, first windows and histograms allocated
  loop.auditor.snapshot();
  const before = await settledHeap();
  loop.run(OPS);
  const after1 = await settledHeap();
  loop.run(OPS);
  const after2 = await settledHeap();
  const snapshot = loop.auditor.snapshot();
  const stats = snapshot.pools[0]?.stats;
  return {
    heapBeforeMB: round(before / MB, 3),
    growthAfter1xMB: round((after1 - before) / MB, 3),
    growthAfter2xMB: round((after2 - before) / MB, 3),
    connectionsOpened: loop.opened(),
    recorded: stats
      ? { acquired: stats.acquired, created: stats.created, open: stats.open, closed: stats.closed }
      : null,
  };
}

async function measureGenericPool(audited) {
  const { createPool } = require('generic-pool');
  const { auditPool, detach } = require('@poolaudit/generic-pool');
  const pool = createPool(
    { create: async () => ({ id: Math.random() }), destroy: async () => undefined },
    { max: CONNECTIONS, min: 0 },
  );
  const auditor = createAuditor({ logger: { info() {}, warn() {} } });
  if (audited) auditPool(pool, { name: 'memory generic-pool', auditor });
  const run = async (n) => {
    let left = n;
    const caller = async () => {
      while (left > 0) {
        left--;
        const r = await pool.acquire();
        await pool.release(r);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, caller));
  };
  await run(50_000);
  const before = await settledHeap();
  const started = performance.now();
  await run(OPS);
  const ms = performance.now() - started;
  const after = await settledHeap();
  const stats = audited ? auditor.snapshot().pools[0]?.stats : undefined;
  await pool.drain();
  await pool.clear();
  if (audited) detach(pool);
  return {
    growthMB: round((after - before) / MB, 3),
    seconds: round(ms / 1000, 2),
    ...(stats ? { recordedAcquires: stats.acquired } : {}),
  };
}

async function main() {
  const result = {
    ops: OPS,
    probe: await measureProbe(true),
    control: await measureProbe(false),
    genericPool: {
      raw: await measureGenericPool(false),
      audited: await measureGenericPool(true),
    },
  };
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
