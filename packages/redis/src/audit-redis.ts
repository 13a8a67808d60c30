import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions,
  defaultAuditor,
  reportAuditFailure,
} from '@poolaudit/core';
import { ClientAudit } from './internal/client-audit.js';
import { configuredEndpoint } from './internal/client-watch.js';
import { PoolAudit } from './internal/pool-audit.js';
import { isNodeRedisClient, isNodeRedisPool } from './internal/shapes.js';
import type { AuditClientOptions, AuditPoolOptions } from './types.js';

const CLIENT_OPTIONS = { name: accepts.nonEmptyString, auditor: accepts.auditor };
const POOL_OPTIONS = {
  ...CLIENT_OPTIONS,
  poolOptions: accepts.object(
    'an object of createClientPool() options (minimum, maximum, acquireTimeout, cleanupDelay)',
  ),
};

interface Audited {
  readonly audit: ClientAudit | PoolAudit;
  name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Every audited client or pool, by its real instance (`_self`): every object node-redis hands out for it. */
const audits = new WeakMap<object, Audited>();

/**
 * Audits a node-redis 5 or 6 client (`createClient()`) and returns the same object. Every connection it makes
 * (the first, and one per reconnect) is recorded by its socket, with who closed it and why, its lifetime and
 * the commands it carried; commands awaiting replies make it in use. Audit it before or after `connect()`:
 * a connected client is adopted as it stands.
 *
 * Clients audited under the same name share one pool record: a service that creates a client per request
 * shows up as many clients joining one name, which the `client-per-request` finding reports.
 *
 * Auditing a client twice returns it hooked once: a different `name` renames its record, another auditor is
 * ignored with a warning. `detach()` restores it.
 *
 * @throws UnsupportedPoolError when `client` is not a node-redis client (a pool goes to `auditPool()`).
 * @throws InvalidOptionError when an option is wrong.
 */
export function auditClient<T extends object>(client: T, options?: AuditClientOptions): T {
  const o = checkOptions<AuditClientOptions>('auditClient()', options, CLIENT_OPTIONS);
  if (!isNodeRedisClient(client)) {
    const hint = isNodeRedisPool(client)
      ? 'a node-redis client (this is a pool: use auditPool())'
      : 'a node-redis 5 or 6 client (createClient())';
    throw new UnsupportedPoolError('@poolaudit/redis', hint, client);
  }
  if (again(client._self, 'auditClient()', o)) return client;
  const auditor = o.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names node-redis (or the auditor is disabled): the client is handed back untouched.
  if (!auditor.audits('node-redis')) return client;
  const name = o.name ?? `node-redis ${configuredEndpoint(client._self)}`;
  // A genuine client in a state auditing did not foresee goes on unaudited: nothing is thrown at it.
  try {
    const audit = new ClientAudit(client, auditor, name, (err) => failed(client._self, name, err));
    audits.set(client._self, { audit, name, options: o });
  } catch (err) {
    reportAuditFailure('node-redis', name, err);
  }
  return client;
}

/**
 * Audits a node-redis 5 or 6 pool (`createClientPool()`) and returns the same object. Each member client is
 * recorded from the first task the pool hands it, with its connection; a task that waits for a free client
 * counts as a wait (Go `WaitCount`), the pool's queued tasks are its pending acquires, and the members its
 * cleanup destroys (`cleanupDelay` after the last release, down to `minimum`) are closes for idle time,
 * named after `cleanupDelay`. Pass the pool's options as `poolOptions`: node-redis keeps them private.
 *
 * @throws UnsupportedPoolError when `pool` is not a node-redis pool (a client goes to `auditClient()`).
 * @throws InvalidOptionError when an option is wrong.
 */
export function auditPool<T extends object>(pool: T, options?: AuditPoolOptions): T {
  const o = checkOptions<AuditPoolOptions>('auditPool()', options, POOL_OPTIONS);
  if (!isNodeRedisPool(pool)) {
    const hint = isNodeRedisClient(pool)
      ? 'a node-redis pool (this is a client: use auditClient())'
      : 'a node-redis 5 or 6 pool (createClientPool())';
    throw new UnsupportedPoolError('@poolaudit/redis', hint, pool);
  }
  if (again(pool._self, 'auditPool()', o)) return pool;
  const auditor = o.auditor ?? defaultAuditor;
  if (!auditor.audits('node-redis')) return pool;
  const name = o.name ?? 'node-redis-pool';
  try {
    const audit = new PoolAudit(pool, auditor, name, o.name !== undefined, o.poolOptions ?? {}, (err) =>
      failed(pool._self, name, err),
    );
    audits.set(pool._self, { audit, name, options: o });
  } catch (err) {
    reportAuditFailure('node-redis', name, err);
  }
  return pool;
}

/**
 * Stops auditing a client or pool: every hook is removed and it is exactly as it was before it was audited.
 * What was recorded stays readable in the auditor. Returns false when it was not audited.
 */
export function detach(clientOrPool: object): boolean {
  const self = selfOf(clientOrPool);
  const audited = self === undefined ? undefined : audits.get(self);
  if (self === undefined || audited === undefined) return false;
  audits.delete(self);
  audited.audit.detach();
  return true;
}

/** Whether a client or pool is being audited. */
export function isAudited(clientOrPool: object): boolean {
  const self = selfOf(clientOrPool);
  return self !== undefined && audits.has(self);
}

/** A second audit of the same instance: renames it when asked to, and says it was handled. */
function again(self: object, fn: string, given: Readonly<Record<string, unknown>>): boolean {
  const audited = audits.get(self);
  if (audited === undefined) return false;
  const current = audited.audit instanceof PoolAudit ? audited.audit.currentName : audited.name;
  const rename = auditAgain(fn, current, audited.options, given);
  if (rename !== undefined) {
    audited.audit.rename(rename);
    audited.name = rename;
  }
  return true;
}

function failed(self: object, name: string, err: unknown): void {
  const shown = audits.get(self)?.name ?? name;
  audits.delete(self);
  reportAuditFailure('node-redis', shown, err);
}

function selfOf(value: object): object | undefined {
  const self = (value as { _self?: unknown })._self;
  return typeof self === 'object' && self !== null ? self : undefined;
}
