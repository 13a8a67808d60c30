'use strict';
/**
 * What auditing costs, measured against the raw pools: one harness, four sections.
 *
 *   adapters   raw vs audited, per adapter, alternated A/B over 15 rounds (bench/adapters.js), against
 *              private servers pinned to one core while the bench runs on the other (bench/lib/servers.js)
 *   hot-path   ns a probe adds per acquire/release cycle (bench/hot-path.js, own process)
 *   memory     heap growth after 1M and 2M audited operations (bench/memory.js, own process, --expose-gc)
 *   host-scan  the 250,000-socket table scan (bench/host-scan.js --json, own process)
 *   reconcile-scan  the same scan confirming a batch of closes per 4-tuple (bench/reconcile-scan.js --json)
 *   process-sockets  the process-wide view's cost per connection, off vs on (bench/process-sockets.js --json)
 *   register-hook  the register hook's startup time and CPU per pool created (bench/register-hook.js --json)
 *   soak       100,000 pools created, used once and closed, audited vs raw heap (bench/soak.js, --expose-gc)
 *
 *   npm run bench                       build, then every section, readable tables
 *   npm run --silent bench -- --json    the same, one JSON document on stdout
 *   node bench/run.js --only adapters --adapters mysql2,undici --rounds 5 --round-ms 1000
 *
 * Options: --json, --only <sections>, --adapters <names>, --rounds <n> (15), --round-ms <ms> (800),
 * --warmup-ms <ms> (300), --concurrency <n> (50), --shared-servers (the machine's MariaDB on :3306 and Redis
 * on :6379 instead of private ones), --out <file> (bench/results/latest.json).
 * Needs the built packages (`npx turbo run build`) and `mariadbd`, `mariadb-install-db` and `redis-server`
 * on PATH. Progress goes to stderr; the tables or the JSON to stdout.
 *
 * Verdicts: PASS only when the 95% bootstrap interval of the median clears the target, MISS when the whole
 * interval misses it, UNSURE when it straddles the target.
 */
const { execFile } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { intervalVerdict, round, roundInterval } = require('./lib/stats.js');
const { startServers } = require('./lib/servers.js');

const args = process.argv.slice(2);

const SECTIONS = [
  'adapters',
  'hot-path',
  'memory',
  'host-scan',
  'reconcile-scan',
  'process-sockets',
  'register-hook',
  'soak',
];
const { WORKLOADS, runAdapters, serversNeeded } = require('./adapters.js');

const ADAPTERS = Object.keys(WORKLOADS);
const TARGETS = {
  throughputRatio: 0.98,
  p99Ratio: 1.05,
  /** For a library whose whole raw operation costs less than `tinyOpUs` of CPU, the target is added CPU. */
  tinyOpUs: 2,
  addedCpuUsPerOp: 0.3,
  addedNsPerCycle: 200,
  heapGrowthMB: 1,
  scanMs: 150,
  blockedMs: 5,
};

const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const list = (name, all) => {
  const v = value(name, undefined);
  if (v === undefined) return all;
  const picked = v.split(',').map((s) => s.trim());
  for (const p of picked) {
    if (!all.includes(p)) throw new Error(`${name}: unknown "${p}" (one of ${all.join(', ')})`);
  }
  return picked;
};

const json = flag('--json');
const sections = list('--only', SECTIONS);
const options = {
  adapters: list('--adapters', ADAPTERS),
  rounds: Number(value('--rounds', 15)),
  roundMs: Number(value('--round-ms', 800)),
  warmupMs: Number(value('--warmup-ms', 300)),
  sharedServers: flag('--shared-servers'),
  concurrency: Number(value('--concurrency', 50)),
  progress: (line) => process.stderr.write(`bench: ${line}\n`),
};
const out = resolve(value('--out', join(__dirname, 'results', 'latest.json')));

/** Runs a Node script in its own process and parses the JSON it prints (its last JSON document). */
function child(script, scriptArgs, nodeArgs = []) {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, join(__dirname, script), ...scriptArgs],
      { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60 * 1000 },
      (err, stdout, stderr) => {
        if (stderr) process.stderr.write(stderr);
        if (err) return reject(new Error(`${script} failed: ${err.message}`));
        try {
          resolvePromise(JSON.parse(stdout));
        } catch (parseErr) {
          reject(new Error(`${script} printed no JSON: ${parseErr.message}`));
        }
      },
    );
  });
}

const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const fmtInterval = (s, digits = 3) =>
  `${s.median.toFixed(digits)} [${s.low.toFixed(digits)}, ${s.high.toFixed(digits)}]`;

/**
 * The checks of one adapter, each judged on the 95% interval: throughput ratio ≥ 0.98 and p99 ratio ≤ 1.05; a
 * library whose raw operation costs under `tinyOpUs` µs of CPU is judged on the CPU it adds per operation
 * instead (2% of 1 µs is 20 ns, less than one clock read).
 */
function adapterChecks(a) {
  const check = (target, interval, goal, direction, digits = 3) => {
    const v = intervalVerdict(interval, goal, direction);
    return { target, value: fmtInterval(interval, digits), pass: v === 'PASS', verdict: v };
  };
  if (a.raw.cpuUsPerOp.median < TARGETS.tinyOpUs) {
    return [
      check(
        `${a.adapter} added CPU per op <= ${TARGETS.addedCpuUsPerOp} µs (raw op ${a.raw.cpuUsPerOp.median.toFixed(2)} µs < ${TARGETS.tinyOpUs})`,
        a.addedCpuUsPerOp,
        TARGETS.addedCpuUsPerOp,
        'atMost',
      ),
    ];
  }
  return [
    check(
      `${a.adapter} throughput ratio >= ${TARGETS.throughputRatio}`,
      a.throughputRatio,
      TARGETS.throughputRatio,
      'atLeast',
    ),
    check(`${a.adapter} p99 ratio <= ${TARGETS.p99Ratio}`, a.p99Ratio, TARGETS.p99Ratio, 'atMost'),
  ];
}

function judge(result) {
  const checks = [];
  for (const a of result.adapters ?? []) {
    if (a.error) {
      checks.push({ target: `${a.adapter} ran`, value: a.error, pass: false, verdict: 'MISS' });
      continue;
    }
    for (const c of adapterChecks(a)) checks.push(c);
  }
  const h = result.hotPath;
  if (h) {
    checks.push({
      target: `added ns per acquire/release <= ${TARGETS.addedNsPerCycle}`,
      value: h.addedNsPerCycle.median,
      pass: h.addedNsPerCycle.median <= TARGETS.addedNsPerCycle,
    });
  }
  for (const r of result.soak?.results ?? []) {
    checks.push({
      target: `soak ${r.case} x${r.pools} (${r.names} names): heap vs raw < ${TARGETS.heapGrowthMB} MB`,
      value: r.differenceMB,
      pass: r.withinTarget,
    });
  }
  const m = result.memory;
  if (m) {
    checks.push({
      target: `heap growth after ${m.ops / 1e6}M probe ops < ${TARGETS.heapGrowthMB} MB`,
      value: m.probe.growthAfter1xMB,
      pass: m.probe.growthAfter1xMB < TARGETS.heapGrowthMB,
    });
    checks.push({
      target: `heap growth after ${(2 * m.ops) / 1e6}M probe ops < ${TARGETS.heapGrowthMB} MB`,
      value: m.probe.growthAfter2xMB,
      pass: m.probe.growthAfter2xMB < TARGETS.heapGrowthMB,
    });
    checks.push({
      target: `heap growth after ${m.ops / 1e6}M audited generic-pool ops < ${TARGETS.heapGrowthMB} MB`,
      value: m.genericPool.audited.growthMB,
      pass: m.genericPool.audited.growthMB < TARGETS.heapGrowthMB,
    });
  }
  const s = result.hostScan;
  if (s) {
    const lines = s.lines.toLocaleString('en');
    checks.push({
      target: `${lines}-socket scan, observer (worker kept) <= ${TARGETS.scanMs} ms`,
      value: s.observerScanMs.p50,
      pass: s.observerScanMs.p50 <= TARGETS.scanMs,
    });
    checks.push({
      target: `  main thread blocked meanwhile <= ${TARGETS.blockedMs} ms`,
      value: s.observerMainThreadBlockedMs.p50,
      pass: s.observerMainThreadBlockedMs.p50 <= TARGETS.blockedMs,
    });
    checks.push({
      target: `${lines}-socket scan, readSocketTable (shared worker) <= ${TARGETS.scanMs} ms`,
      value: s.workerScanMs.p50,
      pass: s.workerScanMs.p50 <= TARGETS.scanMs,
    });
    checks.push({
      target: `  main thread blocked meanwhile <= ${TARGETS.blockedMs} ms`,
      value: s.workerMainThreadBlockedMs.p50,
      pass: s.workerMainThreadBlockedMs.p50 <= TARGETS.blockedMs,
    });
  }
  return checks;
}

// ── readable output ────────────────────────────────────────────────────────────────────────────────

function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const fmtInt = (n) => Math.round(n).toLocaleString('en');

function render(result, checks) {
  const parts = [];
  const env = result.environment;
  parts.push(
    `poolaudit benchmarks, ${result.startedAt}: Node ${env.node}, ${env.cpus} × ${env.cpuModel}, ` +
      `load average ${env.loadAverageBefore.join(' ')} before, ${env.loadAverageAfter.join(' ')} after`,
  );
  if (result.adapters) {
    const o = result.options;
    parts.push(
      '',
      `Raw vs audited: ${o.rounds} rounds of ${o.roundMs} ms per arm (after ${o.warmupMs} ms warm-up), ` +
        `${o.concurrency} callers, A/B alternated; ratios are audited/raw per round: median [95% bootstrap ` +
        `interval]. Servers: ${result.servers.private ? 'private' : 'shared'}; pinning: ${result.servers.pinning}`,
    );
    const rows = [];
    for (const a of result.adapters) {
      if (a.error) {
        rows.push([a.adapter, 'error', a.error, '', '', '', '', '', '']);
        continue;
      }
      const [first, second] = adapterChecks(a);
      const tiny = second === undefined;
      rows.push([
        a.adapter,
        fmtInt(a.raw.opsPerSec.median),
        fmtInt(a.audited.opsPerSec.median),
        fmtInterval(a.throughputRatio),
        tiny ? '(see CPU)' : first.verdict,
        a.raw.p99Ms.median.toFixed(3),
        a.audited.p99Ms.median.toFixed(3),
        fmtInterval(a.p99Ratio),
        tiny ? '(see CPU)' : second.verdict,
      ]);
    }
    parts.push(
      table(
        [
          'adapter',
          'raw ops/s',
          'audited ops/s',
          `ratio [95%] (≥ ${TARGETS.throughputRatio})`,
          '',
          'raw p99 ms',
          'audited p99 ms',
          `p99 ratio [95%] (≤ ${TARGETS.p99Ratio})`,
          '',
        ],
        rows,
      ),
    );
    parts.push(
      '',
      `CPU time of the bench process per operation (µs): the target for a library whose raw operation costs ` +
        `under ${TARGETS.tinyOpUs} µs is added CPU ≤ ${TARGETS.addedCpuUsPerOp} µs`,
      table(
        ['adapter', 'raw µs/op', 'audited µs/op', 'added µs/op [95%]', 'ratio [95%]', ''],
        result.adapters
          .filter((a) => !a.error)
          .map((a) => {
            const checks = adapterChecks(a);
            return [
              a.adapter,
              a.raw.cpuUsPerOp.median.toFixed(2),
              a.audited.cpuUsPerOp.median.toFixed(2),
              fmtInterval(a.addedCpuUsPerOp, 2),
              fmtInterval(a.cpuRatio),
              checks.length === 1 ? checks[0].verdict : '',
            ];
          }),
      ),
    );
    for (const a of result.adapters) if (!a.error) parts.push(`  ${a.adapter}: ${a.workload}`);
  }
  if (result.hotPath) {
    const h = result.hotPath;
    parts.push(
      '',
      `Hot path: acquireStart + acquired + released, ${h.iterations.toLocaleString('en')} cycles × ${h.runs} runs, median ns per cycle`,
      table(
        ['loop', 'ns/cycle'],
        [
          ['empty loop', h.nsPerCycle.empty],
          ['disabled auditor probe', h.nsPerCycle.disabled],
          ['audited probe', h.nsPerCycle.audited],
        ],
      ),
      `added by the probe: ${h.addedNsPerCycle.median} ns (min ${h.addedNsPerCycle.min}, max ${h.addedNsPerCycle.max}) ` +
        `≤ ${TARGETS.addedNsPerCycle} ns: ${verdict(h.addedNsPerCycle.median <= TARGETS.addedNsPerCycle)}` +
        `  (recorded ${h.recordedAcquires.toLocaleString('en')} of ${h.expectedAcquires.toLocaleString('en')} acquires)`,
    );
  }
  if (result.memory) {
    const m = result.memory;
    const t = TARGETS.heapGrowthMB;
    parts.push(
      '',
      `Memory: heapUsed after forced GC, growth in MB (< ${t} MB)`,
      table(
        ['workload', `after ${m.ops / 1e6}M ops`, `after ${(2 * m.ops) / 1e6}M ops`, ''],
        [
          [
            `probe: acquire/release + ${m.probe.connectionsOpened.toLocaleString('en')} open/close`,
            m.probe.growthAfter1xMB,
            m.probe.growthAfter2xMB,
            verdict(m.probe.growthAfter1xMB < t && m.probe.growthAfter2xMB < t),
          ],
          ['control: same loop, disabled auditor', m.control.growthAfter1xMB, m.control.growthAfter2xMB, ''],
          [
            'generic-pool audited, 50 callers',
            m.genericPool.audited.growthMB,
            '',
            verdict(m.genericPool.audited.growthMB < t),
          ],
          ['generic-pool raw, 50 callers', m.genericPool.raw.growthMB, '', ''],
        ],
      ),
    );
  }
  if (result.soak) {
    const t = TARGETS.heapGrowthMB;
    parts.push(
      '',
      `Soak: pools created, used once and closed; heapUsed growth after forced GC, MB (audited − raw < ${t} MB)`,
      table(
        ['case', 'pools', 'names', 'raw', 'audited', 'difference', 'records left', ''],
        result.soak.results.map((r) => [
          r.case,
          r.pools.toLocaleString('en'),
          r.names,
          r.rawGrowthMB,
          r.auditedGrowthMB,
          r.differenceMB,
          r.recordsLeft,
          verdict(r.withinTarget),
        ]),
      ),
    );
  }
  if (result.hostScan) {
    const s = result.hostScan;
    const row = (name, st, target) => [
      name,
      st.p50,
      st.min,
      st.max,
      target === undefined ? '' : `${verdict(st.p50 <= target)} (≤ ${target})`,
    ];
    parts.push(
      '',
      `Host scan (bench/host-scan.js): ${s.lines.toLocaleString('en')}-line synthetic /proc/net/tcp ` +
        `(${(s.bytes / 1e6).toFixed(1)} MB), ${s.runs} runs, ms`,
      table(
        ['', 'p50', 'min', 'max', ''],
        [
          row('observeHost refresh, worker kept', s.observerScanMs, TARGETS.scanMs),
          row('  main thread blocked (max loop delay)', s.observerMainThreadBlockedMs, TARGETS.blockedMs),
          row('readSocketTable, shared worker', s.workerScanMs, TARGETS.scanMs),
          row('  main thread blocked (max loop delay)', s.workerMainThreadBlockedMs, TARGETS.blockedMs),
          row('readSocketTable inline (blocks all along)', s.inlineScanMs),
          row('no scan: max loop delay (noise floor)', s.idleLoopDelayMs),
          row('shared worker, unfiltered', s.unfilteredWorkerScanMs),
          row('  main thread blocked (max loop delay)', s.unfilteredMainThreadBlockedMs),
          row(`ss -Htan state time-wait (${s.ssTimeWaitLines} lines)`, s.ssTimeWaitMs),
        ],
      ),
    );
  }
  if (result.processSockets) {
    const p = result.processSockets;
    const iv = (x) => `${x.median} [${x.low}, ${x.high}]`;
    parts.push(
      '',
      `Process view per connection (bench/process-sockets.js, ${p.mechanism}): ${p.rounds} rounds × ` +
        `${p.connectionsPerRound} loopback connections, server in a child process; median [95% interval]`,
      table(
        ['', 'conn/s', 'ratio to off', 'client CPU µs/conn', 'added µs/conn'],
        p.modes.map((m) => [
          m.mode,
          m.connectionsPerSecond.median,
          iv(m.throughputRatio),
          m.cpuUsPerConnection.median,
          iv(m.addedCpuUsPerConnection),
        ]),
      ),
    );
  }
  if (result.registerHook) {
    const h = result.registerHook;
    const iv = (x) => `${x.median} [${x.low}, ${x.high}]`;
    parts.push(
      '',
      `Register hook (bench/register-hook.js): ${h.rounds} rounds, processes of their own, without and with ` +
        `--require @poolaudit/register; median [95% interval]`,
      table(
        ['', 'raw', 'hooked', 'added'],
        [
          [
            'startup: load 7 libraries and exit (ms)',
            h.startupMs.raw.median,
            h.startupMs.hooked.median,
            iv(h.startupMs.added),
          ],
          ...h.perPool.map((p) => [
            `CPU per ${p.kind} created (µs)`,
            p.rawCpuUs.median,
            p.hookedCpuUs.median,
            iv(p.addedCpuUs),
          ]),
        ],
      ),
    );
  }
  if (result.reconcileScan) {
    const r = result.reconcileScan;
    const row = (name, st) => [name, st.p50, st.min, st.max, ''];
    parts.push(
      '',
      `Per-scan confirmation (bench/reconcile-scan.js): ${r.lines.toLocaleString('en')} lines, ` +
        `${r.closesPerScan} closes per scan, ${r.runs} runs, ms; confirmed ${r.check.confirmed} of ` +
        `${r.check.expectedConfirmed} in TIME_WAIT, resets ${r.check.resets}`,
      table(
        ['', 'p50', 'min', 'max', ''],
        [
          row('observeHost refresh, no closes', r.refreshMs),
          row('observeHost refresh, closes looked up', r.refreshWithClosesMs),
          row('  main thread blocked (max loop delay)', r.refreshWithClosesBlockedMs),
          row('  closeLookup() + settle() on the main thread', r.mainThreadLookupAndSettleMs),
        ],
      ),
    );
  }
  const missed = checks.filter((c) => c.verdict === 'MISS');
  const unsure = checks.filter((c) => c.verdict === 'UNSURE');
  const list = (cs) => cs.map((c) => `${c.target.trim()} (${c.value})`).join('; ');
  parts.push(
    '',
    `Targets: ${checks.length - missed.length - unsure.length} of ${checks.length} PASS` +
      (missed.length ? `; MISS: ${list(missed)}` : '') +
      (unsure.length ? `; UNSURE: ${list(unsure)}` : ''),
    `JSON: ${out}`,
  );
  return parts.join('\n');
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────────

function environment() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    loadAverageBefore: os.loadavg().map((n) => round(n, 2)),
  };
}

async function main() {
  const result = {
    startedAt: new Date().toISOString(),
    environment: environment(),
    targets: TARGETS,
    options: {
      sections,
      adapters: options.adapters,
      rounds: options.rounds,
      roundMs: options.roundMs,
      warmupMs: options.warmupMs,
      concurrency: options.concurrency,
    },
  };
  if (sections.includes('adapters')) {
    const started = await startServers(serversNeeded(options.adapters), {
      shared: options.sharedServers,
      progress: options.progress,
    });
    result.servers = started.servers;
    let adapters;
    try {
      adapters = await runAdapters({ ...options, servers: started.servers });
    } finally {
      await started.stop();
    }
    result.adapters = adapters.map((a) => {
      if (a.error) return a;
      return {
        ...a,
        raw: {
          opsPerSec: roundInterval(a.raw.opsPerSec, 0),
          p50Ms: roundInterval(a.raw.p50Ms, 4),
          p99Ms: roundInterval(a.raw.p99Ms, 4),
          cpuUsPerOp: roundInterval(a.raw.cpuUsPerOp, 3),
        },
        audited: {
          opsPerSec: roundInterval(a.audited.opsPerSec, 0),
          p50Ms: roundInterval(a.audited.p50Ms, 4),
          p99Ms: roundInterval(a.audited.p99Ms, 4),
          cpuUsPerOp: roundInterval(a.audited.cpuUsPerOp, 3),
        },
        throughputRatio: roundInterval(a.throughputRatio, 4),
        p99Ratio: roundInterval(a.p99Ratio, 4),
        cpuRatio: roundInterval(a.cpuRatio, 4),
        addedCpuUsPerOp: roundInterval(a.addedCpuUsPerOp, 3),
        rounds: a.rounds.map((r) => ({
          ...r,
          throughputRatio: round(r.throughputRatio, 4),
          p99Ratio: round(r.p99Ratio, 4),
          cpuRatio: round(r.cpuRatio, 4),
          raw: roundArm(r.raw),
          audited: roundArm(r.audited),
        })),
      };
    });
  }
  if (sections.includes('hot-path')) {
    options.progress('hot path');
    result.hotPath = await child('hot-path.js', ['--json']);
  }
  if (sections.includes('memory')) {
    options.progress('memory');
    result.memory = await child('memory.js', ['--json'], ['--expose-gc']);
  }
  if (sections.includes('soak')) {
    options.progress('soak (bench/soak.js --json)');
    result.soak = await child('soak.js', ['--json'], ['--expose-gc']);
  }
  if (sections.includes('host-scan')) {
    options.progress('host scan (bench/host-scan.js --json)');
    result.hostScan = await child('host-scan.js', ['--json']);
  }
  if (sections.includes('reconcile-scan')) {
    options.progress('per-scan confirmation (bench/reconcile-scan.js --json)');
    result.reconcileScan = await child('reconcile-scan.js', ['--json']);
  }
  if (sections.includes('process-sockets')) {
    options.progress('process view per connection (bench/process-sockets.js --json)');
    result.processSockets = await child('process-sockets.js', ['--json']);
  }
  if (sections.includes('register-hook')) {
    options.progress('register hook (bench/register-hook.js --json)');
    result.registerHook = await child('register-hook.js', ['--json']);
  }
  result.environment.loadAverageAfter = os.loadavg().map((n) => round(n, 2));
  result.finishedAt = new Date().toISOString();
  const checks = judge(result).map((c) => ({ ...c, verdict: c.verdict ?? verdict(c.pass) }));
  result.checks = checks.map((c) => ({ ...c, target: c.target.trim() }));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${render(result, checks)}\n`);
}

function roundArm(a) {
  return {
    ...a,
    opsPerSec: round(a.opsPerSec, 0),
    elapsedMs: round(a.elapsedMs, 1),
    p50Ms: round(a.p50Ms, 4),
    p99Ms: round(a.p99Ms, 4),
    cpuUsPerOp: round(a.cpuUsPerOp, 3),
  };
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
