'use strict';
/**
 * What confirming closes against the kernel costs per scan: observeHost refreshes over the synthetic
 * 250,000-line /proc/net/tcp, with and without a batch of closed connections to look up per 4-tuple (as many as
 * one destination can hold: 20,000 by default, most of them in the table's TIME_WAIT, some absent = resets).
 * Prints the scan time, the main thread's longest block (max event-loop delay) and the main-thread cost of
 * taking the lookup and booking the answer, and checks the confirmed figure against the table.
 *
 *   node bench/reconcile-scan.js [--json] [--lines 250000] [--closes 20000] [--runs 5]
 *
 * Needs the built packages: `npx tsc -b packages/host`.
 */
const { EventEmitter } = require('node:events');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { observeHost } = require('../packages/host/dist/index.js');
const { createAuditor } = require('../packages/core/dist/index.js');
const { numberOption, p50MinMax: stats, syntheticTable } = require('./lib/scan-bench.js');

const args = process.argv.slice(2);
const json = args.includes('--json');
const LINES = numberOption('--lines', 250_000);
const CLOSES = numberOption('--closes', 20_000);
const RUNS = numberOption('--runs', 5);
/** One close in this many is a made-up 4-tuple absent from the table: a local close that left no TIME_WAIT. */
const ABSENT_EVERY = 10;

/** Just enough of a connected socket for the ledger: its two ends, and the events of a local close. */
class ClosedSocket extends EventEmitter {
  constructor(localAddress, localPort) {
    super();
    this.connecting = false;
    this.destroyed = false;
    this.closed = false;
    this.localAddress = localAddress;
    this.localPort = localPort;
    this.remoteAddress = '10.0.0.5';
    this.remotePort = 3306;
  }
  closeLocally() {
    this.emit('finish');
    this.destroyed = true;
    this.closed = true;
    this.emit('close', false);
  }
}

/**
 * The table's lines toward 10.0.0.5:3306 (every 8th) give the closes' 4-tuples (`syntheticTable`: local
 * 127.0.0.(1 + i >> 16), port 32768 + i % 28232). Returns how many of them the table holds in TIME_WAIT.
 */
function closeBatch(probe, n) {
  let expectTimeWait = 0;
  const seen = new Set();
  const inTable = tableStates();
  for (let k = 0, i = 0; k < n; k++, i += 8) {
    const absent = k % ABSENT_EVERY === 0;
    const address = absent ? '127.0.9.9' : `127.0.0.${1 + (i >> 16)}`;
    const port = 32768 + (i % 28232);
    const key = `${address}:${port}`;
    // The synthetic table repeats a 4-tuple now and then; the kernel never does, so neither do the closes.
    if (seen.has(key)) continue;
    seen.add(key);
    if (inTable.get(key) === 6) expectTimeWait++;
    const socket = new ClosedSocket(address, port);
    const conn = {};
    probe.opened(conn, { socket });
    probe.closed(conn, 'maxIdle');
    socket.closeLocally();
  }
  return { expectTimeWait, closes: seen.size };
}

/** The state of each 4-tuple toward 10.0.0.5:3306 as the table lists it (a repeated tuple: the last line's). */
let states;
function tableStates() {
  if (states) return states;
  states = new Map();
  for (let i = 0; i < LINES; i += 8) {
    const state = i % 10 === 0 ? 1 : i % 97 === 0 ? 8 : 6;
    states.set(`127.0.0.${1 + (i >> 16)}:${32768 + (i % 28232)}`, state);
  }
  return states;
}

async function timedRefresh(observation) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const started = performance.now();
  await observation.refresh();
  const ms = performance.now() - started;
  h.disable();
  return { ms, blocked: h.max / 1e6 };
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'poolaudit-bench-'));
  try {
    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net', 'tcp'), syntheticTable(LINES));
    writeFileSync(join(root, 'net', 'tcp6'), '  sl  local_address remote_address st\n');
    writeFileSync(
      join(root, 'net', 'sockstat'),
      `TCP: inuse ${LINES} orphan 0 tw ${LINES} alloc ${LINES} mem 1\n`,
    );
    const auditor = createAuditor();
    const probe = auditor.register({ name: 'orders-db', kind: 'bench', config: {} });
    const observation = observeHost(auditor, {
      procRoot: root,
      endpoints: ['10.0.0.5:3306'],
      offThread: true,
      intervalMs: 3_600_000,
      platform: 'linux',
      logger: { info() {}, warn() {} },
    });
    await observation.refresh();
    // One round untimed: the first lookups run before the JIT has compiled them.
    closeBatch(probe, CLOSES);
    await observation.refresh();
    closeBatch(probe, CLOSES);
    auditor.closeLookup().settle(null);
    await observation.refresh();

    const plain = [];
    const withCloses = [];
    const lookupMs = [];
    let check;
    for (let run = 0; run < RUNS; run++) {
      plain.push(await timedRefresh(observation));
      const before = auditor.snapshot().pools[0].stats.timeWait;
      const batch = closeBatch(probe, CLOSES);
      withCloses.push(await timedRefresh(observation));
      const after = auditor.snapshot().pools[0].stats.timeWait;
      check = {
        closes: batch.closes,
        expectedConfirmed: batch.expectTimeWait,
        confirmed: after.confirmed - before.confirmed,
        resets: after.resets - before.resets,
        unconfirmed: after.unconfirmed,
      };
      // The main thread's own share: taking the queue and booking a made-up answer of the same size.
      closeBatch(probe, CLOSES);
      const started = performance.now();
      const lookup = auditor.closeLookup();
      lookup.settle(new Uint8Array(lookup.local.length).fill(6));
      lookupMs.push(performance.now() - started);
    }
    observation.detach();
    const result = {
      lines: LINES,
      closesPerScan: check.closes,
      runs: RUNS,
      check,
      refreshMs: stats(plain.map((r) => r.ms)),
      refreshBlockedMs: stats(plain.map((r) => r.blocked)),
      refreshWithClosesMs: stats(withCloses.map((r) => r.ms)),
      refreshWithClosesBlockedMs: stats(withCloses.map((r) => r.blocked)),
      mainThreadLookupAndSettleMs: stats(lookupMs),
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const row = (name, s) =>
      `${name.padEnd(62)} ${String(s.p50).padStart(9)} ${String(s.min).padStart(9)} ${String(s.max).padStart(9)}`;
    process.stdout.write(
      [
        `Per-scan confirmation: ${LINES.toLocaleString('en')}-line table, ${check.closes} closes per scan, ${RUNS} runs`,
        '',
        `${'ms'.padEnd(62)} ${'p50'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`,
        row('observeHost refresh, no closes to confirm', result.refreshMs),
        row('  main thread blocked meanwhile (max loop delay)', result.refreshBlockedMs),
        row(`observeHost refresh, ${check.closes} closes looked up per 4-tuple`, result.refreshWithClosesMs),
        row('  main thread blocked meanwhile (max loop delay)', result.refreshWithClosesBlockedMs),
        row('  of which closeLookup() + settle() on the main thread', result.mainThreadLookupAndSettleMs),
        '',
        `confirmed ${check.confirmed} (the table holds ${check.expectedConfirmed} of them in TIME_WAIT), ` +
          `resets ${check.resets}, unconfirmed ${check.unconfirmed}`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
