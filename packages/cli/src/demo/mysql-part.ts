import { createAuditor, formatDBStats } from '@poolaudit/core';
import { auditPool } from '@poolaudit/mysql2';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

const WORKERS = 50;
/** One burst per round; longer than mysql2's 1 s reaper period, so the reaper runs in every quiet gap. */
const ROUND_MS = 1500;

/**
 * The canonical symptom, live: connectionLimit 100, maxIdle 10, 50 workers in bursts. mysql2 destroys what
 * exceeds maxIdle every second and dials again for the next burst; the advice (maxIdle = the observed peak)
 * stops it.
 */
export async function mysqlPart(
  out: DemoConsole,
  mysql: DemoLibraries['mysql2'],
  uri: string,
): Promise<{ closedBefore: number; closedAfter: number }> {
  out.line(
    `  connectionLimit 100, maxIdle 10, ${WORKERS} workers in bursts of short queries (SELECT SLEEP(0.02)), 8 s:`,
  );
  const before = await run(out, mysql, uri, 10, 8);
  out.findings('Findings', before.findings);
  out.findings('Lint (with the server asked for wait_timeout and max_connections)', before.lint);
  const advised = Number(
    before.findings.find((f) => f.code === 'max-idle-churn')?.evidence['peakInUse'] ?? WORKERS,
  );
  out.line();
  out.line(`  Applying the advice: maxIdle ${advised}. Same load, 4 bursts:`);
  const after = await run(out, mysql, uri, advised, 4);
  out.findings('Findings', after.findings);
  return { closedBefore: before.closed, closedAfter: after.closed };
}

async function run(
  out: DemoConsole,
  mysql: DemoLibraries['mysql2'],
  uri: string,
  maxIdle: number,
  rounds: number,
) {
  const auditor = createAuditor();
  const pool = auditPool(mysql.createPool({ uri, connectionLimit: 100, maxIdle, idleTimeout: 60_000 }), {
    name: `orders-db`,
    auditor,
  });
  const query = pool.promise();
  const kernel = new KernelView(auditor);
  try {
    const started = Date.now();
    for (let round = 1; round <= rounds; round++) {
      await Promise.all(Array.from({ length: WORKERS }, () => query.query('SELECT SLEEP(0.02)')));
      await pause(Math.max(0, started + round * ROUND_MS - Date.now()));
      const stats = kernel.pool()?.stats;
      if (!stats) continue;
      out.line(`  ${((round * ROUND_MS) / 1000).toFixed(1).padStart(4)}s ${formatDBStats(stats)}`);
      // The Go line's companion: the footprint, confirmed by the kernel per 4-tuple or counted, and which.
      out.line(`        ${await kernel.timeWait()}`);
    }
    const findings = auditor.findings();
    const lint = await auditor.lint({ probeServers: true });
    const closed = auditor.snapshot().pools[0]?.stats.closed.maxIdle ?? 0;
    return { findings, lint, closed };
  } finally {
    kernel.close();
    await query.end();
  }
}
