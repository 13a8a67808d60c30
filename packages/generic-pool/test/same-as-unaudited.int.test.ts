import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { createPool } from 'generic-pool';
import { auditPool } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';

const WRAPPED = [
  'acquire',
  'release',
  '_dispatchPooledResourceToNextWaitingClient',
  'destroy',
  '_destroy',
  '_evict',
  'clear',
  'drain',
];

/**
 * Not yet the same: the adapter wraps eight methods as own (non-enumerable) properties of the pool and
 * listens for 'factoryCreateError' and 'factoryDestroyError' on it. Everything the server sees is the
 * same. When the adapter hooks only the pool's internal collections, this list becomes empty.
 */
const NOT_YET_THE_SAME = (['before', 'after'] as const).flatMap((moment) => [
  ...WRAPPED.map((key) => `own key added (${moment}): ${key} (non-enumerable)`),
  `listeners (${moment}) pool.factoryCreateError: 0 unaudited, 1 audited`,
  `listeners (${moment}) pool.factoryDestroyError: 0 unaudited, 1 audited`,
]);

it('an audited generic-pool of TCP sockets, on the same workload: same connections and bytes, same shape', async () => {
  const echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  try {
    const { raw, audited } = await observeParity({
      serverPort: (echo.address() as AddressInfo).port,
      create: (port) =>
        createPool<Socket>(
          {
            create: async () => {
              const socket = connect(port, '127.0.0.1');
              await once(socket, 'connect');
              return socket;
            },
            destroy: async (socket) => {
              socket.end();
              await once(socket, 'close');
            },
          },
          { max: 2 },
        ),
      audit: (pool) => auditPool(pool, { auditor: createAuditor() }),
      workload: async (pool) => {
        const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
        const queued = pool.acquire();
        a.write('x');
        await pool.release(a);
        await pool.destroy(b);
        await pool.release(await queued);
      },
      emitters: (pool) => ({ pool }),
      close: async (pool) => {
        await pool.drain();
        await pool.clear();
      },
    });
    expect(parityDifferences(raw, audited).sort()).toEqual([...NOT_YET_THE_SAME].sort());
    expect(raw.connections).toBe(2);
  } finally {
    echo.close();
  }
});
