import { booleanOption, numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';
import { DEFAULT_IDLE_TIMEOUT_MS, readGenericPoolConfig } from './read-config.js';

/**
 * Every option `createPool(factory, options)` accepts (generic-pool 3.9: `lib/PoolOptions.js`), with the
 * types it may take: lets a config-file linter reject typos.
 */
export const genericPoolOptionSchema: OptionSchema = {
  max: ['number', 'string'],
  min: ['number', 'string'],
  maxWaitingClients: ['number', 'string'],
  testOnBorrow: ['boolean'],
  testOnReturn: ['boolean'],
  acquireTimeoutMillis: ['number', 'string'],
  destroyTimeoutMillis: ['number', 'string'],
  fifo: ['boolean'],
  priorityRange: ['number'],
  autostart: ['boolean'],
  evictionRunIntervalMillis: ['number'],
  numTestsPerEvictionRun: ['number'],
  softIdleTimeoutMillis: ['number'],
  idleTimeoutMillis: ['number'],
  Promise: ['function'],
};

/** `min > 0` with the evictor's hard idle timeout: idle resources are destroyed and re-created at once. */
const minWithHardIdleTimeout: LintRule = {
  id: 'generic-pool/min-with-hard-idle-timeout',
  kind: 'generic-pool',
  severity: 'warning',
  description:
    'idleTimeoutMillis evicts idle resources even below min, and the pool re-creates them at once: a close and a connect per eviction.',
  check({ options }) {
    const { config } = readGenericPoolConfig(options);
    const min = config.minIdle ?? 0;
    const idleTimeoutMs = config.idleTimeoutMs;
    if (min === 0 || idleTimeoutMs == null || !Number.isFinite(idleTimeoutMs)) return undefined;
    const perMinute = Math.round((60_000 / idleTimeoutMs) * min);
    return {
      message:
        `min is ${min} and the evictor runs with idleTimeoutMillis=${idleTimeoutMs}: an idle pool destroys ` +
        `its ${min} resources every ${idleTimeoutMs} ms or so and re-creates them at once (about ` +
        `${perMinute} connects a minute), each close leaving a TIME_WAIT socket on this host.`,
      evidence: { min, idleTimeoutMillis: idleTimeoutMs, connectsPerMinute: perMinute },
      fix:
        `Move the timeout to softIdleTimeoutMillis=${idleTimeoutMs} (it evicts only idle resources above ` +
        `min) and raise idleTimeoutMillis far above it, or set min to 0.`,
    };
  },
};

/** Idle timeouts that never apply because the evictor never runs (generic-pool issue #178). */
const idleTimeoutInert: LintRule = {
  id: 'generic-pool/idle-timeout-inert',
  kind: 'generic-pool',
  severity: 'info',
  description:
    'idleTimeoutMillis and softIdleTimeoutMillis apply only when evictionRunIntervalMillis > 0; by default the evictor never runs.',
  check({ options }) {
    const interval = numberOption(options, 'evictionRunIntervalMillis');
    if (typeof interval === 'number' && interval > 0) return undefined;
    // A pool's parsed options carry the defaults (30000 and -1): only other values were chosen.
    const set: string[] = [];
    const hard = numberOption(options, 'idleTimeoutMillis');
    const soft = numberOption(options, 'softIdleTimeoutMillis');
    if (hard != null && hard !== 0 && hard !== DEFAULT_IDLE_TIMEOUT_MS) set.push('idleTimeoutMillis');
    if (soft != null && soft > 0) set.push('softIdleTimeoutMillis');
    if (set.length === 0) return undefined;
    return {
      message:
        `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set but evictionRunIntervalMillis is ` +
        `${interval ?? 'unset'}: the evictor never runs, so idle resources are never closed by the pool.`,
      evidence: { evictionRunIntervalMillis: interval ?? null, idleTimeoutsSet: set.join(',') },
      fix: 'Set evictionRunIntervalMillis (for example 1000) for the idle timeouts to take effect.',
    };
  },
};

/** `testOnReturn` is parsed but never used by generic-pool 3.x (`lib/Pool.js` has no return-time check). */
const testOnReturnUnused: LintRule = {
  id: 'generic-pool/test-on-return-unused',
  kind: 'generic-pool',
  severity: 'info',
  description: 'testOnReturn has no effect in generic-pool 3.x: resources are not validated on release.',
  check({ options }) {
    if (booleanOption(options, 'testOnReturn') !== true) return undefined;
    return {
      message: 'testOnReturn is true, but generic-pool 3.x never validates a resource when it is released.',
      evidence: { testOnReturn: true },
      fix: 'Use testOnBorrow: true (with factory.validate) to check resources before they are handed out.',
    };
  },
};

/** Without acquireTimeoutMillis an exhausted pool makes callers wait forever. */
const noAcquireTimeout: LintRule = {
  id: 'generic-pool/no-acquire-timeout',
  kind: 'generic-pool',
  severity: 'info',
  description: 'Without acquireTimeoutMillis an acquire waits forever when the pool is exhausted.',
  check({ options }) {
    // Absent in a config file, null in a live pool's parsed options: either way nothing bounds the wait.
    const timeout = numberOption(options, 'acquireTimeoutMillis');
    if (typeof timeout === 'number' && timeout > 0) return undefined;
    return {
      message: 'acquireTimeoutMillis is not set: when every resource is borrowed, acquire() waits forever.',
      evidence: { acquireTimeoutMillis: null },
      fix: 'Set acquireTimeoutMillis (e.g. a few seconds) so saturation surfaces as TimeoutError instead of hanging requests.',
    };
  },
};

/** `min > max` is silently clamped (README: "the pool will silently set the min to equal max"). */
const minAboveMax: LintRule = {
  id: 'generic-pool/min-above-max',
  kind: 'generic-pool',
  severity: 'warning',
  description: 'min > max is silently clamped to max.',
  check({ options }) {
    const max = numberOption(options, 'max') ?? 1;
    const min = numberOption(options, 'min') ?? 0;
    if (!(min > max)) return undefined;
    return {
      message: `min=${min} is above max=${max}; generic-pool silently uses min=${max}.`,
      evidence: { min, max },
      fix: `Set min ≤ max (min=${max} is what runs today).`,
    };
  },
};

/** The startup-lint rules for generic-pool pools (subject kind `generic-pool`). */
export const genericPoolLintRules: readonly LintRule[] = [
  minWithHardIdleTimeout,
  idleTimeoutInert,
  testOnReturnUnused,
  noAcquireTimeout,
  minAboveMax,
];
