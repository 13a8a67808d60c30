import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { Pool } from 'undici';
import { auditDispatcher } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';

it('an audited undici Pool, on the same workload: same connections and bytes at the server, same shape', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const auditor = createAuditor();
    const { raw, audited } = await observeParity({
      serverPort: (server.address() as AddressInfo).port,
      create: (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 2 }),
      audit: (pool) => auditDispatcher(pool, { auditor }),
      workload: async (pool) => {
        await Promise.all(
          Array.from({ length: 5 }, async () => {
            const { body } = await pool.request({ path: '/', method: 'GET' });
            await body.text();
          }),
        );
      },
      emitters: (pool) => ({ pool }),
      close: (pool) => pool.close(),
    });
    // No listener on the dispatcher: connections are matched to it by connector on undici's channels.
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(2);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
