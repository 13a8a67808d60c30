import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { createPool } from 'generic-pool';
import { auditPool } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';

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
    // The pool keeps its own keys and listener counts: the hooks dispatch from Pool.prototype.
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(2);
  } finally {
    echo.close();
  }
});
