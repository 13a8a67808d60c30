import { Auditor, InvalidOptionError, UnsupportedPoolError, defaultAuditor } from '@poolaudit/core';
import type { Cluster, Redis } from 'ioredis';
import type { AuditRedisOptions } from './types.js';
import type { AuditBase } from './internal/audit-base.js';
import { ClusterAudit } from './internal/cluster-audit.js';
import { defaultClusterName, defaultRedisName } from './internal/names.js';
import { RedisAudit } from './internal/redis-audit.js';
import { isClusterClient, isRedisClient } from './internal/shapes.js';

const OPTION_KEYS: ReadonlySet<string> = new Set(['name', 'auditor', 'readServerSettings']);

/** Every audited client or cluster, with its audit. */
const audits = new WeakMap<object, AuditBase>();

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
 * Auditing an object twice returns it unchanged. `detachRedis()` restores it.
 *
 * @throws UnsupportedPoolError when `client` is not an ioredis `Redis` or `Cluster`.
 * @throws InvalidOptionError when an option is wrong.
 */
export function auditRedis<T extends Redis | Cluster>(client: T, options?: AuditRedisOptions): T {
  const o = checkOptions(options);
  if (audits.has(client)) return client;
  const target: unknown = client;
  const auditor = o.auditor ?? defaultAuditor;
  const readSettings = o.readServerSettings ?? true;
  // POOLAUDIT_DISABLE names ioredis (or the auditor is disabled): the client is handed back untouched.
  if (!auditor.audits('ioredis') && (isClusterClient(target) || isRedisClient(target))) return client;
  let audit: AuditBase;
  if (isClusterClient(target)) {
    audit = new ClusterAudit(target, { auditor, readSettings, name: o.name ?? defaultClusterName(target) });
  } else if (isRedisClient(target)) {
    audit = new RedisAudit(target, { auditor, readSettings, name: o.name ?? defaultRedisName(target) });
  } else {
    throw new UnsupportedPoolError('@poolaudit/ioredis', 'an ioredis Redis or Cluster', client);
  }
  audits.set(client, audit);
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

function checkOptions(options: unknown): AuditRedisOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) {
      throw new InvalidOptionError(`options.${key}`, 'one of name, auditor, readServerSettings', key);
    }
  }
  const { name, auditor, readServerSettings } = o;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new InvalidOptionError('name', 'a non-empty string', name);
  }
  if (auditor !== undefined && !(auditor instanceof Auditor)) {
    throw new InvalidOptionError('auditor', 'an Auditor from createAuditor()', auditor);
  }
  if (readServerSettings !== undefined && typeof readServerSettings !== 'boolean') {
    throw new InvalidOptionError('readServerSettings', 'a boolean', readServerSettings);
  }
  return o;
}
