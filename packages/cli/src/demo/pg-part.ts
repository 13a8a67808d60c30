import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/pg';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

const REQUEST_EVERY_MS = 300;
const IDLE_TIMEOUT_MS = 200;
/** The cure: pg-pool's own default, far above the gap between requests. */
const ADVISED_IDLE_TIMEOUT_MS = 10_000;

/**
 * A pg pool whose idleTimeoutMillis (200 ms) is shorter than the gap between its queries (300 ms): every query
 * dials a new connection and the idle timer closes it before the next, a TIME_WAIT socket each. The advice
 * (idleTimeoutMillis above the gap) stops it.
 */
export async function pgPart(
  out: DemoConsole,
  pg: DemoLibraries['pg'],
  url: string,
): Promise<{ createdBefore: number; createdAfter: number }> {
  out.line(
    `  idleTimeoutMillis ${IDLE_TIMEOUT_MS}, one query every ${REQUEST_EVERY_MS} ms (a quiet endpoint), 5 s:`,
  );
  const before = await run(out, pg, url, IDLE_TIMEOUT_MS, 5);
  out.findings('Findings', before.findings);
  out.findings('Lint (with the server asked for max_connections and idle_session_timeout)', before.lint);
  out.line();
  out.line(
    `  Applying the advice: idleTimeoutMillis ${ADVISED_IDLE_TIMEOUT_MS} (pg's default, above the gap). Same load, 3 s:`,
  );
  const after = await run(out, pg, url, ADVISED_IDLE_TIMEOUT_MS, 3);
  out.findings('Findings', after.findings);
  return { createdBefore: before.created, createdAfter: after.created };
}

async function run(
  out: DemoConsole,
  pg: DemoLibraries['pg'],
  url: string,
  idleTimeoutMillis: number,
  seconds: number,
) {
  const auditor = createAuditor();
  const pool = auditPool(
    new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis, connectionTimeoutMillis: 5000 }),
    { name: 'accounts-db', auditor },
  );
  const kernel = new KernelView(auditor);
  try {
    const started = Date.now();
    for (let second = 1; second <= seconds; second++) {
      while (Date.now() < started + second * 1000) {
        await pool.query('SELECT 1');
        await pause(REQUEST_EVERY_MS);
      }
      const stats = kernel.pool()?.stats;
      if (!stats) continue;
      out.line(
        `  ${String(second).padStart(2)}s queries ${stats.acquired} · connections opened ${stats.created} · ` +
          `closed for idle time ${stats.closed.idleTimeout} · ${await kernel.timeWait()}`,
      );
    }
    const findings = auditor.findings();
    const lint = await auditor.lint({ probeServers: true });
    return { findings, lint, created: auditor.snapshot().pools[0]?.stats.created ?? 0 };
  } finally {
    kernel.close();
    await pool.end();
  }
}
