'use strict';
/**
 * Scan benchmark for @poolaudit/host: a synthetic 250,000-line /proc/net/tcp parsed inline and in the shared
 * worker thread, with the main thread's event-loop delay measured while the worker scans, printed beside the time
 * of `ss -Htan state time-wait` on this machine in the same run.
 *
 *   node bench/host-scan.js            readable table
 *   node bench/host-scan.js --json     one JSON object
 *   node bench/host-scan.js --lines 100000 --runs 5
 *
 * Needs the built package: `npx tsc -b packages/host`.
 */
const { execFile } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { observeHost, readSocketTable } = require('../packages/host/dist/index.js');
const { createAuditor } = require('../packages/core/dist/index.js');
const { numberOption, p50MinMax: stats, syntheticTable } = require('./lib/scan-bench.js');

const args = process.argv.slice(2);
const json = args.includes('--json');
const LINES = numberOption('--lines', 250_000);
const RUNS = numberOption('--runs', 7);

function execSs() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile('ss', ['-Htan', 'state', 'time-wait'], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve({ ms: performance.now() - started, lines: stdout.split('\n').filter(Boolean).length });
    });
  });
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'poolaudit-bench-'));
  try {
    mkdirSync(join(root, 'net'));
    const text = syntheticTable(LINES);
    writeFileSync(join(root, 'net', 'tcp'), text);
    writeFileSync(
      join(root, 'net', 'tcp6'),
      '  sl  local_address                         remote_address                        st\n',
    );
    writeFileSync(
      join(root, 'net', 'sockstat'),
      `TCP: inuse ${LINES} orphan 0 tw ${LINES} alloc ${LINES} mem 1\n`,
    );
    const remote = ['10.0.0.5:3306', '10.0.0.5:3307'];

    const inline = [];
    for (let i = 0; i < RUNS; i++) {
      const t = await readSocketTable({ procRoot: root, remote, offThread: false });
      inline.push(t.durationMs);
    }

    // readSocketTable's off-thread scans share one worker, started by the first: that one is timed apart.
    const firstHistogram = monitorEventLoopDelay({ resolution: 1 });
    firstHistogram.enable();
    const first = await readSocketTable({ procRoot: root, remote, offThread: true });
    firstHistogram.disable();
    const firstScan = { ms: round(first.durationMs), blockedMs: round(firstHistogram.max / 1e6) };
    const worker = [];
    const blocked = [];
    let lastTable;
    for (let i = 0; i < RUNS; i++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t = await readSocketTable({ procRoot: root, remote, offThread: true });
      h.disable();
      worker.push(t.durationMs);
      blocked.push(h.max / 1e6);
      lastTable = t;
    }

    // The observer's path: one worker kept across scans, as observeHost() polls.
    const auditor = createAuditor();
    const observation = observeHost(auditor, {
      procRoot: root,
      endpoints: remote,
      offThread: true,
      intervalMs: 3_600_000,
      platform: 'linux',
      logger: { info() {}, warn() {} },
    });
    await observation.refresh();
    const kept = [];
    const keptBlocked = [];
    for (let i = 0; i < RUNS; i++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const started = performance.now();
      await observation.refresh();
      h.disable();
      kept.push(performance.now() - started);
      keptBlocked.push(h.max / 1e6);
    }
    observation.detach();

    // What the loop delay is with no scan at all over as long a time: the machine's noise floor.
    const idle = [];
    for (let i = 0; i < RUNS; i++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      await new Promise((resolve) => setTimeout(resolve, stats(kept).p50));
      h.disable();
      idle.push(h.max / 1e6);
    }

    const unfiltered = [];
    for (let i = 0; i < Math.min(3, RUNS); i++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const started = performance.now();
      const t = await readSocketTable({ procRoot: root, offThread: true });
      h.disable();
      unfiltered.push({ ms: performance.now() - started, blocked: h.max / 1e6, endpoints: t.byLocal.size });
    }

    const ss = [];
    let ssLines = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await execSs();
      ss.push(r.ms);
      ssLines = r.lines;
    }

    const result = {
      lines: LINES,
      bytes: Buffer.byteLength(text),
      runs: RUNS,
      counted: {
        timeWait: lastTable.totals.timeWait,
        established: lastTable.totals.established,
        closeWait: lastTable.totals.closeWait,
        toward: Object.fromEntries([...lastTable.byRemote].map(([k, v]) => [k, v.timeWait])),
      },
      inlineScanMs: stats(inline),
      workerFirstScan: firstScan,
      workerScanMs: stats(worker),
      workerMainThreadBlockedMs: stats(blocked),
      observerScanMs: stats(kept),
      observerMainThreadBlockedMs: stats(keptBlocked),
      idleLoopDelayMs: stats(idle),
      unfilteredWorkerScanMs: stats(unfiltered.map((u) => u.ms)),
      unfilteredMainThreadBlockedMs: stats(unfiltered.map((u) => u.blocked)),
      unfilteredLocalEndpoints: unfiltered[0]?.endpoints ?? 0,
      ssTimeWaitMs: stats(ss),
      ssTimeWaitLines: ssLines,
      note:
        'The synthetic table is a regular file: the kernel cost of generating /proc/net/tcp (about 0.5 µs per ' +
        'socket) is not in these times. ss lists the real TIME_WAIT sockets of this machine.',
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const row = (name, s, extra = '') =>
      `${name.padEnd(58)} ${String(s.p50).padStart(9)} ${String(s.min).padStart(9)} ${String(s.max).padStart(9)}  ${extra}`;
    const lines = [
      `@poolaudit/host scan benchmark: ${LINES.toLocaleString('en')} lines (${(result.bytes / 1e6).toFixed(1)} MB), ${RUNS} runs`,
      '',
      `${'ms'.padEnd(58)} ${'p50'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`,
      row('readSocketTable inline (main thread blocked all along)', result.inlineScanMs),
      row(
        'readSocketTable, first scan (starts the shared worker)',
        { p50: firstScan.ms, min: firstScan.ms, max: firstScan.ms },
        `blocked ${firstScan.blockedMs} ms`,
      ),
      row('readSocketTable, shared worker (filtered to 2 endpoints)', result.workerScanMs),
      row('  main thread blocked meanwhile (max loop delay)', result.workerMainThreadBlockedMs),
      row('observeHost refresh, worker kept across scans', result.observerScanMs),
      row('  main thread blocked meanwhile (max loop delay)', result.observerMainThreadBlockedMs),
      row('no scan: max loop delay over as long (noise floor)', result.idleLoopDelayMs),
      row(
        'readSocketTable in a worker, unfiltered',
        result.unfilteredWorkerScanMs,
        `${result.unfilteredLocalEndpoints} local endpoints`,
      ),
      row('  main thread blocked meanwhile (max loop delay)', result.unfilteredMainThreadBlockedMs),
      row('ss -Htan state time-wait (spawned, real table)', result.ssTimeWaitMs, `${ssLines} lines`),
      '',
      `counted: ${result.counted.timeWait} TIME_WAIT, ${result.counted.established} ESTABLISHED, ${result.counted.closeWait} CLOSE_WAIT`,
      result.note,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
