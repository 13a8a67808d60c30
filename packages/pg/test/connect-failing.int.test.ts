import { createAuditor, formatReport } from '@poolaudit/core';
import type { Auditor, PoolStats } from '@poolaudit/core';
import { auditPool } from '@poolaudit/pg';
import pg from 'pg';
import { freePort } from '../../../test/harness/free-port';
import { eventually } from '../../../test/harness/kernel-sockets';
import { sharedPgOptions } from '../../../test/harness/postgres';

const server = sharedPgOptions();

function statsOf(auditor: Auditor, name: string): PoolStats {
  return auditor.snapshot().pools.find((p) => p.name === name)!.stats;
}

async function errorCode(pool: pg.Pool): Promise<string> {
  return pool.query('SELECT 1').then(
    () => 'ok',
    (err: unknown) => String((err as { code?: string }).code),
  );
}

describe('a pg pool that cannot connect', () => {
  it('nothing listening, an unknown database, an unknown role: each failed connect with its code', async () => {
    const auditor = createAuditor();
    const port = await freePort();
    const refused = auditPool(new pg.Pool({ ...server, port }), { auditor, name: 'refused' });
    const noDb = auditPool(new pg.Pool({ ...server, database: 'no_such_database_here' }), {
      auditor,
      name: 'no-db',
    });
    const noRole = auditPool(new pg.Pool({ ...server, user: 'no_such_role_here' }), {
      auditor,
      name: 'no-role',
    });
    try {
      expect(await errorCode(refused)).toBe('ECONNREFUSED');
      expect(await errorCode(noDb)).toBe('3D000');
      expect(await errorCode(noRole)).toBe('28000');
      expect(
        await eventually(() =>
          ['refused', 'no-db', 'no-role'].every((n) => statsOf(auditor, n).connectErrors === 1),
        ),
      ).toBe(true);
      expect(statsOf(auditor, 'refused')).toMatchObject({
        created: 0,
        acquireErrors: 1,
        lastConnectError: { code: 'ECONNREFUSED', endpoint: `${server.host}:${port}` },
      });
      expect(statsOf(auditor, 'no-db').lastConnectError).toMatchObject({
        code: '3D000',
        message: 'database "no_such_database_here" does not exist',
      });
      const advice = (pool: string) =>
        auditor.findings().find((f) => f.code === 'connect-failing' && f.pool === pool)?.advice;
      expect(advice('refused')).toContain('Nothing accepts connections');
      expect(advice('no-db')).toContain('does not exist');
      expect(advice('no-role')).toContain('refused the credentials');
      expect(formatReport(auditor.snapshot())).toContain(
        `refused (pg) → ${server.host}:${port} (never connected)`,
      );
      // The pool's clients keep their own keys: the connect wrapper left with the connect call.
      const client = await new pg.Pool(server).connect();
      const audited = auditPool(new pg.Pool(server), { auditor, name: 'fine' });
      const auditedClient = await audited.connect();
      expect(Object.keys(auditedClient)).toEqual(Object.keys(client));
      expect(Object.hasOwn(auditedClient, 'connect')).toBe(false);
      client.release(true);
      auditedClient.release();
      await audited.end();
    } finally {
      await Promise.all([refused.end(), noDb.end(), noRole.end()]);
    }
  });
});
