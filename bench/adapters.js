'use strict';
/**
 * Raw vs audited, per adapter: the same workload through a pool that nobody audits and through the same kind
 * of pool audited with a fresh auditor, alternated A/B over several rounds in one process.
 *
 * Each arm of a round builds its own pool (and, when audited, its own `createAuditor()` and audit), warms it
 * up, measures for a fixed time at a fixed concurrency, then shuts it down (and detaches). Nothing of one
 * arm is left in the process for the next: in particular undici's diagnostics channels, which the undici
 * adapter subscribes to, have no subscriber during a raw arm. The servers come from `bench/lib/servers.js`
 * (private instances pinned to their own core, by default).
 */
const { performance } = require('node:perf_hooks');
const { bootstrapMedian, quantileSorted } = require('./lib/stats.js');

/** Latency samples kept per arm; more operations than this are counted but not sampled. */
const MAX_SAMPLES = 4_000_000;
const samples = new Float64Array(MAX_SAMPLES);

/**
 * Runs `op` from `concurrency` callers in a loop until `durationMs` has passed (operations in flight then
 * finish and count). Returns operations per second and latency quantiles (ms).
 */
async function drive(op, concurrency, durationMs, record) {
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const caller = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      await op();
      if (record) {
        if (n < MAX_SAMPLES) samples[n] = performance.now() - t0;
      }
      n++;
    }
  };
  const callers = [];
  for (let i = 0; i < concurrency; i++) callers.push(caller());
  await Promise.all(callers);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (!record) return { ops: n, elapsedMs };
  const sorted = samples.slice(0, Math.min(n, MAX_SAMPLES)).sort();
  return {
    ops: n,
    elapsedMs,
    opsPerSec: (n / elapsedMs) * 1000,
    p50Ms: quantileSorted(sorted, 0.5),
    p99Ms: quantileSorted(sorted, 0.99),
    // This process's CPU time (all its threads) per operation: the work done here, which other load on
    // the machine disturbs far less than it disturbs throughput.
    cpuUsPerOp: (cpu.user + cpu.system) / n,
  };
}

/** Acquires counted by every pool of the auditor: proof that the audited arm really recorded. */
function recorded(auditor) {
  const snapshot = auditor.snapshot();
  let acquired = 0;
  let created = 0;
  for (const pool of snapshot.pools) {
    acquired += pool.stats.acquired;
    created += pool.stats.created;
  }
  return { pools: snapshot.pools.length, acquired, created };
}

// ── the four workloads ─────────────────────────────────────────────────────────────────────────────

function mysql2Workload({ mysql: server }) {
  const mysql = require('mysql2');
  const { auditPool, detach } = require('@poolaudit/mysql2');
  return {
    name: 'mysql2',
    description: "pool.query('SELECT 1'), connectionLimit 50, maxIdle 50, 50 callers",
    async open() {
      return mysql.createPool({
        host: server.host,
        port: server.port,
        user: 'root',
        password: '',
        database: 'test',
        connectionLimit: 50,
        maxIdle: 50,
        waitForConnections: true,
      });
    },
    audit: (pool, auditor) => auditPool(pool, { name: 'bench mysql2', auditor }),
    op: (pool) => () =>
      new Promise((resolve, reject) => {
        pool.query('SELECT 1', (err, rows) => (err ? reject(err) : resolve(rows)));
      }),
    async close(pool) {
      await new Promise((resolve) => pool.end(() => resolve()));
    },
    detach: (pool) => detach(pool),
  };
}

function pgWorkload({ postgres: server }) {
  const pg = require('pg');
  const { auditPool, detach } = require('@poolaudit/pg');
  return {
    name: 'pg',
    description: "pool.query('SELECT 1'), max 50, 50 callers",
    async open() {
      return new pg.Pool({ ...server, max: 50, idleTimeoutMillis: 60_000 });
    },
    audit: (pool, auditor) => auditPool(pool, { name: 'bench pg', auditor }),
    op: (pool) => () => pool.query('SELECT 1'),
    async close(pool) {
      await pool.end();
    },
    detach: (pool) => detach(pool),
  };
}

function knexWorkload({ mysql: server }) {
  const knex = require('knex');
  const { auditKnex, detach } = require('@poolaudit/tarn');
  return {
    name: 'knex',
    description: "db.raw('SELECT 1') through knex's tarn pool (mysql2), max 50, 50 callers",
    async open() {
      return knex({
        client: 'mysql2',
        connection: { host: server.host, port: server.port, user: 'root', password: '', database: 'test' },
        pool: { min: 0, max: 50, idleTimeoutMillis: 60_000 },
      });
    },
    audit: (db, auditor) => auditKnex(db, { name: 'bench knex', auditor }),
    op: (db) => () => db.raw('SELECT 1'),
    async close(db) {
      await db.destroy();
    },
    detach: (db) => detach(db),
  };
}

function ioredisWorkload({ redis: server }) {
  const Redis = require('ioredis');
  const { auditRedis, detachRedis } = require('@poolaudit/ioredis');
  return {
    name: 'ioredis',
    description: 'GET of an absent key, one client, 50 callers',
    async open() {
      return new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    },
    audit: (client, auditor) => auditRedis(client, { name: 'bench ioredis', auditor }),
    async ready(client) {
      await client.connect();
    },
    op: (client) => () => client.get('poolaudit:bench:absent'),
    async close(client) {
      await client.quit();
    },
    detach: (client) => detachRedis(client),
  };
}

function undiciWorkload({ http: { origin } }) {
  const { Pool } = require('undici');
  const { auditDispatcher, detachDispatcher } = require('@poolaudit/undici');
  return {
    name: 'undici',
    description: 'GET / of a node:http server in its own process, Pool connections 50, 50 callers',
    async open() {
      return new Pool(origin, { connections: 50 });
    },
    audit: (pool, auditor) => auditDispatcher(pool, { name: 'bench undici', auditor }),
    op: (pool) => () => pool.request({ path: '/', method: 'GET' }).then((res) => res.body.text()),
    async close(pool) {
      await pool.close();
    },
    detach: (pool) => detachDispatcher(pool),
  };
}

function httpAgentWorkload({ http: { origin } }) {
  const http = require('node:http');
  const { auditAgent, detach } = require('@poolaudit/http');
  return {
    name: 'http',
    description:
      'http.request GET / of a node:http server in its own process, keep-alive Agent maxSockets 50, 50 callers',
    async open() {
      return new http.Agent({ keepAlive: true, maxSockets: 50 });
    },
    audit: (agent, auditor) => auditAgent(agent, { name: 'bench http', auditor }),
    op: (agent) => () =>
      new Promise((resolve, reject) => {
        http
          .request(`${origin}/`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
            res.on('error', reject);
          })
          .on('error', reject)
          .end();
      }),
    async close(agent) {
      agent.destroy();
    },
    detach: (agent) => detach(agent),
  };
}

function serverWorkload() {
  const http = require('node:http');
  const { once } = require('node:events');
  const { auditServer, detach } = require('@poolaudit/server');
  return {
    name: 'server',
    description:
      'GET / of a node:http server in this process, audited on its side; keep-alive Agent maxSockets 50, 50 callers',
    async open() {
      const server = http.createServer((_req, res) => res.end('ok'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
      return { server, agent, origin: `http://127.0.0.1:${server.address().port}` };
    },
    audit: ({ server }, auditor) => auditServer(server, { name: 'bench server', auditor }),
    op: ({ agent, origin }) => () =>
      new Promise((resolve, reject) => {
        http
          .request(`${origin}/`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
            res.on('error', reject);
          })
          .on('error', reject)
          .end();
      }),
    async close({ server, agent }) {
      agent.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
    detach: ({ server }) => detach(server),
  };
}

function genericPoolWorkload() {
  const { createPool } = require('generic-pool');
  const { auditPool, detach } = require('@poolaudit/generic-pool');
  return {
    name: 'generic-pool',
    description: 'acquire() + release() of a plain object, max 50, 50 callers',
    async open() {
      return createPool(
        { create: async () => ({ id: Math.random() }), destroy: async () => undefined },
        { max: 50, min: 0 },
      );
    },
    audit: (pool, auditor) => auditPool(pool, { name: 'bench generic-pool', auditor }),
    op: (pool) => async () => {
      const resource = await pool.acquire();
      await pool.release(resource);
    },
    async close(pool) {
      await pool.drain();
      await pool.clear();
    },
    detach: (pool) => detach(pool),
  };
}

function grpcWorkload({ grpc: { address } }) {
  const grpc = require('@grpc/grpc-js');
  const { auditClient, detachClient } = require('@poolaudit/grpc');
  const { ECHO_SERVICE } = require('./lib/grpc-echo.js');
  const Echo = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
  const payload = Buffer.from('ping');
  let arm = 0;
  return {
    name: 'grpc',
    description:
      'unary call of a grpc-js server in its own process, one client (one HTTP/2 connection), 50 callers',
    async open() {
      // A channel option of its own per arm: no arm reuses another's connection from the global subchannel pool.
      return new Echo(address, grpc.credentials.createInsecure(), {
        'grpc.primary_user_agent': `bench-${arm++}`,
      });
    },
    audit: (client, auditor) => auditClient(client, { name: 'bench grpc', auditor }),
    op: (client) => () =>
      new Promise((resolve, reject) =>
        client.echo(payload, (err, res) => (err ? reject(err) : resolve(res))),
      ),
    async close(client) {
      client.close();
    },
    detach: (client) => detachClient(client),
  };
}

/** One arm: open (and audit), warm up, measure, then shut down (and detach). */
async function arm(workload, audited, o, createAuditor) {
  const pool = await workload.open();
  let auditor;
  if (audited) {
    auditor = createAuditor({ logger: { info() {}, warn() {} } });
    workload.audit(pool, auditor);
  }
  try {
    if (workload.ready) await workload.ready(pool);
    const op = workload.op(pool);
    // No forced GC here: a full collection shrinks V8's young generation, and the measured arm would then
    // run with far more scavenges than the pool would ever see in production.
    await drive(op, o.concurrency, o.warmupMs, false);
    const result = await drive(op, o.concurrency, o.roundMs, true);
    if (auditor) result.recorded = recorded(auditor);
    return result;
  } finally {
    await workload.close(pool);
    if (audited) workload.detach(pool);
  }
}

function nodeRedisWorkload({ redis: server }) {
  const { createClient } = require('redis');
  const { auditClient, detach } = require('@poolaudit/redis');
  return {
    name: 'node-redis',
    description: 'GET of an absent key, one node-redis client, 50 callers',
    async open() {
      return createClient({ socket: { host: server.host, port: server.port } });
    },
    audit: (client, auditor) => auditClient(client, { name: 'bench node-redis', auditor }),
    async ready(client) {
      await client.connect();
    },
    op: (client) => () => client.get('poolaudit:bench:absent'),
    async close(client) {
      await client.close();
    },
    detach: (client) => detach(client),
  };
}

function nodeRedisPoolWorkload({ redis: server }) {
  const { createClientPool } = require('redis');
  const { auditPool, detach } = require('@poolaudit/redis');
  // Created at the start of the round: minimum 10 so that the 50 callers are served by the same clients all round.
  const poolOptions = { minimum: 10, maximum: 10 };
  return {
    name: 'node-redis-pool',
    description: 'GET of an absent key through createClientPool() of 10, 50 callers',
    async open() {
      return createClientPool({ socket: { host: server.host, port: server.port } }, poolOptions);
    },
    audit: (pool, auditor) => auditPool(pool, { name: 'bench node-redis-pool', auditor, poolOptions }),
    async ready(pool) {
      await pool.connect();
    },
    op: (pool) => () => pool.get('poolaudit:bench:absent'),
    async close(pool) {
      await pool.close();
    },
    detach: (pool) => detach(pool),
  };
}

/** Every workload by adapter name, and the servers (`bench/lib/servers.js`) each needs. */
const WORKLOADS = {
  mysql2: { make: mysql2Workload, needs: ['mysql'] },
  pg: { make: pgWorkload, needs: ['postgres'] },
  knex: { make: knexWorkload, needs: ['mysql'] },
  ioredis: { make: ioredisWorkload, needs: ['redis'] },
  'node-redis': { make: nodeRedisWorkload, needs: ['redis'] },
  'node-redis-pool': { make: nodeRedisPoolWorkload, needs: ['redis'] },
  undici: { make: undiciWorkload, needs: ['http'] },
  http: { make: httpAgentWorkload, needs: ['http'] },
  'generic-pool': { make: genericPoolWorkload, needs: [] },
  server: { make: serverWorkload, needs: [] },
  grpc: { make: grpcWorkload, needs: ['grpc'] },
};

/** The servers the named adapters need. */
function serversNeeded(names) {
  return [...new Set(names.flatMap((name) => WORKLOADS[name]?.needs ?? []))];
}

/**
 * Runs every selected adapter. `o`: rounds, roundMs, warmupMs, concurrency, adapters (names), servers (from
 * `startServers`), progress(line). Per adapter: every round's raw and audited figures, and the audited/raw
 * ratios' median with a 95% bootstrap interval over the rounds.
 */
async function runAdapters(o) {
  const { createAuditor } = require('@poolaudit/core');
  const results = [];
  for (const name of o.adapters) {
    let workload;
    try {
      workload = WORKLOADS[name].make(o.servers);
    } catch (err) {
      results.push({ adapter: name, error: `could not load: ${err.message}` });
      continue;
    }
    try {
      results.push(await runOne(workload, o, createAuditor));
    } catch (err) {
      o.progress(`${name}: failed: ${err.stack ?? err}`);
      results.push({ adapter: name, error: String(err.message ?? err) });
    }
  }
  return results;
}

async function runOne(workload, o, createAuditor) {
  o.progress(`${workload.name}: warming up both arms`);
  // One unmeasured pass through each arm first, so that both are compiled before round 1.
  await arm(workload, false, { ...o, roundMs: o.warmupMs }, createAuditor);
  await arm(workload, true, { ...o, roundMs: o.warmupMs }, createAuditor);
  const rounds = [];
  for (let r = 0; r < o.rounds; r++) {
    const auditedFirst = r % 2 === 1;
    const order = auditedFirst ? [true, false] : [false, true];
    const round = { round: r + 1, first: auditedFirst ? 'audited' : 'raw' };
    for (const audited of order) {
      round[audited ? 'audited' : 'raw'] = await arm(workload, audited, o, createAuditor);
    }
    round.throughputRatio = round.audited.opsPerSec / round.raw.opsPerSec;
    round.p99Ratio = round.audited.p99Ms / round.raw.p99Ms;
    round.cpuRatio = round.audited.cpuUsPerOp / round.raw.cpuUsPerOp;
    o.progress(
      `${workload.name} round ${r + 1}/${o.rounds}: raw ${Math.round(round.raw.opsPerSec)} ops/s ` +
        `p99 ${round.raw.p99Ms.toFixed(3)} ms, audited ${Math.round(round.audited.opsPerSec)} ops/s ` +
        `p99 ${round.audited.p99Ms.toFixed(3)} ms (x${round.throughputRatio.toFixed(3)}, p99 x${round.p99Ratio.toFixed(3)}, ` +
        `cpu/op ${round.raw.cpuUsPerOp.toFixed(2)} -> ${round.audited.cpuUsPerOp.toFixed(2)} µs)`,
    );
    rounds.push(round);
  }
  const of = (pick) => bootstrapMedian(rounds.map(pick));
  const arms = (side) => ({
    opsPerSec: of((r) => r[side].opsPerSec),
    p99Ms: of((r) => r[side].p99Ms),
    p50Ms: of((r) => r[side].p50Ms),
    cpuUsPerOp: of((r) => r[side].cpuUsPerOp),
  });
  return {
    adapter: workload.name,
    workload: workload.description,
    concurrency: o.concurrency,
    roundMs: o.roundMs,
    raw: arms('raw'),
    audited: arms('audited'),
    throughputRatio: of((r) => r.throughputRatio),
    p99Ratio: of((r) => r.p99Ratio),
    cpuRatio: of((r) => r.cpuRatio),
    addedCpuUsPerOp: of((r) => r.audited.cpuUsPerOp - r.raw.cpuUsPerOp),
    rounds,
  };
}

module.exports = { runAdapters, serversNeeded, drive, WORKLOADS };
