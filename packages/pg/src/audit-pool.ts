import { UnsupportedPoolError, auditAgain, defaultAuditor } from '@poolaudit/core';
import { PoolAttachment } from './internal/pool-attachment.js';
import { checkAuditPoolOptions, defaultPoolName, poolRegistration } from './internal/registration.js';
import { isPgPool } from './internal/shapes.js';
import type { AuditPoolOptions, PgAuditable } from './types.js';

/** The audit of each pool handed to `auditPool()`. */
const attachments = new WeakMap<object, PoolAttachment>();
/** The options each audit was made with, to tell what a second `auditPool()` changes. */
const firstOptions = new WeakMap<PoolAttachment, AuditPoolOptions>();

/**
 * Audits a node-postgres pool (`new pg.Pool()`, pg-pool 3) and returns the very object it was given.
 *
 * Every close gets a reason pg-pool's 'remove' event lacks: `idleTimeout` (`idleTimeoutMillis`),
 * `maxLifetime` (detail `maxLifetimeSeconds` or `maxUses`), `error` (a `release(err)`: pool.query() releases
 * with any failed query), `remote` (the server ended the session: `idle_session_timeout`,
 * `pg_terminate_backend`, a restart), `shutdown` (`pool.end()`), `other` (`client.end()`). Who closed first
 * is read at the client's socket (the TLS socket with `ssl`). Clients that already exist are adopted.
 *
 * The pool keeps its prototype, its own keys (with their enumerability) and its listener counts: acquires
 * and releases are read at `_acquireClient` and `_release`, hooked for this pool alone from
 * `Pool.prototype` (`wrapMethodOf`). `detach(pool)` restores it exactly. At run time nothing is thrown into the application: if auditing
 * fails, a warning is emitted once and the pool goes on unaudited.
 *
 * Auditing a pool that is already audited returns it as it is, hooked once: a different `name` renames it,
 * any other option that differs is ignored with a warning.
 *
 * @throws UnsupportedPoolError when `pool` is not a pg-pool 3 pool.
 * @throws InvalidOptionError for a bad option (`UnknownOptionError` for a key it does not take).
 */
export function auditPool<P extends PgAuditable>(pool: P, options?: AuditPoolOptions): P {
  const target: unknown = pool;
  if (!isPgPool(target)) {
    throw new UnsupportedPoolError('@poolaudit/pg', 'a node-postgres Pool (new pg.Pool(), pg-pool 3)', pool);
  }
  const given = checkAuditPoolOptions(options);
  const audited = attachments.get(target);
  if (audited?.active === true) {
    const rename = auditAgain('auditPool()', audited.name, firstOptions.get(audited) ?? {}, given);
    if (rename !== undefined) {
      audited.name = rename;
      audited.probe.rename(rename);
    }
    return pool;
  }
  const auditor = given.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names pg (or the auditor is disabled): the pool is handed back untouched.
  if (!auditor.audits('pg')) return pool;
  const name = given.name ?? defaultPoolName(target);
  const attachment = new PoolAttachment(target, auditor.register(poolRegistration(target, name)), name);
  attachments.set(target, attachment);
  firstOptions.set(attachment, given);
  attachment.attach();
  return pool;
}

/**
 * Ends the audit of `pool`: the pool's lists and listeners are restored exactly and the pool leaves its
 * auditor. What was recorded stays readable in the auditor. Returns whether the pool was audited.
 */
export function detach(pool: object): boolean {
  const attachment = attachments.get(pool);
  if (!attachment) return false;
  const wasActive = attachment.active;
  attachment.detach();
  attachments.delete(pool);
  return wasActive;
}

/** Whether `pool` is audited right now. */
export function isAudited(pool: object): boolean {
  return attachments.get(pool)?.active === true;
}
