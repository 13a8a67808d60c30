import { createAuditor } from '@poolaudit/core';
import Redis from 'ioredis';
import { auditRedis } from '../src/index.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';

/**
 * Not yet the same: the adapter wraps `sendCommand` and `disconnect` as own (non-enumerable) properties
 * of the client and listens for its 'connecting', 'connect', 'ready', 'close' and 'end' events (two on
 * 'end'). What the server receives is the same (no command, no connection of the adapter's own). When the
 * adapter reads the client without them, this list becomes empty.
 */
const NOT_YET_THE_SAME = (['before', 'after'] as const).flatMap((moment) => [
  `own key added (${moment}): sendCommand (non-enumerable)`,
  `own key added (${moment}): disconnect (non-enumerable)`,
  `listeners (${moment}) client.end: 0 unaudited, 2 audited`,
  `listeners (${moment}) client.connecting: 0 unaudited, 1 audited`,
  `listeners (${moment}) client.connect: 0 unaudited, 1 audited`,
  `listeners (${moment}) client.ready: 0 unaudited, 1 audited`,
  `listeners (${moment}) client.close: 0 unaudited, 1 audited`,
]);

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
  expect(parityDifferences(raw, audited).sort()).toEqual([...NOT_YET_THE_SAME].sort());
  expect(raw.connections).toBe(1);
});
