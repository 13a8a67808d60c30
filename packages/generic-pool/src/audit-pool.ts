import type { Socket } from 'node:net';
import { InvalidOptionError, UnsupportedPoolError, defaultAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import type { Pool } from 'generic-pool';
import { PoolAudit } from './internal/pool-audit.js';
import { isGenericPool } from './internal/pool-internals.js';
import type { PoolInternals } from './internal/pool-internals.js';
import { defaultSocketOf } from './internal/socket-of.js';
import { genericPoolLintRules } from './lint-rules.js';
import { rawOptionsOf, readGenericPoolConfig } from './read-config.js';
import type { AuditPoolOptions, ResourceOf } from './types.js';

const KIND = 'generic-pool';
const DEFAULT_NAME = 'generic-pool';
const audits = new WeakMap<object, PoolAudit>();

/**
 * Audits a generic-pool 3.x pool of any resource and returns the same pool, unchanged in type and
 * behaviour. Acquires, waits, timeouts, releases, creates and every destroy (by reason: hard or soft idle
 * eviction, `destroy()`, failed validation, `clear()`/`drain()` at shutdown, and `min` refills) are
 * recorded in `options.auditor`; each resource's socket (see `socketOf`) tells who closed it first.
 *
 * Hooks live on this one instance (and on a stand-in for its factory); `detach(pool)` removes them.
 * Auditing a pool that is already audited returns it as it is.
 *
 * @throws UnsupportedPoolError when `pool` is not a generic-pool 3.x `Pool`.
 * @throws InvalidOptionError when an option is wrong, naming it and its value.
 */
export function auditPool<P extends Pool<unknown>>(pool: P, options?: AuditPoolOptions<ResourceOf<P>>): P {
  if (!isGenericPool(pool)) {
    throw new UnsupportedPoolError('@poolaudit/generic-pool', 'a generic-pool 3.x Pool', pool);
  }
  const { name, auditor, socketOf } = checkOptions(options);
  if (audits.has(pool)) return pool;
  // POOLAUDIT_DISABLE names generic-pool (or the auditor is disabled): the pool is handed back untouched.
  if (!auditor.audits(KIND)) return pool;
  const internals = pool as unknown as PoolInternals;
  const { config, settings } = readGenericPoolConfig(internals._config);
  const probe = auditor.register({
    name,
    kind: KIND,
    config,
    rawConfig: rawOptionsOf(internals._config),
    settings,
    readPending: () => internals.pending,
    lintRules: genericPoolLintRules,
  });
  // The soft idle timeout has no normalized setting; its name is what the min-refill advice points to.
  probe.annotate('softIdleTimeoutSetting', 'softIdleTimeoutMillis');
  const failed = (err: unknown): void => {
    audits.delete(pool);
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.emitWarning(
      `poolaudit: auditing generic-pool "${name}" failed; it goes on unaudited. ${detail}`,
      {
        code: 'POOLAUDIT_ADAPTER_FAILED',
      },
    );
  };
  const audit = new PoolAudit(
    internals,
    probe,
    socketOf as (resource: unknown) => Socket | null | undefined,
    auditor.leakDetectionThresholdMs > 0,
    failed,
  );
  audits.set(pool, audit);
  try {
    audit.attach();
  } catch (err) {
    audit.detach();
    failed(err);
  }
  return pool;
}

/**
 * Stops auditing `pool`: every method, the factory and the listeners are put back exactly as they were.
 * What was recorded stays readable in the auditor. Returns false when the pool was not audited.
 */
export function detach(pool: object): boolean {
  const audit = audits.get(pool);
  if (!audit) return false;
  audits.delete(pool);
  audit.detach();
  return true;
}

/** Whether `pool` is audited right now. */
export function isAudited(pool: object): boolean {
  return audits.has(pool);
}

interface CheckedOptions {
  readonly name: string;
  readonly auditor: Auditor;
  readonly socketOf: (resource: never) => Socket | null | undefined;
}

function checkOptions(options: AuditPoolOptions<never> | undefined): CheckedOptions {
  if (options === undefined)
    return { name: DEFAULT_NAME, auditor: defaultAuditor, socketOf: defaultSocketOf };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const { name, auditor, socketOf } = options;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new InvalidOptionError('name', 'a non-empty string', name);
  }
  if (auditor !== undefined && !isAuditor(auditor)) {
    throw new InvalidOptionError('auditor', 'an Auditor from createAuditor()', auditor);
  }
  if (socketOf !== undefined && typeof socketOf !== 'function') {
    throw new InvalidOptionError('socketOf', 'a function (resource) => net.Socket | undefined', socketOf);
  }
  return {
    name: name ?? DEFAULT_NAME,
    auditor: auditor ?? defaultAuditor,
    socketOf: socketOf ?? defaultSocketOf,
  };
}

/** An auditor by its shape, so that two copies of the core package still work together. */
function isAuditor(value: unknown): value is Auditor {
  const candidate = value as Partial<Auditor> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.register === 'function' &&
    typeof candidate.leakDetectionThresholdMs === 'number'
  );
}
