import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The shared PostgreSQL (never killed, restarted or reconfigured by tests): trust auth, database `test`. */
export function sharedPgOptions(): { host: string; port: number; user: string; database: string } {
  const url = process.env['POOLAUDIT_PG_URL'];
  if (url !== undefined && url !== '') {
    const u = new URL(url);
    return {
      host: u.hostname,
      port: u.port === '' ? 5432 : Number(u.port),
      user: decodeURIComponent(u.username) || 'root',
      database: u.pathname.replace(/^\//, '') || 'test',
    };
  }
  return { host: '127.0.0.1', port: 5432, user: 'root', database: 'test' };
}

/** A private PostgreSQL on a free loopback port, with its own data dir and socket dir in a temp dir. */
export interface PrivatePostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'postgres';
  readonly database: 'postgres';
  readonly dir: string;
  /** What a `pg.Pool` or `pg.Client` needs to reach it. */
  readonly options: { host: string; port: number; user: string; database: string };
  /** `pg_ctl restart -m fast`: every session gets 57P01 and the server comes back on the same port. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Where Debian puts the server's binaries (initdb and pg_ctl are not on PATH for every version). */
async function binDir(): Promise<string> {
  const { stdout } = await run('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1']);
  const dir = stdout.trim();
  if (dir === '') throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin');
  return dir;
}

/** Runs a server binary as the `postgres` user (PostgreSQL refuses to run as root). */
function asPostgres(bin: string, args: string[]): Promise<{ stdout: string }> {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

/**
 * Starts a private server (`initdb` + `pg_ctl start` in a temp dir, trust auth, own port). `settings` go
 * into its postgresql.conf (`{ idle_session_timeout: '1s' }`), so a test may reconfigure it freely.
 */
export async function startPrivatePostgres(
  settings: Readonly<Record<string, string>> = {},
): Promise<PrivatePostgres> {
  const bin = await binDir();
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'max_connections = 40',
    ...Object.entries(settings).map(([k, v]) => `${k} = '${v}'`),
  ].join('\n');
  writeFileSync(join(data, 'postgresql.auto.conf'), `${conf}\n`);
  const log = join(dir, 'server.log');
  const pgCtl = (args: string[]) =>
    asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', ...args]);
  await pgCtl(['start']);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    dir,
    options: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' },
    async restart() {
      await pgCtl(['restart', '-m', 'fast']);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pgCtl(['stop', '-m', 'immediate']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
