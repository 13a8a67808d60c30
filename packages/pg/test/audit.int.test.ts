import { createAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditPool, detach, isAudited } from '@poolaudit/pg';
import pg from 'pg';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets';
import { allSidesSettled, invariantsHold, poolSnapshot } from '../../../test/harness/pool-checks';
import { sharedPgOptions } from '../../../test/harness/postgres';
import { collectLocalPorts, pause, pgState } from './support/pg-pool';

jest.setTimeout(30_000);

const server = sharedPgOptions();

let auditor: Auditor;
beforeEach(() => {
  auditor = createAuditor();
});
afterEach(() => auditor.close());

describe('auditPool() on a pg.Pool, against the shared PostgreSQL', () => {
  it('hands back the same pool with its keys and prototype, and tracks open, idle, in use and waits', async () => {
    const raw = new pg.Pool({ ...server, max: 2 });
    const keys = Object.keys(raw);
    const pool = auditPool(raw, { name: 'orders', auditor });
    try {
      expect(pool).toBe(raw);
      expect(Object.keys(pool)).toEqual(keys);
      expect(Object.getPrototypeOf(pool)).toBe(pg.Pool.prototype);
      expect(isAudited(pool)).toBe(true);

      const a = await pool.connect();
      const b = await pool.connect();
      let snap = poolSnapshot(auditor, 'orders');
      expect(snap.stats).toMatchObject({ open: 2, inUse: 2, idle: 0 });
      // A third acquire waits for a release (Go WaitCount).
      const third = pool.connect();
      await pause(20);
      expect(poolSnapshot(auditor, 'orders').stats.pending).toBe(1);
      a.release();
      const c = await third;
      b.release();
      c.release();
      snap = poolSnapshot(auditor, 'orders');
      expect(snap.stats).toMatchObject({ open: 2, inUse: 0, idle: 2, created: 2, waitCount: 1, pending: 0 });
      expect(snap.stats.acquired).toBe(3);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(invariantsHold(poolSnapshot(auditor, 'orders'))).toBe(true);
      expect(pgState(pool)).toEqual({ total: 2, idle: 2, waiting: 0 });
    } finally {
      await pool.end();
    }
    const snap = poolSnapshot(auditor, 'orders');
    expect(snap.stats.closed.shutdown).toBe(2);
    expect(snap.stats.open).toBe(0);
  });

  it('reports idle-timeout-churn naming idleTimeoutMillis, with a TIME_WAIT footprint the kernel confirms', async () => {
    const observation = observeHost(auditor, { intervalMs: 60_000 });
    const name = 'idle-churn';
    const pool = auditPool(new pg.Pool({ ...server, max: 4, idleTimeoutMillis: 200 }), { name, auditor });
    const ports = collectLocalPorts(pool);
    try {
      await observation.refresh();
      const started = Date.now();
      for (let i = 0; i < 14 && Date.now() - started < 10_000; i++) {
        await pool.query('SELECT 1');
        await pause(300);
      }
      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      const snap = poolSnapshot(auditor, name);
      expect(invariantsHold(snap)).toBe(true);
      expect(snap.stats.closed.idleTimeout).toBeGreaterThanOrEqual(12);
      expect(snap.stats.created).toBe(ports.size);
      const finding = auditor.findings().find((f) => f.code === 'idle-timeout-churn' && f.pool === name);
      expect(finding?.message).toContain('idleTimeoutMillis=200 ms');
      expect(finding?.advice).toContain('idleTimeoutMillis');

      // The closes this side made, against the kernel's own TIME_WAIT sockets of those ports.
      await observation.refresh();
      const tw = poolSnapshot(auditor, name).stats.timeWait;
      const kernel = countSsSockets('time-wait', server.port, ports);
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(kernel);
      expect(snap.stats.closedBy.local).toBeGreaterThan(0);
    } finally {
      observation.detach();
      await pool.end();
    }
  });

  it('closes a client after maxUses acquires as maxLifetime (maxUses), and a failed query as error', async () => {
    const name = 'max-uses';
    const pool = auditPool(new pg.Pool({ ...server, max: 2, maxUses: 5 }), { name, auditor });
    try {
      const started = Date.now();
      for (let i = 0; i < 40 && Date.now() - started < 10_000; i++) {
        await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 2')]);
      }
      // pool.query() releases the client with the query's error: pg-pool destroys it.
      await expect(pool.query('SELECT no_such_column')).rejects.toThrow(/no_such_column/);
      expect(await eventually(() => allSidesSettled(poolSnapshot(auditor, name)), 5000)).toBe(true);
      const snap = poolSnapshot(auditor, name);
      expect(snap.stats.closed.maxLifetime).toBe(16);
      expect(snap.stats.closed.error).toBe(1);
      expect(snap.stats.closedDetail['maxUses']).toBe(16);
      expect(snap.stats.closedDetail['release(err) 42703']).toBe(1);
      expect(invariantsHold(snap)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('counts acquires that time out on connectionTimeoutMillis', async () => {
    const name = 'timeouts';
    const pool = auditPool(new pg.Pool({ ...server, max: 1, connectionTimeoutMillis: 100 }), {
      name,
      auditor,
    });
    try {
      const held = await pool.connect();
      await expect(pool.connect()).rejects.toThrow('timeout exceeded when trying to connect');
      held.release();
      const snap = poolSnapshot(auditor, name);
      expect(snap.stats.timeouts).toBe(1);
      expect(snap.stats).toMatchObject({ inUse: 0, idle: 1, pending: 0 });
    } finally {
      await pool.end();
    }
  });

  it('adopts clients that exist when the audit begins, and detach() restores the pool exactly', async () => {
    const raw = new pg.Pool({ ...server, max: 3 });
    const before = Object.getOwnPropertyDescriptor(raw, '_clients');
    const held = await raw.connect();
    const idle = await raw.connect();
    idle.release();
    const listeners = raw.listenerCount('acquire');
    const pool = auditPool(raw, { name: 'adopted', auditor });
    try {
      expect(poolSnapshot(auditor, 'adopted').stats).toMatchObject({ open: 2, inUse: 1, idle: 1 });
      held.release();
      expect(poolSnapshot(auditor, 'adopted').stats).toMatchObject({ inUse: 0, idle: 2 });
      expect(detach(pool)).toBe(true);
      expect(isAudited(pool)).toBe(false);
      expect(raw.listenerCount('acquire')).toBe(listeners);
      const after = Object.getOwnPropertyDescriptor(raw, '_clients');
      expect(Object.keys(after ?? {}).sort()).toEqual(Object.keys(before ?? {}).sort());
      expect(Object.getOwnPropertyNames((raw as unknown as { _idle: object })._idle)).not.toContain('push');
      expect(
        Object.getOwnPropertyNames((raw as unknown as { _pendingQueue: object })._pendingQueue),
      ).not.toContain('push');
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('tells the auditor the pool ended, once, whether or not it still had clients', async () => {
    const endedCalls: string[] = [];
    const register = auditor.register.bind(auditor);
    jest.spyOn(auditor, 'register').mockImplementation((registration) => {
      const probe = register(registration);
      const ended = probe.ended.bind(probe);
      probe.ended = () => {
        endedCalls.push(registration.name);
        ended();
      };
      return probe;
    });
    const empty = auditPool(new pg.Pool({ ...server, max: 2 }), { name: 'never-used', auditor });
    await empty.end();
    const used = auditPool(new pg.Pool({ ...server, max: 2 }), { name: 'used', auditor });
    await Promise.all([used.query('SELECT 1'), used.query('SELECT 2')]);
    await used.end();
    expect(endedCalls).toEqual(['never-used', 'used']);
    expect(poolSnapshot(auditor, 'used').stats.closed.shutdown).toBe(2);
  });
});
