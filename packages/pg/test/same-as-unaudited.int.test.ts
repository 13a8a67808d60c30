import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/pg';
import pg from 'pg';
import { observeParity, parityDifferences } from '../../../test/harness/parity';
import type { CountsListeners } from '../../../test/harness/parity';
import { poolSnapshot } from '../../../test/harness/pool-checks';
import { sharedPgOptions } from '../../../test/harness/postgres';
import { pause } from './support/pg-pool';

const server = sharedPgOptions();

/** What the application saw on one run: every result and every error, in order. */
type Seen = string[];

/** Two clients held, a third acquire queued behind them, a failed query (pg-pool destroys its client), end. */
async function workload(pool: pg.Pool, seen: Seen): Promise<void> {
  const a = await pool.connect();
  const b = await pool.connect();
  const third = pool.connect();
  await pause(20);
  seen.push(`waiting ${pool.waitingCount}`);
  seen.push(JSON.stringify((await a.query<{ n: number }>('SELECT 1 AS n')).rows));
  a.release();
  const c = await third;
  try {
    await c.query('SELECT no_such_column');
  } catch (err) {
    seen.push(`error ${(err as { code?: string }).code} ${(err as Error).message}`);
    c.release(err as Error);
  }
  b.release();
  seen.push(JSON.stringify((await pool.query<{ n: number }>('SELECT $1::int AS n', [2])).rows));
  seen.push(`total ${pool.totalCount} idle ${pool.idleCount} waiting ${pool.waitingCount}`);
}

/** The pool and each of its clients, as the application can reach them. */
function emittersOf(pool: pg.Pool): Record<string, CountsListeners | undefined> {
  const emitters: Record<string, CountsListeners | undefined> = { pool };
  const clients = (pool as unknown as { _clients: CountsListeners[] })._clients;
  clients.forEach((client, i) => (emitters[`client ${i}`] = client));
  return emitters;
}

describe('audited and unaudited, the same workload', () => {
  it('gives the same results and errors, keeps the keys and prototype, and the server sees the same connections and bytes', async () => {
    const auditor = createAuditor();
    const seen = new Map<pg.Pool, Seen>();
    const { raw, audited } = await observeParity({
      serverPort: server.port,
      create: (port) => {
        const pool = new pg.Pool({ ...server, port, max: 2 });
        seen.set(pool, []);
        return pool;
      },
      audit: (pool) => auditPool(pool, { auditor, name: 'parity' }),
      workload: (pool) => workload(pool, seen.get(pool) ?? []),
      emitters: emittersOf,
      close: (pool) => pool.end(),
    });
    // Nothing the application can see: no key, no listener (the hooks dispatch from Pool.prototype).
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(2);
    const [rawSeen, auditedSeen] = [...seen.values()];
    expect(auditedSeen).toEqual(rawSeen);
    expect(rawSeen).toContain('error 42703 column "no_such_column" does not exist');

    const stats = poolSnapshot(auditor, 'parity').stats;
    expect(stats).toMatchObject({ created: 2, waitCount: 1, pending: 0, inUse: 0, open: 0 });
    expect(stats.closed.error).toBe(1);
    expect(stats.closed.shutdown).toBe(1);
    auditor.close();
  });
});
