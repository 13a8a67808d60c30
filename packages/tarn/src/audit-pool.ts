import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions,
  defaultAuditor,
  endpointKey,
  reportAuditFailure,
  resourceSocket,
} from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import { PoolAudit } from './internal/pool-audit.js';
import { isTarnPool, optionsOf } from './internal/pool-internals.js';
import type { PoolInternals } from './internal/pool-internals.js';
import { tarnLintRules } from './lint-rules.js';
import { rawOptionsOf, readTarnConfig } from './read-config.js';
import type { AuditPoolOptions } from './types.js';

const KIND = 'tarn';
const DEFAULT_NAME = 'tarn';
const audits = new WeakMap<object, Audited>();

/**
 * Audits a tarn 3.x pool (`new Pool({ create, destroy, … })`, or knex's, see `auditKnex()`) and returns the
 * same pool, unchanged in type and behaviour. Acquires, waits and acquire timeouts, releases, creates and
 * failed creates, and every destroy by reason (the reaper's `idleTimeoutMillis`, a resource failing
 * validation — for knex, one its driver reported ended, or past `maxConnectionLifetimeMillis` — and the
 * pool's `destroy()`) are recorded in `options.auditor`; each resource's socket tells who closed first.
 *
 * Hooks live on this one instance; `detach(pool)` removes them. Auditing a pool that is already audited
 * returns it as it is, hooked once: a different `name` renames it, any other option that differs is ignored
 * with a warning.
 *
 * @throws UnsupportedPoolError when `pool` is not a tarn 3.x `Pool`.
 * @throws InvalidOptionError when an option is wrong, naming it and its value.
 */
export function auditPool<P extends object>(pool: P, options?: AuditPoolOptions): P {
  if (!isTarnPool(pool)) {
    throw new UnsupportedPoolError('@poolaudit/tarn', 'a tarn 3.x Pool (or knex.client.pool)', pool);
  }
  return audit(pool, checkOptions<AuditPoolOptions>('auditPool()', options, OPTIONS), {
    name: DEFAULT_NAME,
    prefix: '',
    lifetimeMs: null,
  });
}

/**
 * Audits the pool of a knex instance (`knex.client.pool`, a tarn pool) and returns the knex instance. Named
 * `knex <client> <user>@<host>:<port>/<database>` unless `options.name` says otherwise; advice names the
 * options as knex takes them (`pool.idleTimeoutMillis`), and knex's `pool.maxConnectionLifetimeMillis` is the
 * pool's lifetime. A knex instance without a pool of its own (`connectionPool` given a driver's pool) throws
 * `UnsupportedPoolError`: audit that pool with its adapter (`@poolaudit/pg`, `@poolaudit/mysql2`).
 *
 * @throws UnsupportedPoolError when `knex` is not a knex instance with a tarn pool.
 */
export function auditKnex<K extends object>(knex: K, options?: AuditPoolOptions): K {
  const client = (knex as { client?: KnexClient }).client;
  const pool = client?.pool;
  if (client === undefined || !isTarnPool(pool)) {
    throw new UnsupportedPoolError('@poolaudit/tarn', 'a knex instance whose client has a tarn pool', knex);
  }
  const given = checkOptions<AuditPoolOptions>('auditKnex()', options, OPTIONS);
  const lifetime = client.config?.pool?.maxConnectionLifetimeMillis;
  audit(pool, given, {
    name: knexName(client),
    prefix: 'pool.',
    lifetimeMs: typeof lifetime === 'number' && lifetime > 0 ? lifetime : null,
  });
  return knex;
}

/**
 * Stops auditing `pool` (a tarn pool or a knex instance): its methods are put back exactly as they were. What
 * was recorded stays readable in the auditor. Returns false when it was not audited.
 */
export function detach(pool: object): boolean {
  const target = poolOf(pool);
  const audited = audits.get(target);
  if (!audited) return false;
  audits.delete(target);
  audited.audit.detach();
  return true;
}

/** Whether `pool` (a tarn pool or a knex instance) is audited right now. */
export function isAudited(pool: object): boolean {
  return audits.has(poolOf(pool));
}

/** The default name of a knex instance's pool: `knex mysql2 root@127.0.0.1:3306/test` (never a password). */
export function knexName(client: KnexClient): string {
  const driver =
    typeof client.config?.client === 'string' ? client.config.client : (client.dialect ?? 'client');
  const s = client.connectionSettings ?? {};
  const where = knexEndpoint(client) ?? (typeof s.filename === 'string' ? s.filename : 'default');
  const user = typeof s.user === 'string' && s.user !== '' ? `${s.user}@` : '';
  const database = typeof s.database === 'string' && s.database !== '' ? `/${s.database}` : '';
  return `knex ${driver} ${user}${where}${database}`;
}

interface Context {
  readonly name: string;
  readonly prefix: string;
  readonly lifetimeMs: number | null;
}

function audit<P extends object>(
  pool: P & PoolInternals,
  given: Partial<AuditPoolOptions>,
  context: Context,
): P {
  const audited = audits.get(pool);
  if (audited !== undefined) {
    const rename = auditAgain('auditPool()', audited.name, audited.options, given);
    if (rename !== undefined) {
      audited.name = rename;
      audited.probe.rename(rename);
    }
    return pool;
  }
  const name = given.name ?? context.name;
  const auditor = given.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names tarn (or the auditor is disabled): the pool is handed back untouched.
  if (!auditor.audits(KIND)) return pool;
  const options = optionsOf(pool);
  const { config, settings } = readTarnConfig(options, context.prefix, context.lifetimeMs);
  const probe = auditor.register({
    name,
    kind: KIND,
    config,
    rawConfig: rawOptionsOf(options),
    settings,
    readPending: () => pool.numPendingAcquires(),
    lintRules: tarnLintRules,
  });
  const failed = (err: unknown): void => {
    const shown = audits.get(pool)?.name ?? name;
    audits.delete(pool);
    reportAuditFailure(KIND, shown, err);
  };
  const socketOf = given.socketOf ?? resourceSocket;
  const poolAudit = new PoolAudit(pool, probe, socketOf, failed);
  audits.set(pool, { audit: poolAudit, probe, name, options: given });
  try {
    poolAudit.attach();
  } catch (err) {
    poolAudit.detach();
    failed(err);
  }
  return pool;
}

function poolOf(value: object): object {
  const pool = (value as { client?: { pool?: unknown } }).client?.pool;
  return typeof pool === 'object' && pool !== null ? pool : value;
}

function knexEndpoint(client: KnexClient): string | undefined {
  const s = client.connectionSettings ?? {};
  if (typeof s.socketPath === 'string') return s.socketPath;
  const host = typeof s.host === 'string' && s.host !== '' ? s.host : undefined;
  if (host === undefined) return undefined;
  const port = Number(s.port ?? DEFAULT_PORTS[String(client.dialect ?? client.config?.client)] ?? NaN);
  return Number.isInteger(port) ? endpointKey(host, port) : host;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  mysql: 3306,
  mysql2: 3306,
  postgresql: 5432,
  pg: 5432,
  mssql: 1433,
  oracledb: 1521,
};

/** What the adapter reads of a knex client (`lib/client.js`). */
export interface KnexClient {
  readonly pool?: unknown;
  readonly dialect?: string;
  readonly config?: {
    readonly client?: unknown;
    readonly pool?: { readonly maxConnectionLifetimeMillis?: unknown };
  };
  readonly connectionSettings?: Readonly<Record<string, unknown>> & {
    readonly host?: unknown;
    readonly port?: unknown;
    readonly user?: unknown;
    readonly database?: unknown;
    readonly socketPath?: unknown;
    readonly filename?: unknown;
  };
}

/** One audited pool: its hooks, its probe, the name it is reported under and the options it was audited with. */
interface Audited {
  readonly audit: PoolAudit;
  readonly probe: PoolProbe;
  name: string;
  readonly options: Partial<AuditPoolOptions>;
}

const OPTIONS = {
  name: accepts.nonEmptyString,
  auditor: accepts.auditor,
  socketOf: accepts.function('(resource) => net.Socket | undefined'),
};
