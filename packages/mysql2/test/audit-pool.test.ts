import { InvalidOptionError, UnsupportedPoolError, createAuditor } from '@poolaudit/core';
import { auditPool, detach, isAudited } from '@poolaudit/mysql2';
import type { Mysql2Auditable } from '@poolaudit/mysql2';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';

// No server needed: mysql2 opens nothing until the first acquire.
const options = {
  host: '127.0.0.1',
  port: 1,
  user: 'nobody',
  database: 'none',
  connectionLimit: 3,
  maxIdle: 1,
};

describe('auditPool', () => {
  const pools: { end(): unknown }[] = [];
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  it('returns the object it was given, for each flavour, and registers it by its default name', () => {
    const auditor = createAuditor();
    const callback = mysql.createPool(options);
    const promise = mysqlPromise.createPool({ ...options, database: 'other' });
    pools.push(callback, promise);
    expect(auditPool(callback, { auditor })).toBe(callback);
    expect(auditPool(promise, { auditor })).toBe(promise);
    expect(auditor.poolNames()).toEqual(['mysql2 127.0.0.1:1/none', 'mysql2 127.0.0.1:1/other']);
    const snap = auditor.snapshot().pools[0]!;
    expect(snap.kind).toBe('mysql2');
    expect(snap.config).toMatchObject({ maxOpen: 3, maxIdle: 1, idleTimeoutMs: 60_000 });
    expect(snap.settings.maxIdle).toBe('maxIdle');
    expect(isAudited(promise)).toBe(true);
    expect(isAudited(promise.pool)).toBe(true);
  });

  it('rejects objects that are not mysql2 pools with UnsupportedPoolError', () => {
    const connection = mysql.createConnection({ ...options, port: 1 });
    connection.on('error', () => undefined);
    for (const bad of [{}, null, undefined, 42, connection, { getConnection() {} }]) {
      expect(() => auditPool(bad as unknown as Mysql2Auditable)).toThrow(UnsupportedPoolError);
    }
    try {
      auditPool({} as Mysql2Auditable);
    } catch (err) {
      expect((err as UnsupportedPoolError).code).toBe('POOLAUDIT_UNSUPPORTED_POOL');
      expect((err as Error).message).toContain('a plain object');
    }
    connection.destroy();
  });

  it('rejects bad options, naming the option and the value', () => {
    const pool = mysql.createPool(options);
    pools.push(pool);
    expect(() => auditPool(pool, { name: '' })).toThrow(/name must be a non-empty string, got ""/);
    expect(() => auditPool(pool, { auditor: {} as never })).toThrow(InvalidOptionError);
    expect(() => auditPool(pool, { nmae: 'x' } as never)).toThrow(
      'poolaudit: auditPool(): unknown option nmae; did you mean name? (known: name, auditor, createOptions)',
    );
    expect(() => auditPool(pool, 'x' as never)).toThrow(InvalidOptionError);
    expect(() => auditPool(pool, { createOptions: 'mysql://x' as never })).toThrow(
      /createOptions must be the options object given to createPool\(\)/,
    );
    expect(isAudited(pool)).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(pool, 'getConnection')).toBe(false);
  });

  it('audits a pool once: a second auditPool() returns it, renames it, and says once what it ignores', () => {
    const auditor = createAuditor();
    const other = createAuditor();
    const pool = mysql.createPool(options);
    pools.push(pool);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      auditPool(pool, { auditor });
      const wrapped: unknown = Reflect.get(pool, 'getConnection');
      expect(auditPool(pool, { name: 'orders', auditor })).toBe(pool);
      expect(Reflect.get(pool, 'getConnection')).toBe(wrapped);
      expect(auditor.poolNames()).toEqual(['orders']);
      expect(warn).not.toHaveBeenCalled();
      expect(auditPool(pool.promise(), { auditor: other })).toBeDefined();
      expect(auditPool(pool, { auditor: other })).toBe(pool);
      expect(other.poolNames()).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toBe(
        'poolaudit: auditPool() was called again for the pool "orders", which is already audited: auditor ' +
          'differs from the first audit and is ignored (detach it first to audit it with other options).',
      );
    } finally {
      warn.mockRestore();
    }
    expect(detach(pool)).toBe(true);
    expect(auditPool(pool, { name: 'again', auditor })).toBe(pool);
    expect(auditor.poolNames()).toEqual(['orders', 'again']);
    expect(detach(pool)).toBe(true);
  });

  it('createOptions: a typo mysql2 dropped is a mysql2/unknown-option finding of the startup lint', async () => {
    const auditor = createAuditor();
    const given = { ...options, maxIdel: 10, idleTimeout: 30_000 };
    const pool = mysql.createPool(given);
    pools.push(pool);
    auditPool(pool, { auditor, createOptions: given });
    const findings = await auditor.lint();
    expect(findings.find((f) => f.code === 'mysql2/unknown-option')).toMatchObject({
      severity: 'warning',
      message:
        'maxIdel (did you mean maxIdle?) is not an option of mysql2: mysql2 ignores it, so maxIdle stays at its default.',
      advice: 'Rename maxIdel to maxIdle.',
    });
    // Without them the pool's own options are all mysql2 kept: nothing to see.
    const plain = createAuditor();
    const other = mysql.createPool(given);
    pools.push(other);
    auditPool(other, { auditor: plain });
    expect((await plain.lint()).map((f) => f.code)).not.toContain('mysql2/unknown-option');
  });

  it('records nothing with a disabled auditor and still works as a pool', () => {
    const auditor = createAuditor({ enabled: false });
    const pool = mysql.createPool(options);
    pools.push(pool);
    auditPool(pool, { auditor });
    expect(auditor.snapshot().pools).toEqual([]);
    expect(pool.escape('a')).toBe("'a'");
  });
});
