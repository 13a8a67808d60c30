import { accepts, checkOptions, endpointKey } from '@poolaudit/core';
import type { PoolRegistration } from '@poolaudit/core';
import { pgLintRules, pgOptionSchema } from '../lint-rules.js';
import { readPgConfig } from '../read-config.js';
import type { AuditPoolOptions } from '../types.js';
import type { PgPool } from './shapes.js';

const OPTIONS = { name: accepts.nonEmptyString, auditor: accepts.auditor };

/** `auditPool()`'s options, checked: bad ones throw at once, naming the option and the value. */
export function checkAuditPoolOptions(options: unknown): AuditPoolOptions {
  return checkOptions<AuditPoolOptions>('auditPool()', options, OPTIONS);
}

/** Where the pool connects, as pg resolves it: the options, else `connectionString`, else PG* variables. */
function target(pool: PgPool): {
  host: string;
  port: number;
  database: string | undefined;
  user: string | undefined;
} {
  const o = pool.options;
  let url: URL | undefined;
  if (typeof o['connectionString'] === 'string') {
    try {
      url = new URL(o['connectionString']);
    } catch {
      url = undefined;
    }
  }
  const host = stringOf(o['host']) ?? (url?.hostname || undefined) ?? process.env['PGHOST'] ?? 'localhost';
  const port = Number(o['port'] ?? (url?.port || undefined) ?? process.env['PGPORT'] ?? 5432) || 5432;
  const database =
    stringOf(o['database']) ??
    (url && url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined) ??
    process.env['PGDATABASE'];
  const user =
    stringOf(o['user']) ??
    stringOf(url && decodeURIComponent(url.username)) ??
    stringOf(process.env['PGUSER']);
  return { host, port, database, user };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `pg <user>@<host>:<port>/<database>` (`<socket dir>:<port>` over a unix socket); never the password. */
export function defaultPoolName(pool: PgPool): string {
  const { host, port, database, user } = target(pool);
  const where = host.startsWith('/') ? `${host}:${port}` : endpointKey(host, port);
  return `pg ${user === undefined ? '' : `${user}@`}${where}${database === undefined ? '' : `/${database}`}`;
}

/** What the auditor learns about a pool: its settings, normalized and as pg-pool holds them. */
export function poolRegistration(pool: PgPool, name: string): PoolRegistration {
  const { config, settings } = readPgConfig(pool.options);
  const o = pool.options;
  const { host, port, database } = target(pool);
  return {
    name,
    kind: 'pg',
    config,
    settings,
    // The resolved options that matter to pooling; never the password, the connection string or TLS material.
    rawConfig: {
      host,
      port,
      database,
      user: o['user'],
      max: o.max,
      min: o.min,
      idleTimeoutMillis: o.idleTimeoutMillis,
      maxLifetimeSeconds: o.maxLifetimeSeconds,
      maxUses: o.maxUses,
      connectionTimeoutMillis: o.connectionTimeoutMillis,
      allowExitOnIdle: o['allowExitOnIdle'],
      keepAlive: o['keepAlive'],
      keepAliveInitialDelayMillis: o['keepAliveInitialDelayMillis'],
      ssl: o['ssl'] !== undefined && o['ssl'] !== false,
    },
    readPending: () => pool._pendingQueue.length,
    lintRules: pgLintRules,
    // pg-pool keeps every option it is given (`pool.options`): a typo is still there to be seen.
    optionCheck: { options: pool.options, schema: pgOptionSchema },
    probeServer: () => readServerSettings(pool),
  };
}

/** The pg_settings the lint rules check, by name. */
const SERVER_SETTINGS: Readonly<Record<string, string>> = {
  max_connections: 'serverMaxConnections',
  superuser_reserved_connections: 'serverReservedConnections',
  idle_session_timeout: 'serverIdleTimeoutMs',
  idle_in_transaction_session_timeout: 'serverIdleInTransactionTimeoutMs',
};

/** The server's connection cap and idle timeouts, for the startup lint's cross-checks (one read-only query). */
export function readServerSettings(pool: PgPool): Promise<Record<string, number>> {
  const names = Object.keys(SERVER_SETTINGS)
    .map((n) => `'${n}'`)
    .join(', ');
  return new Promise((resolve, reject) => {
    // idle_session_timeout is PostgreSQL 14+; an older server simply has no row for it.
    pool.query(`SELECT name, setting FROM pg_settings WHERE name IN (${names})`, (err, result) => {
      if (err || !result) {
        reject(err ?? new Error('no result'));
        return;
      }
      const facts: Record<string, number> = {};
      for (const row of result.rows) {
        const fact = SERVER_SETTINGS[String(row['name'])];
        const value = Number(row['setting']);
        if (fact !== undefined && Number.isFinite(value)) facts[fact] = value;
      }
      resolve(facts);
    });
  });
}
