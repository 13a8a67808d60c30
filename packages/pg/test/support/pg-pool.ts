import type { Pool, PoolClient } from 'pg';

/** Local ports of every client the pool connects (read at its 'connect', while the socket is open). */
export function collectLocalPorts(pool: Pool): Set<number> {
  const ports = new Set<number>();
  pool.on('connect', (client) => {
    const port = (client as unknown as { connection?: { stream?: { localPort?: number } } }).connection
      ?.stream?.localPort;
    if (port !== undefined) ports.add(port);
  });
  return ports;
}

/** pg-pool's own counts, to check the ledger against. */
export function pgState(pool: Pool): { total: number; idle: number; waiting: number } {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `pg_backend_pid()` of a checked-out client. */
export async function backendPid(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return Number(rows[0]?.pid);
}
