import { createAuditor } from '@poolaudit/core';
import { auditPool, isAudited } from '@poolaudit/mysql2';
import mysql from 'mysql2';

// No server needed: mysql2 opens nothing until the first acquire.
const options = { host: '127.0.0.1', port: 1, user: 'nobody', connectionLimit: 3 };

describe('POOLAUDIT_DISABLE=mysql2', () => {
  afterEach(() => {
    delete process.env['POOLAUDIT_DISABLE'];
  });

  it('hands the pool back untouched: same keys, same listeners, nothing registered', async () => {
    process.env['POOLAUDIT_DISABLE'] = 'mysql2,ioredis';
    const auditor = createAuditor({ logger: { info: () => undefined, warn: () => undefined } });
    const pool = mysql.createPool(options);
    const keys = Reflect.ownKeys(pool);
    const listeners = pool.eventNames().map((e) => [e, pool.listenerCount(e)]);
    expect(auditPool(pool, { name: 'orders-db', auditor })).toBe(pool);
    expect(isAudited(pool)).toBe(false);
    expect(Reflect.ownKeys(pool)).toEqual(keys);
    expect(pool.eventNames().map((e) => [e, pool.listenerCount(e)])).toEqual(listeners);
    expect(auditor.poolNames()).toEqual([]);
    await pool.promise().end();
  });

  it('audits as usual when it names other libraries only', async () => {
    process.env['POOLAUDIT_DISABLE'] = 'undici';
    const auditor = createAuditor();
    const pool = auditPool(mysql.createPool(options), { name: 'orders-db', auditor });
    expect(isAudited(pool)).toBe(true);
    expect(auditor.poolNames()).toEqual(['orders-db']);
    await pool.promise().end();
  });
});
