import { createAuditor } from '@poolaudit/core';
import { auditPool } from '@poolaudit/redis';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

/** Commands in one burst, each holding a pool client for 100 ms (a BLPOP on an empty list that times out). */
const BURST = 8;
/** The gap between bursts: longer than node-redis's default cleanupDelay (3 s). */
const GAP_MS = 3_500;
const BURSTS = 3;
/** The advice applied: the cleanup waits out the gap. */
const CURED_CLEANUP_MS = 10_000;

/** A node-redis pool under bursts, with its default cleanupDelay, then with the advice applied. */
export async function nodeRedisPart(
  out: DemoConsole,
  redis: DemoLibraries['redis'],
  url: string,
): Promise<{ closedBefore: number; closedAfter: number }> {
  out.line(
    `  createClientPool() with its defaults (minimum 1, cleanupDelay 3 s), a burst of ${BURST} commands every ` +
      `${GAP_MS / 1000} s:`,
  );
  const before = await run(out, redis, url, {});
  out.findings('Findings', before.findings);
  out.line();
  out.line(`  Applying the advice: cleanupDelay ${CURED_CLEANUP_MS / 1000} s. Same bursts:`);
  const after = await run(out, redis, url, { cleanupDelay: CURED_CLEANUP_MS });
  out.findings('Findings', after.findings);
  return { closedBefore: before.closed, closedAfter: after.closed };
}

async function run(
  out: DemoConsole,
  { createClientPool }: DemoLibraries['redis'],
  url: string,
  poolOptions: { readonly cleanupDelay?: number },
) {
  const auditor = createAuditor({ detectors: { 'idle-timeout-churn': { minEvents: 2, minSeconds: 1 } } });
  const pool = auditPool(createClientPool({ url }, poolOptions), { name: 'sessions', auditor, poolOptions });
  const kernel = new KernelView(auditor);
  try {
    await pool.connect();
    for (let burst = 1; burst <= BURSTS; burst++) {
      if (burst > 1) await pause(GAP_MS);
      await Promise.all(
        Array.from({ length: BURST }, () =>
          pool.execute((client) => client.sendCommand(['BLPOP', 'poolaudit:demo:empty', '0.1'])),
        ),
      );
      const stats = kernel.pool()?.stats;
      if (!stats) continue;
      out.line(
        `  burst ${burst}: connections opened ${stats.created} · cleaned up (cleanupDelay) ` +
          `${stats.closedDetail['cleanupDelay'] ?? 0} · ${await kernel.timeWait()}`,
      );
    }
    const stats = auditor.snapshot().pools[0]?.stats;
    return { findings: auditor.findings(), closed: stats?.closed.idleTimeout ?? 0 };
  } finally {
    kernel.close();
    pool.destroy();
  }
}
