import { Agent } from 'node:http';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';
import { ok, startServer } from '../../../test/harness/http-servers.js';
import { auditAgent } from '../src/index.js';
import { get } from './support/requests.js';

/** Every socket the agent holds, free or in use: destroyed, and waited for. */
async function destroyAgent(agent: Agent): Promise<void> {
  const sockets = [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].flat() as Socket[];
  const closed = sockets.filter((s) => !s.closed).map((s) => once(s, 'close'));
  agent.destroy();
  await Promise.all(closed);
}

it('an audited http.Agent, on the same workload: same connections and bytes at the server, same shape', async () => {
  const server = await startServer(ok);
  try {
    const auditor = createAuditor();
    // The runs go one after the other, each through its own counting proxy.
    let origin = '';
    const { raw, audited } = await observeParity({
      serverPort: server.port,
      create: (port) => {
        origin = `http://127.0.0.1:${port}`;
        return new Agent({ keepAlive: true, maxSockets: 2 });
      },
      audit: (agent) => auditAgent(agent, { auditor, name: 'parity' }),
      workload: async (agent) => {
        // A burst over the limit (three wait for a socket), then one more on a socket kept alive.
        const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => get(`${origin}/b${i}`, agent)));
        const after = await get(`${origin}/after`, agent);
        expect([...burst, after].map((o) => o.status)).toEqual([200, 200, 200, 200, 200, 200]);
      },
      emitters: (agent) => ({ agent }),
      close: destroyAgent,
    });
    // The agent keeps its own keys and listener counts: the hooks dispatch from http.Agent.prototype.
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(2);
    expect(auditor.snapshot().pools[0]?.stats).toMatchObject({ created: 2, acquired: 6, waitCount: 3 });
  } finally {
    await server.close();
  }
});
