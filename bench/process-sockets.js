'use strict';
/**
 * What the process-wide view of unaudited sockets (`auditor.watchProcessSockets()`) costs per connection: a
 * loop of loopback connections (connect, one message each way, close from this side) with the view off and on,
 * in interleaved rounds, against a server in a child process; and the same with call sites off (`samplesPerSecond: 0`) and sampled at 1,000/s. Prints
 * the connections/s of each, the ratio on/off with its 95% bootstrap interval, and the added µs per connection.
 *
 *   node bench/process-sockets.js [--json] [--rounds 15] [--connections 400]
 *
 * Each connection leaves a TIME_WAIT socket (client side): the default 15 rounds × 4 modes × 400 = 24,000 stay
 * well inside the port range for the 60 s they last. Needs the built packages: `npx tsc -b packages/core`.
 */
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const { createAuditor } = require('../packages/core/dist/index.js');
const { numberOption } = require('./lib/scan-bench.js');
const { bootstrapMedian, roundInterval, round } = require('./lib/stats.js');

const json = process.argv.includes('--json');
const ROUNDS = numberOption('--rounds', 15);
const CONNECTIONS = numberOption('--connections', 400);
const MODES = [
  { name: 'off', options: undefined },
  { name: 'on, call sites off', options: { samplesPerSecond: 0 } },
  { name: 'on, 20 call sites/s (default)', options: {} },
  { name: 'on, 1,000 call sites/s', options: { samplesPerSecond: 1000 } },
];

let mechanism = 'none';

function roundTrip(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('x'));
    socket.on('data', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** Connections per second over `CONNECTIONS` sequential round trips, with the mode's view on. */
async function round1(port, mode) {
  const auditor = mode.options ? createAuditor() : undefined;
  const stop = auditor?.watchProcessSockets(mode.options);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < CONNECTIONS; i++) await roundTrip(port);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  mechanism = auditor?.snapshot().unaudited?.mechanism ?? mechanism;
  stop?.();
  auditor?.close();
  return {
    perSecond: (CONNECTIONS / ms) * 1000,
    cpuUsPerConnection: (used.user + used.system) / CONNECTIONS,
  };
}

async function main() {
  // The server in a process of its own: the CPU this process uses is the client's alone.
  const server = spawn(
    process.execPath,
    [
      '-e',
      "const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.on('data', () => c.write('ok')); });" +
        "s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = await once(server.stdout, 'data');
  const port = Number(String(line).trim());
  for (const mode of MODES) await round1(port, mode); // warm-up
  const samples = MODES.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, the order rotated per round: drift on the machine falls on every mode alike.
    for (let k = 0; k < MODES.length; k++) {
      const i = (k + r) % MODES.length;
      samples[i].push(await round1(port, MODES[i]));
    }
  }
  server.kill();
  const off = samples[0];
  const result = {
    node: process.version,
    connectionsPerRound: CONNECTIONS,
    rounds: ROUNDS,
    mechanism,
    modes: MODES.map((mode, i) => {
      const s = samples[i];
      const ratio = s.map((x, j) => x.perSecond / off[j].perSecond);
      const added = s.map((x, j) => x.cpuUsPerConnection - off[j].cpuUsPerConnection);
      return {
        mode: mode.name,
        connectionsPerSecond: roundInterval(bootstrapMedian(s.map((x) => x.perSecond)), 0),
        cpuUsPerConnection: roundInterval(bootstrapMedian(s.map((x) => x.cpuUsPerConnection)), 1),
        throughputRatio: roundInterval(bootstrapMedian(ratio), 3),
        addedCpuUsPerConnection: roundInterval(bootstrapMedian(added), 1),
      };
    }),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  console.log(
    `process view (${result.mechanism}), Node ${result.node}: ${ROUNDS} rounds × ${CONNECTIONS} connections`,
  );
  for (const m of result.modes) {
    const r = m.throughputRatio;
    const a = m.addedCpuUsPerConnection;
    console.log(
      `  ${m.mode.padEnd(32)} ${String(m.connectionsPerSecond.median).padStart(6)} conn/s · ratio ${r.median} ` +
        `[${r.low}, ${r.high}] · CPU ${m.cpuUsPerConnection.median} µs/conn (added ${round(a.median, 1)} ` +
        `[${a.low}, ${a.high}])`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
