import { UnsupportedPoolError, auditAgain, defaultAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { ClusterAttachment } from './internal/cluster-attachment.js';
import { PoolAttachment } from './internal/pool-attachment.js';
import { checkAuditPoolOptions, defaultPoolName, poolRegistration } from './internal/registration.js';
import { isCoreCluster, isCorePool, isPromiseCluster, isPromisePool } from './internal/shapes.js';
import type { CorePool } from './internal/shapes.js';
import type { AuditPoolOptions, Mysql2Auditable } from './types.js';

type Attachment = PoolAttachment | ClusterAttachment;

/** The audit of each object handed to `auditPool()` (and of the callback pool or cluster inside it). */
const attachments = new WeakMap<object, Attachment>();
/** The options each audit was made with, to tell what a second `auditPool()` changes. */
const firstOptions = new WeakMap<Attachment, AuditPoolOptions>();
/** The objects an audit is known by, so that `detach()` forgets them all. */
const keysOf = new WeakMap<Attachment, object[]>();

/**
 * Audits a mysql2 pool and returns the very object it was given, with its type.
 *
 * Accepts a callback pool (`mysql.createPool()`), a promise pool (`require('mysql2/promise').createPool()`
 * or `pool.promise()`), and a `PoolCluster` of either flavour (every node, including nodes added later,
 * each reported as `<name>/<node id>`). Connections that already exist are adopted.
 *
 * Nothing is patched globally and the pool keeps its shape: its own keys, its prototype's methods and the
 * listener counts on it and on its connections stay as they were. The audit hooks the pool's internal
 * queues (`_allConnections`, `_freeConnections`, `_connectionQueue`) and reads who closed first at each
 * TCP socket; `detach(pool)` restores them exactly. At run time nothing is thrown into the
 * application: if auditing fails, a warning is emitted once and the pool goes on unaudited.
 *
 * Auditing a pool that is already audited returns it as it is, hooked once: a different `name` renames it
 * (a cluster's nodes become `<name>/<node id>`), any other option that differs is ignored with a warning.
 *
 * @throws UnsupportedPoolError when `pool` is not a mysql2 pool or cluster.
 * @throws InvalidOptionError for a bad option (`UnknownOptionError` for a key it does not take).
 */
export function auditPool<P extends Mysql2Auditable>(pool: P, options?: AuditPoolOptions): P {
  const target: unknown = pool;
  const inner: object | undefined = isCorePool(target)
    ? target
    : isPromisePool(target)
      ? target.pool
      : isCoreCluster(target)
        ? target
        : isPromiseCluster(target)
          ? target.poolCluster
          : undefined;
  if (inner === undefined) {
    throw new UnsupportedPoolError(
      '@poolaudit/mysql2',
      'a mysql2 Pool, PoolCluster, or mysql2/promise pool or cluster',
      pool,
    );
  }
  const given = checkAuditPoolOptions(options);
  const audited = attachments.get(inner);
  if (audited?.active === true) {
    const rename = auditAgain('auditPool()', audited.name, firstOptions.get(audited) ?? {}, given);
    if (rename !== undefined) renameAttachment(audited, rename);
    return pool;
  }
  const { name } = given;
  const auditor = given.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names mysql2 (or the auditor is disabled): the pool is handed back untouched.
  if (!auditor.audits('mysql2')) return pool;
  let attachment: Attachment | undefined;
  if (isCorePool(inner)) {
    attachment = attachPool(inner, name ?? defaultPoolName(inner), auditor, given.createOptions);
  } else if (isCoreCluster(inner)) {
    const cluster = new ClusterAttachment(inner, name ?? 'mysql2 cluster', auditor, attachPool);
    remember(cluster, [inner]);
    cluster.attach();
    attachment = cluster;
  }
  if (attachment && pool !== inner) remember(attachment, [pool]);
  if (attachment) firstOptions.set(attachment, given);
  return pool;
}

/** A second `auditPool()` with another name: the pool (or every node, as `<name>/<node id>`) is renamed. */
function renameAttachment(attachment: Attachment, name: string): void {
  const old = attachment.name;
  attachment.name = name;
  if (attachment instanceof PoolAttachment) {
    attachment.probe.rename(name);
    return;
  }
  for (const node of attachment.pools()) {
    if (!node.name.startsWith(`${old}/`)) continue;
    node.name = `${name}/${node.name.slice(old.length + 1)}`;
    node.probe.rename(node.name);
  }
}

/**
 * Ends the audit of `pool` (the object given to `auditPool()`, or the callback pool / cluster inside it):
 * every wrapped method is restored exactly, listeners are removed, and the pool leaves its auditor.
 * What was recorded stays readable in the auditor. Returns whether the pool was audited.
 */
export function detach(pool: object): boolean {
  const attachment = attachments.get(pool);
  if (!attachment) return false;
  const wasActive = attachment.active;
  if (attachment instanceof ClusterAttachment) for (const node of attachment.pools()) forget(node);
  attachment.detach();
  forget(attachment);
  return wasActive;
}

/** Whether `pool` is audited right now. */
export function isAudited(pool: object): boolean {
  return attachments.get(pool)?.active === true;
}

/** Attaches to one callback pool; a pool already audited (e.g. a cluster node audited alone) is left as is. */
function attachPool(
  pool: CorePool,
  name: string,
  auditor: Auditor,
  createOptions?: Readonly<Record<string, unknown>>,
): PoolAttachment | undefined {
  if (isAudited(pool)) return undefined;
  const probe = auditor.register(poolRegistration(pool, name, createOptions));
  const attachment = new PoolAttachment(pool, probe, name);
  remember(attachment, [pool]);
  attachment.attach();
  return attachment;
}

function remember(attachment: Attachment, keys: object[]): void {
  const known = keysOf.get(attachment) ?? [];
  for (const key of keys) {
    attachments.set(key, attachment);
    known.push(key);
  }
  keysOf.set(attachment, known);
}

function forget(attachment: Attachment): void {
  for (const key of keysOf.get(attachment) ?? []) {
    if (attachments.get(key) === attachment) attachments.delete(key);
  }
  keysOf.delete(attachment);
}
