import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './kernel-sockets.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** A private `redis-server` on 127.0.0.1, with its own temp dir and no persistence. */
export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** Whether it is running now. */
  readonly running: boolean;
  /** SIGTERM and wait for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for it to exit (no goodbye to the clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same arguments (after stop or kill). */
  restart(): Promise<void>;
  /** Runs `redis-cli` against it; resolves with stdout. */
  cli(...args: string[]): Promise<string>;
  /** Stops it for good and removes its temp dir. */
  close(): Promise<void>;
}

/**
 * Starts a private `redis-server` on a free port: `--save "" --appendonly no` in a temp dir of its own,
 * plus `extraArgs` (`['--timeout', '1']`, `['--cluster-enabled', 'yes', …]`). Resolves once it answers PING.
 * Always `close()` what you start (`stop()`/`kill()` keep the temp dir for `restart()`).
 */
export async function startRedis(extraArgs: readonly string[] = [], port?: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = port ?? (await freePort());
    try {
      const child = await spawnServer(p, dir, extraArgs);
      return serverHandle(p, dir, extraArgs, child);
    } catch (err) {
      lastError = err;
      if (port !== undefined) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function spawnServer(port: number, dir: string, extraArgs: readonly string[]): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--loglevel',
    'warning',
    ...extraArgs,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(() => true);
  const up = await Promise.race([
    exited,
    eventually(async () => (await ping(port)) || child.exitCode !== null, 5000, 25),
  ]);
  if (!up || child.exitCode !== null) {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    throw new Error(`redis-server on port ${port} did not start: ${stderr.trim()}`);
  }
  return child;
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

function serverHandle(
  port: number,
  dir: string,
  extraArgs: readonly string[],
  first: ChildProcess,
): RedisServer {
  let child: ChildProcess | null = first;
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await exited;
  };
  return {
    port,
    dir,
    get running() {
      return child !== null;
    },
    async stop() {
      await halt('SIGTERM');
    },
    async kill() {
      await halt('SIGKILL');
    },
    async restart() {
      await halt('SIGTERM');
      child = await spawnServer(port, dir, extraArgs);
    },
    async close() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    async cli(...args: string[]) {
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
      return stdout;
    },
  };
}

/** Stops servers for good and removes their temp dirs. */
export async function stopAll(servers: readonly RedisServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.close()));
}

/** Three private cluster-mode servers holding all slots, no replicas. */
export interface RedisClusterHandle {
  readonly nodes: readonly RedisServer[];
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

/**
 * A real three-node local Redis Cluster: three private `--cluster-enabled yes` servers (own config file,
 * own bus port), joined with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`; resolves
 * once every node's `CLUSTER INFO` says `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const busPort = await freePort();
      nodes.push(
        await startRedis([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${i}.conf`,
          '--cluster-port',
          String(busPort),
          '--cluster-node-timeout',
          '5000',
        ]),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const ok = await eventually(
      async () => {
        const infos = await Promise.all(nodes.map((n) => n.cli('CLUSTER', 'INFO')));
        return infos.every((info) => info.includes('cluster_state:ok'));
      },
      15_000,
      100,
    );
    if (!ok) throw new Error('the cluster did not reach cluster_state:ok');
  } catch (err) {
    await stopAll(nodes);
    throw err;
  }
  return {
    nodes,
    ports: nodes.map((n) => n.port),
    stop: () => stopAll(nodes),
  };
}

/** A private `redis-server --sentinel` watching one master as `mymaster` (quorum 1). */
export interface SentinelHandle {
  readonly port: number;
  /** The master's name the sentinel monitors. */
  readonly masterName: 'mymaster';
  /** Stops it for good and removes its temp dir. */
  close(): Promise<void>;
}

/**
 * Starts a sentinel on a free port for the master on 127.0.0.1:`masterPort` (its config file, which a
 * sentinel rewrites, lives in a temp dir of its own). Resolves once it answers PING.
 */
export async function startSentinel(masterPort: number): Promise<SentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
      'sentinel down-after-milliseconds mymaster 60000',
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel', '--loglevel', 'warning', '--logfile', ''], {
    stdio: 'ignore',
  });
  const up = await eventually(async () => (await ping(port)) || child.exitCode !== null, 5000, 25);
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!up || child.exitCode !== null) {
    await close();
    throw new Error(`redis-server --sentinel on port ${port} did not start`);
  }
  return { port, masterName: 'mymaster', close };
}
