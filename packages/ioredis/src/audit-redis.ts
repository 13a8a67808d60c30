import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions,
  defaultAuditor,
  reportAuditFailure,
} from '@poolaudit/core';
import type { Cluster, Redis } from 'ioredis';
import type { AuditRedisOptions } from './types.js';
import type { AuditBase } from './internal/audit-base.js';
import { ClusterAudit } from './internal/cluster-audit.js';
import { defaultClusterName, defaultRedisName } from './internal/names.js';
import { RedisAudit } from './internal/redis-audit.js';
import { isClusterClient, isRedisClient } from './internal/shapes.js';

const OPTIONS = {
  name: accepts.nonEmptyString,
  auditor: accepts.auditor,
  readServerSettings: accepts.boolean,
};

/** Every audited client or cluster, with its audit. */
const audits = new WeakMap<object, AuditBase>();
/** The options each audit was made with, to tell what a second `auditRedis()` changes. */
const firstOptions = new WeakMap<AuditBase, AuditRedisOptions>();

/**
 * Audits an ioredis `Redis` or `Cluster` and returns the same object, typed as given. Every TCP connection
 * it makes is recorded (each reconnect is a new connection), with who closed it, why, its lifetime and the
 * commands it carried; commands awaiting replies make it in use, commands queued while offline are pending.
 * A `Cluster` is one pool: its node clients are tracked as they appear and leave, and its slot-refresh
 * connections are counted.
 *
 * Clients audited under the same name share one pool record: a service that creates a client per request
 * shows up as many clients joining one name, which the `client-per-request` finding reports.
 *
 * Auditing an object twice returns it as it is, hooked once: a different `name` renames its pool, any other
 * option that differs is ignored with a warning. `detachRedis()` restores it.
 *
 * @throws UnsupportedPoolError when `client` is not an ioredis `Redis` or `Cluster`.
 * @throws InvalidOptionError when an option is wrong.
 */
export function auditRedis<T extends Redis | Cluster>(client: T, options?: AuditRedisOptions): T {
  const o = checkOptions<AuditRedisOptions>('auditRedis()', options, OPTIONS);
  const audited = audits.get(client);
  if (audited) {
    const rename = auditAgain('auditRedis()', audited.name, firstOptions.get(audited) ?? {}, o);
    if (rename !== undefined) audited.rename(rename);
    return client;
  }
  const target: unknown = client;
  const auditor = o.auditor ?? defaultAuditor;
  const readSettings = o.readServerSettings ?? false;
  const cluster = isClusterClient(target);
  if (!cluster && !isRedisClient(target)) {
    throw new UnsupportedPoolError('@poolaudit/ioredis', 'an ioredis Redis or Cluster', client);
  }
  // POOLAUDIT_DISABLE names ioredis (or the auditor is disabled): the client is handed back untouched.
  if (!auditor.audits('ioredis')) return client;
  // A genuine client in a state auditing did not foresee goes on unaudited: nothing is thrown at it.
  try {
    const audit: AuditBase = cluster
      ? new ClusterAudit(target, {
          auditor,
          readSettings,
          name: o.name ?? defaultClusterName(target),
        })
      : new RedisAudit(target, {
          auditor,
          readSettings,
          name: o.name ?? defaultRedisName(target),
        });
    audits.set(client, audit);
    firstOptions.set(audit, o);
  } catch (err) {
    reportAuditFailure('ioredis', o.name ?? 'ioredis', err);
  }
  return client;
}

/**
 * Stops auditing `client`: every listener and wrapped method is removed, and the client is exactly as it
 * was before `auditRedis()`. What was recorded stays readable in the auditor. Returns false when the
 * client was not audited.
 */
export function detachRedis(client: Redis | Cluster): boolean {
  const audit = audits.get(client);
  if (!audit) return false;
  audits.delete(client);
  audit.detach();
  return true;
}

/** Whether `client` is being audited. */
export function isAudited(client: Redis | Cluster): boolean {
  return audits.has(client);
}
