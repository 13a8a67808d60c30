import { once } from 'node:events';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { auditAgent } from '@poolaudit/http';
import type { DemoConsole } from './console.js';
import { pause } from './console.js';
import type { DemoLibraries } from './library.js';

const REQUEST_EVERY_MS = 50;
const SECONDS = 4;

/**
 * axios with a new keep-alive `http.Agent` per request — the most common HTTP churn: every request dials
 * a connection, and each abandoned agent leaves its socket open until the server closes it. One shared
 * agent cures it.
 */
export async function httpAgentPart(
  out: DemoConsole,
  axios: DemoLibraries['axios'],
): Promise<{ createdBefore: number; createdAfter: number }> {
  const server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  try {
    out.line(
      `  axios.get(url, { httpAgent: new http.Agent({ keepAlive: true }) }) every ${REQUEST_EVERY_MS} ms, ${SECONDS} s, against 127.0.0.1:${port}:`,
    );
    const before = await run(out, axios, url, () => new Agent({ keepAlive: true }));
    out.findings('Findings', before.findings);
    out.line();
    out.line(
      '  Applying the advice: one http.Agent({ keepAlive: true, timeout: 4000 }) shared by every request:',
    );
    const shared = new Agent({ keepAlive: true, timeout: 4000 });
    const after = await run(out, axios, url, () => shared);
    out.findings('Findings', after.findings);
    return { createdBefore: before.created, createdAfter: after.created };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function run(out: DemoConsole, axios: DemoLibraries['axios'], url: string, agentFor: () => Agent) {
  const auditor = createAuditor();
  const agents = new Set<Agent>();
  try {
    const started = Date.now();
    for (let second = 1; second <= SECONDS; second++) {
      while (Date.now() < started + second * 1000) {
        // What @poolaudit/register does for every agent an application creates.
        const agent = auditAgent(agentFor(), { auditor });
        agents.add(agent);
        await axios.get(url, { httpAgent: agent });
        await pause(REQUEST_EVERY_MS);
      }
      const stats = only(auditor)?.stats;
      if (!stats) continue;
      out.line(
        `  ${String(second).padStart(2)}s requests ${stats.acquired} · agents ${agents.size} · connections opened ${stats.created} · ` +
          `open now ${stats.open} · requests/connection ${stats.usesPerConnection}`,
      );
    }
    return { findings: auditor.findings(), created: only(auditor)?.stats.created ?? 0 };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

function only(auditor: Auditor) {
  return auditor.snapshot().pools[0];
}
