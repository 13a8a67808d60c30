'use strict';
/**
 * The servers the adapter workloads talk to, for the benchmark alone: a private MariaDB, PostgreSQL and Redis
 * (own temp dir, own free port on 127.0.0.1), and the HTTP server of `bench/http-server.js`, each pinned to
 * one core with `taskset` while the bench process runs on the other. Servers and bench then do not take
 * turns on the same core, which is most of what spread the audited/raw ratios of one run.
 *
 * With fewer than two cores, or without `taskset`, nothing is pinned (the result says so). `--shared-servers`
 * uses the machine's MariaDB (127.0.0.1:3306), PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) instead.
 */
const { execFile, execFileSync, fork, spawn } = require('node:child_process');
const { once } = require('node:events');
const { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');

const run = promisify(execFile);
const LOOPBACK = '127.0.0.1';

function hasTaskset() {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The cores to use: servers on one, the bench on another (the last two cores the process may run on), or
 * `null` when pinning is not possible here.
 */
function pinningPlan() {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  if (cores < 2 || process.platform !== 'linux' || !hasTaskset()) return null;
  return { serverCore: cores - 2, benchCore: cores - 1 };
}

/** Pins every thread of process `pid` to `core`. */
function pin(pid, core) {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

/** `command args…`, started under `taskset -c core` when a core is given. */
function spawnPinned(core, command, args, options) {
  if (core === undefined) return spawn(command, args, options);
  return spawn('taskset', ['-c', String(core), command, ...args], options);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts a TCP connection on `port`, or rejects after `timeoutMs`. */
async function waitForPort(port, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, LOOPBACK);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing accepted connections on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function startMariaDb(core, dir) {
  const dataDir = join(dir, 'mariadb');
  await run(
    'mariadb-install-db',
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ],
    { timeout: 120_000 },
  );
  const port = await freePort();
  const socketPath = join(dir, 'mysqld.sock');
  const child = spawnPinned(
    core,
    'mariadbd',
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socketPath}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'mariadb-error.log')}`,
      '--skip-log-bin',
      '--skip-name-resolve',
      '--max-connections=300',
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 30_000, child);
  await run('mariadb', [
    '--no-defaults',
    `--socket=${socketPath}`,
    '-uroot',
    '-e',
    'CREATE DATABASE IF NOT EXISTS test',
  ]);
  return { child, host: LOOPBACK, port };
}

async function startRedis(core, dir) {
  const port = await freePort();
  const child = spawnPinned(
    core,
    'redis-server',
    ['--port', String(port), '--bind', LOOPBACK, '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 15_000, child);
  return { child, host: LOOPBACK, port };
}

/** Where Debian puts PostgreSQL's server binaries (initdb and pg_ctl are not on PATH). */
function postgresBinDir() {
  const dirs = execFileSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .filter(Boolean);
  if (dirs.length === 0)
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin');
  return dirs[dirs.length - 1];
}

/**
 * A private PostgreSQL (initdb + pg_ctl in the temp dir, trust auth, own port). PostgreSQL refuses to run as
 * root: as root it runs as the `postgres` user. The postmaster is pinned once it runs; the backends it forks
 * inherit the core.
 */
async function startPostgres(core) {
  const bin = postgresBinDir();
  // A temp dir of its own: the `postgres` user cannot enter the bench's (mode 0700, root's).
  const home = mkdtempSync(join(os.tmpdir(), 'poolaudit-bench-pg-'));
  const data = join(home, 'data');
  const asRoot = process.getuid?.() === 0;
  const asPostgres = (command, args) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(home, uid, gid);
  }
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '${LOOPBACK}'`,
      `unix_socket_directories = '${home}'`,
      'fsync = off',
      'max_connections = 300',
      '',
    ].join('\n'),
  );
  const pgCtl = (args) =>
    asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', join(home, 'server.log'), '-w', ...args]);
  await pgCtl(['start']);
  if (core !== undefined)
    pin(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), core);
  return {
    host: LOOPBACK,
    port,
    user: 'postgres',
    database: 'postgres',
    async stop() {
      try {
        await pgCtl(['stop', '-m', 'fast']);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  };
}

/** A server script of `bench/` in a child process that sends `{ port }` over IPC once it listens. */
async function startChildServer(script, core) {
  const child = fork(join(__dirname, '..', script), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  if (core !== undefined) pin(child.pid, core);
  const [message] = await once(child, 'message');
  return {
    child,
    port: message.port,
    async stop() {
      const exited = once(child, 'exit');
      child.disconnect();
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts what `needs` names (`mysql`, `redis`, `postgres`, `http`, `grpc`) and pins this process to the bench core. Resolves with
 * the endpoints, a description for the result, and `stop()`.
 */
async function startServers(needs, { shared = false, progress = () => undefined } = {}) {
  const plan = pinningPlan();
  const serverCore = plan?.serverCore;
  if (plan) pin(process.pid, plan.benchCore);
  const dir = mkdtempSync(join(os.tmpdir(), 'poolaudit-bench-servers-'));
  const started = [];
  const children = [];
  const servers = {
    pinning: plan
      ? `servers on core ${plan.serverCore}, bench on core ${plan.benchCore} (taskset)`
      : 'none (fewer than 2 cores or no taskset)',
    private: !shared,
  };
  try {
    if (needs.includes('mysql')) {
      if (shared) servers.mysql = { host: LOOPBACK, port: 3306 };
      else {
        progress('starting a private MariaDB');
        const m = await startMariaDb(serverCore, dir);
        started.push(m.child);
        servers.mysql = { host: m.host, port: m.port };
      }
    }
    if (needs.includes('redis')) {
      if (shared) servers.redis = { host: LOOPBACK, port: 6379 };
      else {
        const r = await startRedis(serverCore, dir);
        started.push(r.child);
        servers.redis = { host: r.host, port: r.port };
      }
    }
    if (needs.includes('postgres')) {
      if (shared) servers.postgres = { host: LOOPBACK, port: 5432, user: 'root', database: 'test' };
      else {
        progress('starting a private PostgreSQL');
        const pg = await startPostgres(serverCore);
        children.push(pg);
        servers.postgres = { host: pg.host, port: pg.port, user: pg.user, database: pg.database };
      }
    }
    if (needs.includes('http')) {
      const http = await startChildServer('http-server.js', serverCore);
      children.push(http);
      servers.http = { origin: `http://${LOOPBACK}:${http.port}` };
    }
    if (needs.includes('grpc')) {
      const grpc = await startChildServer('grpc-server.js', serverCore);
      children.push(grpc);
      servers.grpc = { address: `${LOOPBACK}:${grpc.port}` };
    }
    return {
      servers,
      async stop() {
        for (const child of children) await child.stop();
        for (const child of started) await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const child of children) await child.stop();
    for (const child of started) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

module.exports = { startServers, pinningPlan };
