import { createAuditor } from '@poolaudit/core';
import Redis from 'ioredis';
import { auditRedis } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';

it('an audited ioredis client, on the same workload: same connections and bytes at the server, same shape', async () => {
  const { raw, audited } = await observeParity({
    serverPort: 6379,
    create: (port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true }),
    audit: (client) => auditRedis(client, { auditor: createAuditor() }),
    workload: async (client) => {
      await client.connect();
      await client.set('poolaudit:same-shape:k', '1', 'EX', 10);
      await client.pipeline().get('poolaudit:same-shape:k').incr('poolaudit:same-shape:n').exec();
      await client.expire('poolaudit:same-shape:n', 10);
    },
    emitters: (client) => ({ client }),
    close: (client) => client.quit(),
  });
  // The client keeps its own keys and listener counts: the adapter's hooks dispatch from Redis.prototype.
  expect(parityDifferences(raw, audited)).toEqual([]);
  expect(raw.connections).toBe(1);
});
