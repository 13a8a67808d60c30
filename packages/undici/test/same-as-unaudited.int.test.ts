import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { Pool } from 'undici';
import { auditDispatcher } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';
import type { ParityObservation } from '../../../test/harness/parity.js';

/**
 * Not yet the same: the adapter learns of each new connection from the dispatcher's own 'connect' and
 * 'connectionError' events (undici's `undici:client:connected` channel does not say which dispatcher
 * connected), so one listener more shows on each. Everything the server sees is the same. When the
 * adapter stops listening there, this list becomes empty.
 */
function notYetTheSame(raw: ParityObservation): string[] {
  return (['before', 'after'] as const).flatMap((moment) =>
    ['connect', 'connectionError'].map((event) => {
      const counts = moment === 'before' ? raw.listenersBefore : raw.listenersAfter;
      const n = counts[`pool.${event}`] ?? 0;
      return `listeners (${moment}) pool.${event}: ${n} unaudited, ${n + 1} audited`;
    }),
  );
}

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
    expect(parityDifferences(raw, audited)).toEqual(notYetTheSame(raw));
    expect(raw.connections).toBe(2);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
