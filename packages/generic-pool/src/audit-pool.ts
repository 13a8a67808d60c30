import type { Socket } from 'node:net';
import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions,
  defaultAuditor,
  reportAuditFailure,
  resourceSocket,
} from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import type { Pool } from 'generic-pool';
import { PoolAudit } from './internal/pool-audit.js';
import { isGenericPool } from './internal/pool-internals.js';
import type { PoolInternals } from './internal/pool-internals.js';
import { genericPoolLintRules, genericPoolOptionSchema } from './lint-rules.js';
import { rawOptionsOf, readGenericPoolConfig } from './read-config.js';
import type { AuditPoolOptions, ResourceOf } from './types.js';

const KIND = 'generic-pool';
const DEFAULT_NAME = 'generic-pool';
const audits = new WeakMap<object, Audited>();

/**
 * Audits a generic-pool 3.x pool of any resource and returns the same pool, unchanged in type and
 * behaviour. Acquires, waits, timeouts, releases, creates and every destroy (by reason: hard or soft idle
 * eviction, `destroy()`, failed validation, `clear()`/`drain()` at shutdown, and `min` refills) are
 * recorded in `options.auditor`; each resource's socket (see `socketOf`) tells who closed it first.
 *
 * Hooks live on this one instance (and on a stand-in for its factory); `detach(pool)` removes them.
 * Auditing a pool that is already audited returns it as it is, hooked once: a different `name` renames it,
 * any other option that differs is ignored with a warning.
 *
 * @throws UnsupportedPoolError when `pool` is not a generic-pool 3.x `Pool`.
 * @throws InvalidOptionError when an option is wrong, naming it and its value.
 */
export function auditPool<P extends Pool<unknown>>(pool: P, options?: AuditPoolOptions<ResourceOf<P>>): P {
  if (!isGenericPool(pool)) {
    throw new UnsupportedPoolError('@poolaudit/generic-pool', 'a generic-pool 3.x Pool', pool);
  }
  const given = checkOptions<AuditPoolOptions<never>>('auditPool()', options, OPTIONS);
  const audited = audits.get(pool);
  if (audited !== undefined) {
    const rename = auditAgain('auditPool()', audited.name, audited.options, given);
    if (rename !== undefined) {
      audited.name = rename;
      audited.probe.rename(rename);
    }
    return pool;
  }
  const name = given.name ?? DEFAULT_NAME;
  const auditor = given.auditor ?? defaultAuditor;
  const socketOf = given.socketOf ?? resourceSocket;
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
    ...(given.createOptions
      ? { optionCheck: { options: given.createOptions, schema: genericPoolOptionSchema } }
      : {}),
  });
  // The soft idle timeout has no normalized setting; its name is what the min-refill advice points to.
  probe.annotate('softIdleTimeoutSetting', 'softIdleTimeoutMillis');
  const failed = (err: unknown): void => {
    const shown = audits.get(pool)?.name ?? name;
    audits.delete(pool);
    reportAuditFailure(KIND, shown, err);
  };
  const audit = new PoolAudit(
    internals,
    probe,
    socketOf as (resource: unknown) => Socket | null | undefined,
    auditor.leakDetectionThresholdMs > 0,
    failed,
  );
  audits.set(pool, { audit, probe, name, options: given });
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
  const audited = audits.get(pool);
  if (!audited) return false;
  audits.delete(pool);
  audited.audit.detach();
  return true;
}

/** Whether `pool` is audited right now. */
export function isAudited(pool: object): boolean {
  return audits.has(pool);
}

/** One audited pool: its hooks, its probe, the name it is reported under and the options it was audited with. */
interface Audited {
  readonly audit: PoolAudit;
  readonly probe: PoolProbe;
  /** Changed by a second `auditPool()` with another name. */
  name: string;
  readonly options: AuditPoolOptions<never>;
}

const OPTIONS = {
  name: accepts.nonEmptyString,
  auditor: accepts.auditor,
  socketOf: accepts.function('(resource) => net.Socket | undefined'),
  createOptions: accepts.object('the options object given to createPool()'),
};
