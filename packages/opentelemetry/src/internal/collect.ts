import type { Attributes, BatchObservableResult } from '@opentelemetry/api';
import type { AuditSnapshot, ClosedBy, PoolSnapshot } from '@poolaudit/core';
import { ATTR } from '../names.js';
import type { Instruments } from './instruments.js';
import type { ServerAttributes } from './server-attributes.js';

const SIDES: readonly ClosedBy[] = ['local', 'remote', 'reset', 'unknown'];

/** What one collection needs besides the snapshot. */
export interface CollectContext {
  readonly instruments: Instruments;
  readonly servers: ServerAttributes;
  readonly isHttp: (kind: string) => boolean;
  /** Connections of an HTTP pool in use per server, counted from the timing events. */
  readonly inUseOf: (pool: string) => ReadonlyMap<string, number> | undefined;
  /** `code\0severity` of every finding seen so far: a finding that cleared reports 0 rather than vanishing. */
  readonly findingsSeen: Set<string>;
}

/** Turns one snapshot into every observation: all instruments read the same moment. */
export function observeSnapshot(
  snapshot: AuditSnapshot,
  result: BatchObservableResult,
  context: CollectContext,
): void {
  const { instruments: i, servers } = context;
  const http = new Map<string, { endpoint: string; state: 'active' | 'idle'; value: number }>();
  const addHttp = (endpoint: string, state: 'active' | 'idle', value: number): void => {
    const key = `${endpoint}\u0000${state}`;
    const entry = http.get(key);
    if (entry) entry.value += value;
    else http.set(key, { endpoint, state, value });
  };

  for (const pool of snapshot.pools) {
    if (pool.direction === 'inbound') observeServer(pool, result, i);
    else if (context.isHttp(pool.kind)) httpConnections(pool, context.inUseOf(pool.name), addHttp);
    else observeDbPool(pool, result, i);
    observePoolaudit(pool, result, context);
  }
  // Several HTTP pools may talk to one server: the convention counts the client's connections, so they add up.
  for (const { endpoint, state, value } of http.values()) {
    result.observe(
      i.httpOpenConnections,
      value,
      servers.with(endpoint, { [ATTR.httpConnectionState]: state }),
    );
  }
  for (const endpoint of snapshot.endpoints) {
    const attributes = servers.of(endpoint.endpoint);
    result.observe(i.portBudgetUsed, endpoint.timeWait.portBudgetUsed, attributes);
    if (endpoint.kernel) result.observe(i.timeWaitKernel, endpoint.kernel.timeWait, attributes);
  }
  observeUnaudited(snapshot, result, context);
  observeFindings(snapshot, result, context);
}

/** The process view's destinations: open connections, their footprint, and the kernel where no pool reports it. */
function observeUnaudited(
  snapshot: AuditSnapshot,
  result: BatchObservableResult,
  context: CollectContext,
): void {
  const { instruments: i, servers } = context;
  const audited = new Set(snapshot.endpoints.map((e) => e.endpoint));
  for (const d of snapshot.unaudited?.destinations ?? []) {
    const attributes = servers.of(d.endpoint);
    result.observe(i.unauditedConnections, d.open, attributes);
    result.observe(i.unauditedTimeWait, d.timeWait.footprint, {
      ...attributes,
      [ATTR.timeWaitSource]: d.timeWait.source,
    });
    if (d.kernel && !audited.has(d.endpoint)) result.observe(i.timeWaitKernel, d.kernel.timeWait, attributes);
  }
}

function observeDbPool(pool: PoolSnapshot, result: BatchObservableResult, i: Instruments): void {
  const { stats } = pool;
  const name: Attributes = { [ATTR.dbPoolName]: pool.name };
  result.observe(i.dbConnectionCount, stats.idle, { ...name, [ATTR.dbConnectionState]: 'idle' });
  result.observe(i.dbConnectionCount, stats.inUse, { ...name, [ATTR.dbConnectionState]: 'used' });
  if (stats.maxOpen !== null) result.observe(i.dbConnectionMax, stats.maxOpen, name);
  // `maxIdle: null` means "as many as maxOpen"; with both unlimited there is nothing to report.
  const idleMax = stats.maxIdle ?? stats.maxOpen;
  if (idleMax !== null) result.observe(i.dbConnectionIdleMax, idleMax, name);
  const idleMin = pool.config.minIdle;
  if (typeof idleMin === 'number') result.observe(i.dbConnectionIdleMin, idleMin, name);
  result.observe(i.dbConnectionPendingRequests, stats.pending, name);
  result.observe(i.dbConnectionTimeouts, stats.timeouts, name);
}

/** A server's connections now: active and idle in all, as its peers are (`client.address`) counted apart. */
function observeServer(pool: PoolSnapshot, result: BatchObservableResult, i: Instruments): void {
  const base: Attributes = { [ATTR.poolName]: pool.name, [ATTR.poolKind]: pool.kind };
  result.observe(i.serverConnections, pool.stats.inUse, { ...base, [ATTR.httpConnectionState]: 'active' });
  result.observe(i.serverConnections, pool.stats.idle, { ...base, [ATTR.httpConnectionState]: 'idle' });
}

/**
 * Active and idle connections per server. A pool whose every connection goes to one server (an undici
 * `Pool` or `Client`) is split exactly from the snapshot; a pool that talks to several (an `Agent`) splits
 * each server's open count by the in-use count kept from acquires and releases.
 */
function httpConnections(
  pool: PoolSnapshot,
  inUse: ReadonlyMap<string, number> | undefined,
  add: (endpoint: string, state: 'active' | 'idle', value: number) => void,
): void {
  const { stats, endpoints } = pool;
  const only = endpoints.length === 1 ? endpoints[0] : undefined;
  if (only && only.open === stats.open) {
    add(only.endpoint, 'active', stats.inUse);
    add(only.endpoint, 'idle', stats.idle);
    return;
  }
  for (const endpoint of endpoints) {
    const open = Math.max(endpoint.open, 0);
    const active = Math.min(inUse?.get(endpoint.endpoint) ?? 0, open);
    add(endpoint.endpoint, 'active', active);
    add(endpoint.endpoint, 'idle', open - active);
  }
}

function observePoolaudit(pool: PoolSnapshot, result: BatchObservableResult, context: CollectContext): void {
  const { instruments: i, servers } = context;
  const { stats } = pool;
  const base: Attributes = { [ATTR.poolName]: pool.name, [ATTR.poolKind]: pool.kind };
  result.observe(i.connectionsCreated, stats.created, base);
  for (const [code, n] of Object.entries(stats.connectErrorsByCode)) {
    result.observe(i.connectErrors, n, { ...base, [ATTR.errorType]: code });
  }
  // Every reason and side is reported, zeros included: a fixed, bounded set of series per pool.
  for (const [reason, n] of Object.entries(stats.closed)) {
    result.observe(i.connectionsClosed, n, { ...base, [ATTR.reason]: reason });
  }
  for (const side of SIDES) {
    result.observe(i.connectionsClosedBy, stats.closedBy[side], { ...base, [ATTR.closedBy]: side });
  }
  for (const endpoint of pool.endpoints) {
    const t = endpoint.timeWait;
    // A server's endpoints are its peers' addresses (no port): the TIME_WAIT it holds toward each client.
    const attributes =
      pool.direction === 'inbound'
        ? { ...base, [ATTR.clientAddress]: endpoint.endpoint }
        : servers.with(endpoint.endpoint, base);
    result.observe(i.timeWaitFootprint, t.footprint, { ...attributes, [ATTR.timeWaitSource]: t.source });
    if (t.resets !== null) result.observe(i.timeWaitResets, t.resets, attributes);
  }
}

function observeFindings(
  snapshot: AuditSnapshot,
  result: BatchObservableResult,
  context: CollectContext,
): void {
  const counts = new Map<string, number>();
  for (const key of context.findingsSeen) counts.set(key, 0);
  const add = (code: string, severity: string): void => {
    const key = `${code}\u0000${severity}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const pool of snapshot.pools) for (const finding of pool.findings) add(finding.code, finding.severity);
  for (const finding of snapshot.findings) add(finding.code, finding.severity);
  for (const [key, value] of counts) {
    context.findingsSeen.add(key);
    const [code, severity] = key.split('\u0000') as [string, string];
    result.observe(context.instruments.findingsActive, value, {
      [ATTR.findingCode]: code,
      [ATTR.findingSeverity]: severity,
    });
  }
}
