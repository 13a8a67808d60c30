import { createAuditor } from '@poolaudit/core';
import { auditRedis } from '@poolaudit/ioredis';
import type { Redis } from 'ioredis';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

const REQUEST_EVERY_MS = 50;

/** A service that creates (and disconnects) a Redis client per request, then the same load on one shared client. */
export async function redisPart(
  out: DemoConsole,
  ioredis: DemoLibraries['ioredis'],
  host: string,
  port: number,
): Promise<{ createdBefore: number; createdAfter: number }> {
  out.line(
    `  A Redis client created and disconnected per request, a request every ${REQUEST_EVERY_MS} ms, 4 s:`,
  );
  const before = await run(out, ioredis, host, port, 4, false);
  out.findings('Findings', before.findings);
  out.line();
  out.line('  Applying the advice: one client, created at startup and shared. Same load, 3 s:');
  const after = await run(out, ioredis, host, port, 3, true);
  out.findings('Findings', after.findings);
  return { createdBefore: before.created, createdAfter: after.created };
}

async function run(
  out: DemoConsole,
  { Redis }: DemoLibraries['ioredis'],
  host: string,
  port: number,
  seconds: number,
  shared: boolean,
) {
  const auditor = createAuditor();
  const client = (): Redis =>
    auditRedis(new Redis({ host, port, lazyConnect: false }), { name: 'cache', auditor });
  const sharedClient = shared ? client() : undefined;
  const kernel = new KernelView(auditor);
  try {
    const started = Date.now();
    for (let second = 1; second <= seconds; second++) {
      while (Date.now() < started + second * 1000) {
        const c = sharedClient ?? client();
        await c.get('poolaudit:demo');
        if (!sharedClient) c.disconnect();
        await pause(REQUEST_EVERY_MS);
      }
      const stats = kernel.pool()?.stats;
      if (!stats) continue;
      out.line(
        `  ${String(second).padStart(2)}s commands ${stats.acquired} · connections opened ${stats.created} · ` +
          `closed here first ${stats.closedBy.local} · ${await kernel.timeWait()}`,
      );
    }
    return { findings: auditor.findings(), created: auditor.snapshot().pools[0]?.stats.created ?? 0 };
  } finally {
    kernel.close();
    sharedClient?.disconnect();
  }
}
