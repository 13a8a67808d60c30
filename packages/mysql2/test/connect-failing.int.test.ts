import { createAuditor, formatReport } from '@poolaudit/core';
import type { Auditor, PoolStats } from '@poolaudit/core';
import mysql from 'mysql2';
import { freePort } from '../../../test/harness/free-port.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { auditPool } from '../src/index.js';

function stats(auditor: Auditor): PoolStats {
  return auditor.snapshot().pools[0]!.stats;
}

/** Runs `SELECT 1` and hands back the error code mysql2 gave the application. */
function failingQuery(pool: mysql.Pool): Promise<string> {
  return new Promise((resolve) => {
    pool.query('SELECT 1', (err) => resolve(err ? String((err as { code?: string }).code) : 'ok'));
  });
}

describe('a mysql2 pool that cannot connect', () => {
  it('nothing listening: connect-failing with ECONNREFUSED, the acquires failed, the report says so', async () => {
    const auditor = createAuditor();
    const port = await freePort();
    const pool = auditPool(mysql.createPool({ host: '127.0.0.1', port, user: 'root', database: 'test' }), {
      auditor,
      name: 'orders',
    });
    try {
      expect(await failingQuery(pool)).toBe('ECONNREFUSED');
      expect(await failingQuery(pool)).toBe('ECONNREFUSED');
      expect(await eventually(() => stats(auditor).connectErrors === 2)).toBe(true);
      expect(stats(auditor)).toMatchObject({
        created: 0,
        open: 0,
        acquireErrors: 2,
        connectErrorsByCode: { ECONNREFUSED: 2 },
        lastConnectError: { code: 'ECONNREFUSED', endpoint: `127.0.0.1:${port}` },
      });
      const finding = auditor.findings().find((f) => f.code === 'connect-failing');
      expect(finding).toMatchObject({ severity: 'error', endpoint: `127.0.0.1:${port}` });
      expect(formatReport(auditor.snapshot())).toContain(
        `orders (mysql2) → 127.0.0.1:${port} (never connected)`,
      );
      // The startup lint's probe fails the same way, and says why.
      const probe = (await auditor.lint({ probeServers: true })).find(
        (f) => f.code === 'poolaudit/server-probe-failed',
      );
      expect(probe?.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    } finally {
      pool.end();
    }
  });

  it('wrong password, unknown database: the server refused, and the advice says what to check', async () => {
    const auditor = createAuditor();
    const denied = auditPool(
      mysql.createPool({
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
        password: 'not-the-password',
        database: 'test',
      }),
      { auditor, name: 'denied' },
    );
    const missing = auditPool(
      mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'root', database: 'no_such_database_here' }),
      { auditor, name: 'missing' },
    );
    try {
      expect(await failingQuery(denied)).toBe('ER_ACCESS_DENIED_ERROR');
      expect(await failingQuery(missing)).toBe('ER_BAD_DB_ERROR');
      const finding = (pool: string) =>
        auditor.findings().find((f) => f.code === 'connect-failing' && f.pool === pool);
      expect(
        await eventually(() => finding('denied') !== undefined && finding('missing') !== undefined),
      ).toBe(true);
      expect(finding('denied')?.advice).toContain('refused the credentials');
      expect(finding('denied')?.message).toContain('ER_ACCESS_DENIED_ERROR: Access denied for user');
      // The password is in the pool's options, never in what the audit keeps.
      expect(JSON.stringify(auditor.snapshot())).not.toContain('not-the-password');
      expect(finding('missing')?.advice).toContain('does not exist');
    } finally {
      denied.end();
      missing.end();
    }
  });
});
