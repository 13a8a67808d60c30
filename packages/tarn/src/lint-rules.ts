import { numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';
import { TARN_DEFAULTS } from './read-config.js';

/**
 * Every option `new Pool()` accepts (tarn 3.1: `allowedKeys` in `src/Pool.ts`), plus those knex reads from its
 * own `pool: { … }` before handing the rest to tarn (`afterCreate`, `maxConnectionLifetimeMillis`,
 * `maxConnectionLifetimeJitterMillis`): lets a config-file linter reject typos.
 */
export const tarnOptionSchema: OptionSchema = {
  create: ['function'],
  destroy: ['function'],
  validate: ['function'],
  log: ['function'],
  min: ['number'],
  max: ['number'],
  acquireTimeoutMillis: ['number'],
  createTimeoutMillis: ['number'],
  destroyTimeoutMillis: ['number'],
  idleTimeoutMillis: ['number'],
  reapIntervalMillis: ['number'],
  createRetryIntervalMillis: ['number'],
  propagateCreateError: ['boolean'],
  afterCreate: ['function'],
  maxConnectionLifetimeMillis: ['number'],
  maxConnectionLifetimeJitterMillis: ['number'],
};

/** Below this an idle timeout closes connections between ordinary bursts of traffic (ms). */
const SHORT_IDLE_MS = 10_000;

/** A short `idleTimeoutMillis` with `min: 0`: every quiet spell closes the pool's connections. */
const shortIdleTimeout: LintRule = {
  id: 'tarn/short-idle-timeout',
  kind: 'tarn',
  severity: 'warning',
  description:
    'idleTimeoutMillis under 10 s with min 0: connections idle between requests are reaped and dialled again at the next one.',
  check({ options }) {
    const idle = numberOption(options, 'idleTimeoutMillis') ?? TARN_DEFAULTS.idleTimeoutMillis;
    const min = numberOption(options, 'min') ?? 0;
    if (idle <= 0 || idle >= SHORT_IDLE_MS || min > 0) return undefined;
    return {
      message:
        `idleTimeoutMillis is ${idle} ms and min is 0: a connection idle for ${idle / 1000} s is destroyed at ` +
        `the next reap (every reapIntervalMillis, 1 s by default) and the next query dials a new one, each ` +
        `close leaving a TIME_WAIT socket on this host.`,
      evidence: { idleTimeoutMillis: idle, min },
      fix:
        `Raise idleTimeoutMillis above the longest usual gap between queries (tarn's default is ` +
        `${TARN_DEFAULTS.idleTimeoutMillis / 1000} s), and below the server's own idle timeout.`,
    };
  },
};

/** An acquire that gives up before a create can finish: a slow connect fails the query instead of waiting. */
const acquireBelowCreate: LintRule = {
  id: 'tarn/acquire-timeout-below-create-timeout',
  kind: 'tarn',
  severity: 'warning',
  description:
    'acquireTimeoutMillis below createTimeoutMillis: an acquire waiting for a new connection fails before the connect is given up.',
  check({ options }) {
    const acquire = numberOption(options, 'acquireTimeoutMillis') ?? TARN_DEFAULTS.acquireTimeoutMillis;
    const create = numberOption(options, 'createTimeoutMillis') ?? TARN_DEFAULTS.createTimeoutMillis;
    if (acquire <= 0 || create <= 0 || acquire >= create) return undefined;
    return {
      message:
        `acquireTimeoutMillis (${acquire} ms) is below createTimeoutMillis (${create} ms): when the pool has ` +
        `to connect, the acquire fails with a TimeoutError while the connect may still succeed.`,
      evidence: { acquireTimeoutMillis: acquire, createTimeoutMillis: create },
      fix: `Set acquireTimeoutMillis at least as high as createTimeoutMillis (${create} ms).`,
    };
  },
};

/** The rules `lintPools()` and the CLI run for kind `tarn` (a tarn pool, or knex's `pool` options). */
export const tarnLintRules: readonly LintRule[] = [shortIdleTimeout, acquireBelowCreate];
