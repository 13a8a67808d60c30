import { accepts, checkOptions, endpointKey } from '@poolaudit/core';
import type { PoolRegistration } from '@poolaudit/core';
import { mysql2LintRules, mysql2OptionSchema } from '../lint-rules.js';
import { readMysql2Config } from '../read-config.js';
import type { AuditPoolOptions } from '../types.js';
import type { CorePool } from './shapes.js';

const OPTIONS = {
  name: accepts.nonEmptyString,
  auditor: accepts.auditor,
  createOptions: accepts.object('the options object given to createPool()'),
};

/** `auditPool()`'s options, checked: bad ones throw at once, naming the option and the value. */
export function checkAuditPoolOptions(options: unknown): AuditPoolOptions {
  return checkOptions<AuditPoolOptions>('auditPool()', options, OPTIONS);
}

/** `mysql2 <host>:<port>/<database>`, or `mysql2 <socketPath>/<database>` over a unix socket. */
export function defaultPoolName(pool: CorePool): string {
  const c = pool.config.connectionConfig;
  const where = c.socketPath ?? endpointKey(c.host ?? 'localhost', c.port ?? 3306);
  return c.database ? `mysql2 ${where}/${c.database}` : `mysql2 ${where}`;
}

/** What the auditor learns about a callback pool: its settings, normalized and as mysql2 holds them. */
export function poolRegistration(
  pool: CorePool,
  name: string,
  createOptions?: Readonly<Record<string, unknown>>,
): PoolRegistration {
  const { config, settings } = readMysql2Config(pool.config);
  const c = pool.config;
  const cc = c.connectionConfig;
  return {
    name,
    kind: 'mysql2',
    config,
    settings,
    // The resolved options that matter to pooling; never the password or TLS material.
    rawConfig: {
      host: cc.host,
      port: cc.port,
      socketPath: cc.socketPath,
      database: cc.database,
      user: cc.user,
      connectionLimit: c.connectionLimit,
      maxIdle: c.maxIdle,
      idleTimeout: c.idleTimeout,
      queueLimit: c.queueLimit,
      waitForConnections: c.waitForConnections,
      resetOnRelease: c.resetOnRelease,
      enableKeepAlive: cc.enableKeepAlive,
      keepAliveInitialDelay: cc.keepAliveInitialDelay,
      gracefulEnd: cc.gracefulEnd,
      connectTimeout: cc.connectTimeout,
      ssl: cc.ssl !== undefined && cc.ssl !== null,
    },
    readPending: () => pool._connectionQueue.length,
    lintRules: mysql2LintRules,
    ...(createOptions ? { optionCheck: { options: createOptions, schema: mysql2OptionSchema } } : {}),
    probeServer: () => readServerSettings(pool),
  };
}

/** What the startup lint's server probe needs of a pool: one query. */
interface Queryable {
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): unknown;
}

/** The server's own idle timeout and connection cap, for the startup lint's cross-checks (one read-only query). */
function readServerSettings(pool: CorePool): Promise<Record<string, number>> {
  const queryable = pool as unknown as Queryable;
  return new Promise((resolve, reject) => {
    queryable.query(
      'SELECT @@wait_timeout AS waitTimeout, @@max_connections AS maxConnections',
      (err, rows) => {
        if (err) {
          reject(err);
          return;
        }
        const row = (rows as { waitTimeout?: unknown; maxConnections?: unknown }[])[0];
        resolve({
          serverIdleTimeoutMs: Number(row?.waitTimeout) * 1000,
          serverMaxConnections: Number(row?.maxConnections),
        });
      },
    );
  });
}
