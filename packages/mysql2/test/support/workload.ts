import type { EventEmitter } from 'node:events';

export { allSidesSettled, invariantsHold, poolSnapshot } from '../../../../test/harness/pool-checks';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Workload {
  /** Concurrent workers. */
  readonly workers: number;
  /** How long the whole run may last (ms). */
  readonly durationMs: number;
  /** Each worker's bound on iterations, whatever the clock says. */
  readonly maxIterations: number;
  /** One unit of work: a query, or an acquire/hold/release. */
  readonly run: (worker: number) => Promise<unknown>;
  /**
   * Bursts: work for the first `burstMs` of every `periodMs`, then wait for the next period, so that the
   * pool sees all workers at once and then none. Without it workers run back to back.
   */
  readonly burst?: { readonly periodMs: number; readonly burstMs: number };
}

export interface WorkloadResult {
  readonly ok: number;
  readonly errors: readonly string[];
}

/** Runs `workers` loops, bounded in time and count; collects results and error messages (never throws). */
export async function runWorkload(w: Workload): Promise<WorkloadResult> {
  const start = Date.now();
  const deadline = start + w.durationMs;
  let ok = 0;
  const errors: string[] = [];
  const worker = async (i: number): Promise<void> => {
    for (let n = 0; n < w.maxIterations && Date.now() < deadline; n++) {
      if (w.burst) {
        const inPeriod = (Date.now() - start) % w.burst.periodMs;
        if (inPeriod >= w.burst.burstMs) await pause(w.burst.periodMs - inPeriod);
        if (Date.now() >= deadline) break;
      }
      try {
        await w.run(i);
        ok++;
      } catch (err) {
        errors.push(
          err instanceof Error ? `${(err as { code?: string }).code ?? ''} ${err.message}` : String(err),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: w.workers }, (_, i) => worker(i)));
  return { ok, errors };
}

/** The local ports of every connection the pool opens (read at its 'connection' event). */
export function collectLocalPorts(pool: object): Set<number> {
  const ports = new Set<number>();
  (pool as EventEmitter).on(
    'connection',
    (conn: { stream?: { localPort?: number }; connection?: { stream?: { localPort?: number } } }) => {
      const port = conn.stream?.localPort ?? conn.connection?.stream?.localPort;
      if (port !== undefined) ports.add(port);
    },
  );
  return ports;
}

interface Mysql2Internals {
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _connectionQueue: { length: number };
}

/** mysql2's own counts (its `lib/base/pool.js` state) of a callback pool, to check the ledger against. */
export function mysql2State(pool: object): { all: number; free: number; queued: number } {
  const p = pool as Mysql2Internals;
  return {
    all: p._allConnections.length,
    free: p._freeConnections.length,
    queued: p._connectionQueue.length,
  };
}
