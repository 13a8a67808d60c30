import { numberOption } from '@poolaudit/core';
import type { LintRule, LintSubject, OptionSchema } from '@poolaudit/core';

/** pg-pool's defaults (pg-pool/index.js): max 10 (`0` too), min 0, idleTimeoutMillis 10000, maxUses none. */
function settings(options: LintSubject['options']) {
  const max = numberOption(options, 'max') || 10;
  const min = numberOption(options, 'min') || 0;
  const idle = numberOption(options, 'idleTimeoutMillis');
  const idleTimeoutMillis = idle === undefined ? 10_000 : idle || 0;
  const uses = options['maxUses'];
  const maxUses = typeof uses === 'number' && uses > 0 && Number.isFinite(uses) ? uses : Infinity;
  const connectionTimeoutMillis = numberOption(options, 'connectionTimeoutMillis') || 0;
  return { max, min, idleTimeoutMillis, maxUses, connectionTimeoutMillis };
}

/** New connections a second to one `ip:port` at which a 60 s TIME_WAIT uses up the default 28 232 ports. */
const PORTS_PER_SECOND = 470;

const maxConnections: LintRule = {
  id: 'pg/max-connections-exceeded',
  kind: 'pg',
  severity: 'error',
  description:
    "max × instances above the server's max_connections minus superuser_reserved_connections: connects fail under load.",
  check({ options, facts }) {
    const serverMax = facts['serverMaxConnections'];
    if (typeof serverMax !== 'number') return undefined;
    const reserved =
      typeof facts['serverReservedConnections'] === 'number' ? facts['serverReservedConnections'] : 0;
    const available = serverMax - reserved;
    const instances = typeof facts['instances'] === 'number' ? facts['instances'] : 1;
    const { max } = settings(options);
    if (max * instances <= available) return undefined;
    return {
      message:
        `max=${max} × ${instances} instance(s) = ${max * instances} connections, but the server takes ${available} ` +
        `(max_connections=${serverMax} minus superuser_reserved_connections=${reserved}): past that, connects fail ` +
        `with "sorry, too many clients already".`,
      evidence: { max, instances, serverMaxConnections: serverMax, serverReservedConnections: reserved },
      fix: `Keep max × instances at or below ${available} (max ≤ ${Math.max(1, Math.floor(available / instances))}), or put PgBouncer in front.`,
    };
  },
};

const serverIdleShorter: LintRule = {
  id: 'pg/server-idle-session-timeout-shorter',
  kind: 'pg',
  severity: 'warning',
  description:
    "The server's idle_session_timeout ends sessions the pool still keeps idle: the server closes first and the pool emits 'error'.",
  check({ options, facts }) {
    const server = facts['serverIdleTimeoutMs'];
    if (typeof server !== 'number' || server <= 0) return undefined;
    const { idleTimeoutMillis } = settings(options);
    if (idleTimeoutMillis > 0 && idleTimeoutMillis < server) return undefined;
    return {
      message:
        `The server ends sessions idle for ${server} ms (idle_session_timeout) but the pool keeps idle clients ` +
        (idleTimeoutMillis > 0 ? `${idleTimeoutMillis} ms` : 'forever (idleTimeoutMillis=0)') +
        `: each one dies server-side, pg-pool emits 'error' on the pool (an uncaught exception without a ` +
        `listener) and the next acquire dials again.`,
      evidence: { serverIdleSessionTimeoutMs: server, idleTimeoutMillis },
      fix: `Set idleTimeoutMillis below ${server} (e.g. ${Math.max(1, Math.floor(server * 0.8))}).`,
    };
  },
};

const idleInTransaction: LintRule = {
  id: 'pg/idle-in-transaction-timeout',
  kind: 'pg',
  severity: 'info',
  description:
    "The server's idle_in_transaction_session_timeout ends a session held in an open transaction: a leaked client loses its connection.",
  check({ facts }) {
    const server = facts['serverIdleInTransactionTimeoutMs'];
    if (typeof server !== 'number' || server <= 0) return undefined;
    return {
      message:
        `The server ends a session idle inside a transaction after ${server} ms (idle_in_transaction_session_timeout): ` +
        `a client checked out and forgotten in a transaction is closed by the server, and its next query fails.`,
      evidence: { serverIdleInTransactionTimeoutMs: server },
      fix: `Release clients promptly (the audit's leak detection names the holder); keep createAuditor({ leakDetectionThresholdMs }) below ${server}.`,
    };
  },
};

const maxUsesChurn: LintRule = {
  id: 'pg/max-uses-churn',
  kind: 'pg',
  severity: 'info',
  description:
    'maxUses replaces every client after that many acquires: one new connection (and one TIME_WAIT) per maxUses queries.',
  check({ options }) {
    const { maxUses } = settings(options);
    if (maxUses === Infinity) return undefined;
    const limit = maxUses * PORTS_PER_SECOND;
    return {
      message:
        `maxUses=${maxUses}: every ${maxUses} acquires cost a new connection, closed by this side (a TIME_WAIT socket ` +
        `for 60 s). Above ${limit} acquires a second to one server this host runs out of ephemeral ports.`,
      evidence: { maxUses, acquiresPerSecondAtPortLimit: limit },
      fix:
        maxUses < 1000
          ? `Raise maxUses (10000 or more), or use maxLifetimeSeconds to rotate connections by age instead.`
          : `Keep acquires a second below ${limit}, or rotate by age with maxLifetimeSeconds.`,
      ...(maxUses < 100 ? { severity: 'warning' as const } : {}),
    };
  },
};

const minNotWarm: LintRule = {
  id: 'pg/min-not-warm',
  kind: 'pg',
  severity: 'info',
  description: 'min only spares idle clients from idleTimeoutMillis; pg-pool opens none ahead of demand.',
  check({ options }) {
    const { min, max, idleTimeoutMillis } = settings(options);
    if (min <= 0) return undefined;
    if (min >= max) {
      return {
        message: `min=${min} is not below max=${max}: the idle timer never closes a client, so idleTimeoutMillis=${idleTimeoutMillis} does nothing.`,
        evidence: { min, max, idleTimeoutMillis },
        fix: `Set min below max, or drop idleTimeoutMillis.`,
        severity: 'warning',
      };
    }
    return {
      message:
        `min=${min}: pg-pool does not open ${min} clients at start; it only keeps the idle timer ` +
        `(idleTimeoutMillis=${idleTimeoutMillis}) from closing clients while ${min} or fewer exist.`,
      evidence: { min, max, idleTimeoutMillis },
      fix: `Warm the pool yourself at startup (acquire and release ${min} clients) if the first requests must not dial.`,
    };
  },
};

const noConnectionTimeout: LintRule = {
  id: 'pg/no-connection-timeout',
  kind: 'pg',
  severity: 'warning',
  description:
    'connectionTimeoutMillis 0 (the default): an acquire waits forever when the pool is saturated or the server is down.',
  check({ options }) {
    if (settings(options).connectionTimeoutMillis > 0) return undefined;
    return {
      message:
        'connectionTimeoutMillis is 0 (the default): when all clients are busy, or the server does not answer, ' +
        'pool.connect() and pool.query() wait without limit, and requests pile up behind them.',
      evidence: { connectionTimeoutMillis: 0 },
      fix: 'Set connectionTimeoutMillis to what a request can afford to wait (e.g. 5000).',
    };
  },
};

const allowExitOnIdle: LintRule = {
  id: 'pg/allow-exit-on-idle',
  kind: 'pg',
  severity: 'info',
  description:
    'allowExitOnIdle unrefs idle clients and their timers: meant for scripts, not for a long-running service.',
  check({ options }) {
    if (options['allowExitOnIdle'] !== true) return undefined;
    return {
      message:
        'allowExitOnIdle=true: idle clients and their idle timers no longer keep the process alive, so a service ' +
        'whose only work is a pool query may exit while idle.',
      evidence: { allowExitOnIdle: true },
      fix: 'Drop allowExitOnIdle in services (keep it in scripts and jobs that should exit when done).',
    };
  },
};

/** Startup-lint rules for node-postgres pools. */
export const pgLintRules: readonly LintRule[] = [
  maxConnections,
  serverIdleShorter,
  idleInTransaction,
  maxUsesChurn,
  minNotWarm,
  noConnectionTimeout,
  allowExitOnIdle,
];

/** node-postgres pool and client options (@types/pg `PoolConfig`, `ClientConfig`), for config-file checks. */
export const pgOptionSchema: OptionSchema = {
  max: ['number'],
  min: ['number'],
  idleTimeoutMillis: ['number', 'null'],
  connectionTimeoutMillis: ['number'],
  maxUses: ['number'],
  maxLifetimeSeconds: ['number'],
  allowExitOnIdle: ['boolean'],
  log: ['function'],
  Promise: ['function'],
  Client: ['function'],
  onConnect: ['function'],
  verify: ['function'],
  user: ['string'],
  password: ['string', 'function'],
  database: ['string'],
  port: ['number', 'string'],
  host: ['string'],
  connectionString: ['string'],
  keepAlive: ['boolean'],
  keepAliveInitialDelayMillis: ['number'],
  stream: ['object', 'function'],
  statement_timeout: ['number', 'boolean'],
  query_timeout: ['number'],
  lock_timeout: ['number'],
  idle_in_transaction_session_timeout: ['number'],
  application_name: ['string'],
  fallback_application_name: ['string'],
  ssl: ['boolean', 'object'],
  enableChannelBinding: ['boolean'],
  sslnegotiation: ['string'],
  types: ['object'],
  options: ['string'],
  client_encoding: ['string'],
  pipeline: ['boolean'],
  binary: ['boolean'],
  parseInputDatesAsUTC: ['boolean'],
};
