'use strict';
/**
 * Hot-path microbenchmark: nanoseconds a probe adds to one acquire/release cycle
 * (`acquireStart()` + `acquired()` + `released()`), on a registered pool of 50 connections.
 *
 * Three loops of the same shape, each compiled separately so that every call site sees one probe class:
 *   empty     the loop alone (picks a connection, no probe calls)
 *   disabled  the probe of `createAuditor({ enabled: false })`: what an adapter costs with auditing off
 *   audited   the probe of a fresh `createAuditor()` (default clock `performance.now()`)
 * Added cost = audited − disabled. The three are interleaved over several runs; the median is reported.
 *
 *   node bench/hot-path.js [--json] [--iterations 2000000] [--runs 9]
 */
const { createAuditor } = require('@poolaudit/core');
const { median, round } = require('./lib/stats.js');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const ITERATIONS = option('--iterations', 2_000_000);
const RUNS = option('--runs', 9);
const CONNECTIONS = 50;

const CYCLE = `
  const started = process.hrtime.bigint();
  let k = 0;
  for (let i = 0; i < n; i++) {
    const conn = conns[k];
    k = k === ${CONNECTIONS - 1} ? 0 : k + 1;
    const t = probe.acquireStart();
    probe.acquired(conn, t, false);
    probe.released(conn);
  }
  return Number(process.hrtime.bigint() - started) / n;
`;
const EMPTY = `
  const started = process.hrtime.bigint();
  let k = 0;
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const conn = conns[k];
    k = k === ${CONNECTIONS - 1} ? 0 : k + 1;
    if (conn === probe) sink++;
  }
  return sink + Number(process.hrtime.bigint() - started) / n;
`;
// A separate function per loop: its call sites' feedback is its own, as an adapter's would be.
const compile = (body) => new Function('probe', 'conns', 'n', body);

function setup(enabled) {
  const auditor = createAuditor({ enabled, logger: { info() {}, warn() {} } });
  const probe = auditor.register({
    name: 'hot-path',
    kind: 'bench',
    config: { maxOpen: CONNECTIONS, maxIdle: CONNECTIONS },
  });
  const conns = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const conn = { id: i };
    probe.opened(conn, { endpoint: '127.0.0.1:3306', connectStartedAt: probe.now() });
    conns.push(conn);
  }
  return { auditor, probe, conns };
}

function main() {
  const loops = {
    empty: { run: compile(EMPTY), ...setup(false) },
    disabled: { run: compile(CYCLE), ...setup(false) },
    audited: { run: compile(CYCLE), ...setup(true) },
  };
  // Warm-up: every loop optimised before anything is measured.
  for (const l of Object.values(loops)) l.run(l.probe, l.conns, Math.min(ITERATIONS, 500_000));
  const ns = { empty: [], disabled: [], audited: [] };
  const added = [];
  for (let r = 0; r < RUNS; r++) {
    // Rotate the order so that no loop always runs first.
    const names = ['empty', 'disabled', 'audited'];
    for (let s = 0; s < r % 3; s++) names.push(names.shift());
    const run = {};
    for (const name of names) {
      const l = loops[name];
      run[name] = l.run(l.probe, l.conns, ITERATIONS);
      ns[name].push(run[name]);
    }
    added.push(run.audited - run.disabled);
  }
  const stats = loops.audited.auditor.snapshot().pools[0].stats;
  const result = {
    iterations: ITERATIONS,
    runs: RUNS,
    connections: CONNECTIONS,
    nsPerCycle: {
      empty: round(median(ns.empty), 1),
      disabled: round(median(ns.disabled), 1),
      audited: round(median(ns.audited), 1),
    },
    addedNsPerCycle: {
      median: round(median(added), 1),
      min: round(Math.min(...added), 1),
      max: round(Math.max(...added), 1),
    },
    samplesNs: {
      empty: ns.empty.map((x) => round(x, 1)),
      disabled: ns.disabled.map((x) => round(x, 1)),
      audited: ns.audited.map((x) => round(x, 1)),
    },
    // Proof that the audited probe recorded every cycle.
    recordedAcquires: stats.acquired,
    expectedAcquires: Math.min(ITERATIONS, 500_000) + ITERATIONS * RUNS,
  };
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(result);
}

main();
