'use strict';
/**
 * Memory soak: pools created, used once and closed, again and again, as a service does that makes a pool
 * per tenant or a client per request. The heap after collection must stay within 1 MB of the same loop
 * unaudited: nothing audited may be kept alive.
 *
 * generic-pool   100,000 pools (max 1, a plain-object resource): created, one acquire/release, drained and
 *                cleared; under 100,000 distinct names, then all under one name.
 * undici         2,000 `Client`s against a local `node:http` server: one request each, then `close()`;
 *                distinct names, then one name (real sockets, so fewer).
 *
 * Each case runs unaudited, then audited, from the same settled heap. The auditor's clock advances 1 ms
 * per pool, so records leave the auditor as their TIME_WAIT window (60 s) passes during the run; at the end
 * it moves one window on, as time would. The auditor itself exists in both runs.
 *
 *   node --expose-gc bench/soak.js [--json] [--pools 100000] [--clients 2000]
 */
const { once } = require('node:events');
const http = require('node:http');
const { createAuditor } = require('@poolaudit/core');
const genericPoolAudit = require('@poolaudit/generic-pool');
const undiciAudit = require('@poolaudit/undici');
const genericPool = require('generic-pool');
const { Client } = require('undici');
const { round } = require('./lib/stats.js');

if (typeof global.gc !== 'function') {
  console.error('soak.js needs node --expose-gc');
  process.exit(2);
}
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const POOLS = option('--pools', 100_000);
const CLIENTS = option('--clients', 2_000);
const MB = 1024 * 1024;
const WINDOW_MS = 60_000;
/** Uses between two turns of the event loop. */
const TURN_EVERY = 100;

/** heapUsed after full collections, once it has stopped moving. */
async function settledHeap() {
  let last = Infinity;
  for (let i = 0; i < 20; i++) {
    // Let finalizers, weak callbacks, closed sockets and microtasks run between collections.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    global.gc();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - last) < 4096) return used;
    last = used;
  }
  return last;
}

async function genericPoolOnce(audit, name) {
  const pool = genericPool.createPool(
    { create: () => Promise.resolve({}), destroy: () => Promise.resolve() },
    { max: 1 },
  );
  if (audit) genericPoolAudit.auditPool(pool, { auditor: audit.auditor, name });
  await pool.release(await pool.acquire());
  await pool.drain();
  await pool.clear();
}

async function undiciOnce(audit, name, origin) {
  const client = new Client(origin);
  if (audit) undiciAudit.auditDispatcher(client, { auditor: audit.auditor, name });
  const { body } = await client.request({ path: '/', method: 'GET' });
  await body.text();
  await client.close();
}

/** Heap growth (MB) over `count` uses of `once`, unaudited or audited, from a settled heap. */
async function measure(audited, count, once, names) {
  let now = 0;
  const auditor = createAuditor({ clock: () => now, logger: { info() {}, warn() {} } });
  const audit = audited ? { auditor } : undefined;
  const before = await settledHeap();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await once(audit, names === 'distinct' ? `pool-${i}` : 'per-request');
    now += 1;
    // A service's event loop turns between requests; a loop of promises alone never does. Finalization
    // callbacks run only in such turns, so without them every FinalizationRegistry entry (the auditor's,
    // the libraries', Node's own) piles up until the loop ends and leaves its table at that size.
    if (i % TURN_EVERY === TURN_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  // Collect first: a pool the application dropped leaves its record when it is collected.
  await settledHeap();
  now += WINDOW_MS + 1000;
  const left = auditor.poolNames().length;
  const after = await settledHeap();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { growthMB: (after - before) / MB, left, seconds };
}

async function soak(label, count, once, names) {
  // Whatever a library loads or compiles on first use (undici's HTTP parser) must not land in the raw run.
  for (let i = 0; i < 20; i++) await once(undefined, 'warm-up');
  const raw = await measure(false, count, once, names);
  const audited = await measure(true, count, once, names);
  const differenceMB = audited.growthMB - raw.growthMB;
  return {
    case: label,
    pools: count,
    names,
    rawGrowthMB: round(raw.growthMB, 3),
    auditedGrowthMB: round(audited.growthMB, 3),
    differenceMB: round(differenceMB, 3),
    recordsLeft: audited.left,
    seconds: round(raw.seconds + audited.seconds, 1),
    withinTarget: Math.abs(differenceMB) < 1,
  };
}

async function main() {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  const undiciCase = (audit, name) => undiciOnce(audit, name, origin);
  const results = [];
  for (const names of ['distinct', 'one']) {
    results.push(await soak('generic-pool', POOLS, genericPoolOnce, names));
    results.push(await soak('undici Client', CLIENTS, undiciCase, names));
  }
  server.closeAllConnections();
  server.close();
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ target: '< 1 MB', results })}\n`);
    return;
  }
  console.log('case            pools    names     raw MB  audited MB  diff MB  records left  s');
  for (const r of results) {
    console.log(
      `${r.case.padEnd(15)} ${String(r.pools).padStart(7)}  ${r.names.padEnd(8)} ${String(r.rawGrowthMB).padStart(7)} ` +
        `${String(r.auditedGrowthMB).padStart(11)} ${String(r.differenceMB).padStart(8)} ` +
        `${String(r.recordsLeft).padStart(13)}  ${r.seconds}${r.withinTarget ? '' : '  MISSED'}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
