'use strict';
/**
 * What the register hook (`node --require @poolaudit/register`) costs, in processes of their own, without and
 * with the hook, in interleaved rounds:
 *   startup   wall time of a process that loads mysql2, pg, ioredis, undici, generic-pool, grpc-js and http
 *             and exits: the hook's own load plus hooking each library as it is required;
 *   per pool  CPU per pool created (`new http.Agent()`, `mysql2.createPool()`, `new pg.Pool()`), each
 *             audited by the hook (no connection is made: what an application creating pools pays at the
 *             call, and what a client created per request pays on top of its connection).
 * Prints the medians with 95% bootstrap intervals and the added time.
 *
 *   node bench/register-hook.js [--json] [--rounds 15] [--pools 2000]
 *
 * Needs the built packages (`npx turbo run build`). No server is contacted.
 */
const { execFile } = require('node:child_process');
const { resolve } = require('node:path');
const { promisify } = require('node:util');
const { numberOption } = require('./lib/scan-bench.js');
const { bootstrapMedian, roundInterval } = require('./lib/stats.js');

const run = promisify(execFile);
const json = process.argv.includes('--json');
const ROUNDS = numberOption('--rounds', 15);
const POOLS = numberOption('--pools', 2000);
const REGISTER = resolve(__dirname, '../packages/register/dist/index.js');
const ROOT = resolve(__dirname, '..');

const LOAD_ALL = [
  "require('mysql2'); require('mysql2/promise'); require('pg'); require('ioredis'); require('undici');",
  "require('generic-pool'); require('@grpc/grpc-js'); require('node:http'); require('node:https');",
].join(' ');

/** A child that creates `POOLS` pools of each kind and prints the CPU µs per pool, per kind. */
const CREATE_POOLS = `
const http = require('node:http');
const mysql = require('mysql2');
const pg = require('pg');
const kinds = {
  'http.Agent': () => new http.Agent({ keepAlive: true }),
  'mysql2.createPool': () => mysql.createPool({ host: '127.0.0.1', user: 'app', connectionLimit: 10 }),
  'pg.Pool': () => new pg.Pool({ host: '127.0.0.1', user: 'app', max: 10 }),
};
(async () => {
  const out = {};
  for (const [kind, make] of Object.entries(kinds)) {
    for (let i = 0; i < 200; i++) make();
    await new Promise((r) => setImmediate(r));
    const cpu = process.cpuUsage();
    const made = [];
    for (let i = 0; i < ${POOLS}; i++) made.push(make());
    // The hook audits in a microtask: let every one run before reading the CPU.
    await new Promise((r) => setImmediate(r));
    const used = process.cpuUsage(cpu);
    out[kind] = (used.user + used.system) / ${POOLS};
  }
  console.log(JSON.stringify(out));
})();
`;

const ENV = { ...process.env, POOLAUDIT_REPORT_INTERVAL: '0', POOLAUDIT_DISABLE: 'host' };
for (const key of Object.keys(ENV)) if (key === 'NODE_OPTIONS') delete ENV[key];

async function startupMs(hooked) {
  const args = [...(hooked ? ['--require', REGISTER] : []), '-e', LOAD_ALL];
  const started = process.hrtime.bigint();
  await run(process.execPath, args, { cwd: ROOT, env: ENV });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function perPool(hooked) {
  const args = [...(hooked ? ['--require', REGISTER] : []), '-e', CREATE_POOLS];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: ENV, maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

async function main() {
  await startupMs(false);
  await startupMs(true);
  const startup = { raw: [], hooked: [] };
  const pools = { raw: [], hooked: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, the order alternating per round: drift on the machine falls on both alike.
    for (const hooked of r % 2 === 0 ? [false, true] : [true, false]) {
      startup[hooked ? 'hooked' : 'raw'].push(await startupMs(hooked));
      pools[hooked ? 'hooked' : 'raw'].push(await perPool(hooked));
    }
  }
  const added = (a, b) => a.map((x, i) => x - b[i]);
  const kinds = Object.keys(pools.raw[0]);
  const result = {
    node: process.version,
    rounds: ROUNDS,
    poolsPerRound: POOLS,
    startupMs: {
      raw: roundInterval(bootstrapMedian(startup.raw), 1),
      hooked: roundInterval(bootstrapMedian(startup.hooked), 1),
      added: roundInterval(bootstrapMedian(added(startup.hooked, startup.raw)), 1),
    },
    perPool: kinds.map((kind) => {
      const raw = pools.raw.map((p) => p[kind]);
      const hooked = pools.hooked.map((p) => p[kind]);
      return {
        kind,
        rawCpuUs: roundInterval(bootstrapMedian(raw), 1),
        hookedCpuUs: roundInterval(bootstrapMedian(hooked), 1),
        addedCpuUs: roundInterval(bootstrapMedian(added(hooked, raw)), 1),
      };
    }),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const s = result.startupMs;
  console.log(`register hook, Node ${result.node}: ${ROUNDS} rounds`);
  console.log(
    `  startup (load 7 libraries, exit)  ${s.raw.median} ms raw · ${s.hooked.median} ms hooked · ` +
      `added ${s.added.median} [${s.added.low}, ${s.added.high}] ms`,
  );
  for (const p of result.perPool) {
    const a = p.addedCpuUs;
    console.log(
      `  ${p.kind.padEnd(32)} ${p.rawCpuUs.median} µs raw · ${p.hookedCpuUs.median} µs hooked · ` +
        `added ${a.median} [${a.low}, ${a.high}] µs per pool`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
