import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The shared MariaDB (never killed, restarted or reconfigured by tests). */
export const SHARED_MYSQL_URL = 'mysql://root@127.0.0.1:3306/test';

/** The shared server's URL: `POOLAUDIT_MYSQL_URL`, or root on 127.0.0.1:3306, database `test`. */
export function sharedMysqlUrl(): string {
  const fromEnv = process.env['POOLAUDIT_MYSQL_URL'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : SHARED_MYSQL_URL;
}

/** `{ host, port, user, password?, database }` of a `mysql://` URL, for libraries that take options. */
export function mysqlOptionsFromUrl(url: string): {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
} {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  return {
    host: u.hostname,
    port: u.port === '' ? 3306 : Number(u.port),
    user: decodeURIComponent(u.username) || 'root',
    ...(password !== '' ? { password } : {}),
    database: u.pathname.replace(/^\//, '') || 'test',
  };
}

/** A private `mariadbd` on a free loopback port, with its own datadir, socket and pid file in a temp dir. */
export interface PrivateMariaDb {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The temp dir holding `data/`, the unix socket, the pid file and `error.log`. */
  readonly dir: string;
  readonly socketPath: string;
  /** `mysql://root@127.0.0.1:<port>/test`. */
  readonly url: string;
  /** The server process id while it runs. */
  readonly pid: number | undefined;
  /** Graceful shutdown (SIGTERM), then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL: the server dies without closing its connections. The datadir stays for `start()`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and datadir (after `kill()` or a stop by `restart()`). */
  start(): Promise<void>;
  /** Graceful shutdown then start on the same port and datadir. */
  restart(): Promise<void>;
  /** The last lines of the server's error log (for failure messages). */
  errorLog(lines?: number): string;
}

const STARTED = new Set<ChildProcess>();
const DIRS = new Set<string>();
let exitHookInstalled = false;

/** Whatever happens to the test, leave no server and no temp dir behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of STARTED) child.kill('SIGKILL');
    for (const dir of DIRS) rmSync(dir, { recursive: true, force: true });
  });
}

export interface StartMariaDbOptions {
  /** `max_connections` of the private server. Default 200. */
  readonly maxConnections?: number;
  /** Extra `mariadbd` arguments (`--wait-timeout=2`, …). */
  readonly args?: readonly string[];
  /** How long the server may take to accept connections (ms). Default 20000. */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a private MariaDB: `mariadb-install-db` into a fresh temp dir, then `mariadbd` on a free
 * 127.0.0.1 port (small buffer pool, no binlog, no name resolution), and creates the `test` database.
 * Always pair with `stop()` (in `afterAll`); a process exit kills whatever is left.
 */
export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<PrivateMariaDb> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-mariadb-'));
  DIRS.add(dir);
  const dataDir = join(dir, 'data');
  const socketPath = join(dir, 'mysqld.sock');
  const pidFile = join(dir, 'mysqld.pid');
  const logFile = join(dir, 'error.log');
  try {
    await run(
      'mariadb-install-db',
      [
        '--no-defaults',
        '--user=root',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        '--innodb-log-file-size=8M',
        '--innodb-buffer-pool-size=8M',
      ],
      { timeout: 60_000 },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    DIRS.delete(dir);
    throw err;
  }

  let port = await freePort();
  let child: ChildProcess | undefined;
  const timeoutMs = options.startTimeoutMs ?? 20_000;

  const args = (): string[] => [
    '--no-defaults',
    '--user=root',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socketPath}`,
    `--pid-file=${pidFile}`,
    `--log-error=${logFile}`,
    '--skip-log-bin',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=8M',
    '--innodb-log-file-size=8M',
    `--max-connections=${options.maxConnections ?? 200}`,
    ...(options.args ?? []),
  ];

  const errorLog = (lines = 20): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no error log)';
    }
  };

  const launch = async (): Promise<void> => {
    const proc = spawn('mariadbd', args(), { stdio: 'ignore' });
    STARTED.add(proc);
    child = proc;
    const exited = once(proc, 'exit').then(() => {
      STARTED.delete(proc);
      return 'exited' as const;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await Promise.race([greets(port), exited]);
      if (ready === true) return;
      if (ready === 'exited') {
        throw new Error(`mariadbd exited before accepting connections on ${port}:\n${errorLog()}`);
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`mariadbd did not accept connections on ${port} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const waitExit = async (proc: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    STARTED.delete(proc);
  };

  // A free port can be taken between the check and the bind: try a few.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (child) await waitExit(child, 'SIGKILL');
      if (attempt >= 2 || !errorLog().includes('Address already in use')) {
        rmSync(dir, { recursive: true, force: true });
        DIRS.delete(dir);
        throw err;
      }
      port = await freePort();
    }
  }
  await run('mariadb', [
    '--no-defaults',
    `--socket=${socketPath}`,
    '-uroot',
    '-e',
    'CREATE DATABASE IF NOT EXISTS test',
  ]);

  let stopped = false;
  const server: PrivateMariaDb = {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    dir,
    socketPath,
    get url() {
      return `mysql://root@127.0.0.1:${port}/test`;
    },
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await waitExit(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      DIRS.delete(dir);
    },
    async kill() {
      if (child) await waitExit(child, 'SIGKILL');
    },
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      await launch();
    },
    async restart() {
      if (child) await waitExit(child, 'SIGTERM');
      await launch();
    },
    errorLog,
  };
  return server;
}

/** Whether a MySQL server greets on `port` (its first packet arrives). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
