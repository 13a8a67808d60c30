import { numberOption } from '@poolaudit/core';
import type { LintRule, LintSubject, OptionSchema } from '@poolaudit/core';

/** mysql2's defaults (`lib/pool_config.js`): connectionLimit 10, maxIdle = connectionLimit, idleTimeout 60 s, queueLimit 0. */
function limits(options: LintSubject['options']) {
  const connectionLimit = numberOption(options, 'connectionLimit') ?? 10;
  const maxIdle = numberOption(options, 'maxIdle') ?? connectionLimit;
  const idleTimeout = numberOption(options, 'idleTimeout') ?? 60_000;
  return { connectionLimit, maxIdle, idleTimeout };
}

const maxIdleBelowLimit: LintRule = {
  id: 'mysql2/max-idle-below-limit',
  kind: 'mysql2',
  severity: 'warning',
  description:
    'maxIdle below connectionLimit: after every burst the pool destroys what exceeds maxIdle within a second and dials again.',
  check({ options }) {
    const { connectionLimit, maxIdle } = limits(options);
    if (connectionLimit === 0 || !(maxIdle < connectionLimit)) return undefined;
    return {
      message:
        `maxIdle=${maxIdle} is below connectionLimit=${connectionLimit}: mysql2's reaper destroys free connections ` +
        `above ${maxIdle} every second, so concurrency above ${maxIdle} re-dials after each burst and every close ` +
        `leaves a TIME_WAIT socket here.`,
      evidence: { maxIdle, connectionLimit },
      fix: `Set maxIdle to the real peak concurrency (at most connectionLimit=${connectionLimit}); the audit's max-idle-churn finding names the observed peak.`,
    };
  },
};

const idleTimeoutInert: LintRule = {
  id: 'mysql2/idle-timeout-inert',
  kind: 'mysql2',
  severity: 'info',
  description: 'idleTimeout has no effect unless maxIdle < connectionLimit: the reaper is never started.',
  check({ options }) {
    if (options['idleTimeout'] === undefined) return undefined;
    const { connectionLimit, maxIdle, idleTimeout } = limits(options);
    if (connectionLimit === 0 || maxIdle < connectionLimit) return undefined;
    return {
      message:
        `idleTimeout=${idleTimeout} is never enforced: mysql2 starts its idle reaper only when maxIdle < ` +
        `connectionLimit (lib/base/pool.js), so idle connections stay open until the server's wait_timeout closes them.`,
      evidence: { idleTimeout, maxIdle, connectionLimit },
      fix: `Drop idleTimeout, or set maxIdle below connectionLimit if idle connections must be released (knowing it churns under bursts).`,
    };
  },
};

const unlimitedConnections: LintRule = {
  id: 'mysql2/unlimited-connections',
  kind: 'mysql2',
  severity: 'warning',
  description: 'connectionLimit 0 lets the pool open connections without bound.',
  check({ options }) {
    if (numberOption(options, 'connectionLimit') !== 0) return undefined;
    return {
      message:
        'connectionLimit=0 is unlimited: a burst opens as many connections as callers, up to the server max_connections.',
      evidence: { connectionLimit: 0 },
      fix: 'Set connectionLimit to what the server can take divided by the number of service instances.',
    };
  },
};

const unboundedQueue: LintRule = {
  id: 'mysql2/unbounded-queue',
  kind: 'mysql2',
  severity: 'info',
  description: 'queueLimit 0 (the default) queues acquires without bound and without a timeout.',
  check({ options }) {
    const queueLimit = numberOption(options, 'queueLimit') ?? 0;
    if (queueLimit !== 0 || options['waitForConnections'] === false) return undefined;
    return {
      message:
        'queueLimit=0: when the pool is saturated, callers queue without bound and mysql2 has no acquire timeout.',
      evidence: { queueLimit },
      fix: 'Set queueLimit to a bound you can serve (e.g. 10 × connectionLimit) so saturation fails fast instead of piling up.',
    };
  },
};

const waitTimeoutShorter: LintRule = {
  id: 'mysql2/server-wait-timeout-shorter',
  kind: 'mysql2',
  severity: 'warning',
  description:
    "The server's wait_timeout is shorter than the time the pool keeps idle connections: the server closes first.",
  check({ options, facts }) {
    const server = facts['serverIdleTimeoutMs'];
    if (typeof server !== 'number') return undefined;
    const { connectionLimit, maxIdle, idleTimeout } = limits(options);
    const reaperOn = connectionLimit !== 0 && maxIdle < connectionLimit;
    // With the reaper off idle connections live until the server ends them; mysql2 drops those from its free
    // list on their 'end', so only a server timeout short enough to bite in ordinary quiet periods matters.
    if (reaperOn ? idleTimeout < server : server >= 3_600_000) return undefined;
    return {
      message:
        `The server closes connections idle for ${server / 1000}s (wait_timeout) but the pool keeps them ` +
        (reaperOn ? `${idleTimeout / 1000}s` : 'forever (its idle reaper is off)') +
        `: idle connections die server-side and the next query on one fails or re-dials.`,
      evidence: { serverWaitTimeoutMs: server, idleTimeout, reaperOn },
      fix: reaperOn
        ? `Set idleTimeout below ${server} ms.`
        : `Raise the server's wait_timeout above your longest quiet period, or enable the reaper (maxIdle < connectionLimit) with idleTimeout below ${server} ms.`,
    };
  },
};

const maxConnections: LintRule = {
  id: 'mysql2/max-connections-exceeded',
  kind: 'mysql2',
  severity: 'error',
  description: "connectionLimit × instances above the server's max_connections: connects fail under load.",
  check({ options, facts }) {
    const server = facts['serverMaxConnections'];
    if (typeof server !== 'number') return undefined;
    const instances = typeof facts['instances'] === 'number' ? facts['instances'] : 1;
    const { connectionLimit } = limits(options);
    const demand = connectionLimit === 0 ? Infinity : connectionLimit * instances;
    if (demand <= server) return undefined;
    return {
      message: `connectionLimit ${connectionLimit === 0 ? 'unlimited' : connectionLimit} × ${instances} instance(s) can ask for more connections than the server's max_connections=${server}.`,
      evidence: { connectionLimit, instances, serverMaxConnections: server },
      fix: `Keep connectionLimit × instances at or below ${server} (connectionLimit ≤ ${Math.floor(server / instances)}).`,
    };
  },
};

/** Startup-lint rules for mysql2 pools. */
export const mysql2LintRules: readonly LintRule[] = [
  maxIdleBelowLimit,
  idleTimeoutInert,
  unlimitedConnections,
  unboundedQueue,
  waitTimeoutShorter,
  maxConnections,
];

/** mysql2 pool and connection options (typings `Pool.d.ts`, `Connection.d.ts`), for config-file checks. */
export const mysql2OptionSchema: OptionSchema = {
  connectionLimit: ['number'],
  maxIdle: ['number'],
  idleTimeout: ['number'],
  queueLimit: ['number'],
  waitForConnections: ['boolean'],
  resetOnRelease: ['boolean'],
  enableKeepAlive: ['boolean'],
  keepAliveInitialDelay: ['number'],
  gracefulEnd: ['boolean'],
  host: ['string'],
  port: ['number'],
  user: ['string'],
  password: ['string'],
  database: ['string'],
  uri: ['string'],
  socketPath: ['string'],
  localAddress: ['string'],
  connectTimeout: ['number'],
  charset: ['string'],
  timezone: ['string'],
  ssl: ['string', 'object'],
  multipleStatements: ['boolean'],
  namedPlaceholders: ['boolean'],
  decimalNumbers: ['boolean'],
  supportBigNumbers: ['boolean'],
  bigNumberStrings: ['boolean'],
  dateStrings: ['boolean', 'array'],
  rowsAsArray: ['boolean'],
  compress: ['boolean'],
  maxPreparedStatements: ['number'],
  connectAttributes: ['object'],
  flags: ['array'],
  debug: ['boolean'],
  trace: ['boolean'],
  insecureAuth: ['boolean'],
  typeCast: ['boolean', 'function'],
  nestTables: ['boolean', 'string'],
  jsonStrings: ['boolean'],
  disableEval: ['boolean'],
  enableCleartextPlugin: ['boolean'],
};
