import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { auditDispatcher } from '@poolaudit/undici';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

const REQUEST_EVERY_MS = 150;

/**
 * A node:http server whose keep-alive timeout is 1 s hints `Keep-Alive: timeout=1`; undici subtracts its
 * 2 s threshold and closes every connection after its response. Raising the server's timeout cures it.
 */
export async function httpPart(
  out: DemoConsole,
  undici: DemoLibraries['undici'],
): Promise<{ createdBefore: number; createdAfter: number }> {
  const server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    server.keepAliveTimeout = 1000;
    out.line(
      `  node:http server on 127.0.0.1:${port} with keepAliveTimeout 1 s; an undici Pool sends a request every ${REQUEST_EVERY_MS} ms, 4 s:`,
    );
    const before = await run(out, undici, port, 4);
    out.findings('Findings', before.findings);
    out.line();
    out.line('  Applying the advice: server.keepAliveTimeout = 65 s. Same load, 4 s:');
    server.keepAliveTimeout = 65_000;
    const after = await run(out, undici, port, 4);
    out.findings('Findings', after.findings);
    return { createdBefore: before.created, createdAfter: after.created };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function run(out: DemoConsole, { Pool }: DemoLibraries['undici'], port: number, seconds: number) {
  const auditor = createAuditor();
  const pool = auditDispatcher(new Pool(`http://127.0.0.1:${port}`), { name: 'api', auditor });
  const endpoint = `127.0.0.1:${port}`;
  const kernel = new KernelView(auditor);
  try {
    const started = Date.now();
    for (let second = 1; second <= seconds; second++) {
      while (Date.now() < started + second * 1000) {
        const { body } = await pool.request({ path: '/', method: 'GET' });
        await body.text();
        await pause(REQUEST_EVERY_MS);
      }
      const stats = auditor.snapshot().pools[0]?.stats;
      if (!stats) continue;
      out.line(
        `  ${String(second).padStart(2)}s requests ${stats.acquired} · connections opened ${stats.created} · ` +
          `closed here first ${stats.closedBy.local} · requests/connection ${stats.usesPerConnection} · ` +
          (await kernel.timeWait(endpoint)),
      );
    }
    return { findings: auditor.findings(), created: auditor.snapshot().pools[0]?.stats.created ?? 0 };
  } finally {
    kernel.close();
    await pool.close();
  }
}
