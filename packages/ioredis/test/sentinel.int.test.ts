import { createAuditor } from '@poolaudit/core';
import Redis from 'ioredis';
import { auditRedis } from '../src/index.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { observeParity } from '../../../test/harness/parity.js';
import { startRedis, startSentinel } from '../../../test/harness/redis.js';
import type { RedisServer, SentinelHandle } from '../../../test/harness/redis.js';

// ioredis "should add additionally discovered sentinels": an audited sentinel client must make the
// connections the raw one makes (one to the sentinel, one to the master), and nothing more.
let master: RedisServer;
let sentinel: SentinelHandle;

beforeAll(async () => {
  master = await startRedis();
  sentinel = await startSentinel(master.port);
  // The sentinel's own two connections to the master (commands, hello channel) come first.
  await eventually(
    async () => /connected_clients:([3-9]|\d\d)/.test(await master.cli('INFO', 'clients')),
    5000,
  );
});
afterAll(async () => {
  await sentinel.close();
  await master.close();
});

function sentinelClient(port: number): Redis {
  return new Redis({
    sentinels: [{ host: '127.0.0.1', port }],
    name: sentinel.masterName,
    lazyConnect: true,
    enableOfflineQueue: false,
  });
}

async function workload(client: Redis): Promise<void> {
  await client.connect();
  await client.set('poolaudit:sentinel', '1', 'EX', 30);
  await client.get('poolaudit:sentinel');
}

async function receivedByMaster(): Promise<number> {
  const info = await master.cli('INFO', 'stats');
  return Number(/total_connections_received:(\d+)/.exec(info)?.[1]);
}

describe('an audited sentinel client', () => {
  it.each([
    ['by default', {}],
    ['with readServerSettings', { readServerSettings: true }],
  ])('%s, asks the sentinels exactly what the raw client asks', async (_label, options) => {
    const auditor = createAuditor();
    const { raw, audited } = await observeParity({
      serverPort: sentinel.port,
      create: sentinelClient,
      audit: (client) => auditRedis(client, { auditor, ...options }),
      workload,
      emitters: () => ({}),
      close: (client) => client.quit(),
    });
    // The client's own shape is the business of parity.int.test.ts; here, what the sentinel is asked.
    const server = (o: typeof raw) => ({ connections: o.connections, bytesToServer: o.bytesToServer });
    expect(server(audited)).toEqual(server(raw));
    expect(raw.connections).toBeGreaterThanOrEqual(1);
  });

  it('by default, opens no connection of its own to the master', async () => {
    const count = async (audit: boolean): Promise<number> => {
      const before = await receivedByMaster();
      const client = sentinelClient(sentinel.port);
      if (audit) auditRedis(client, { auditor: createAuditor() });
      await workload(client);
      // Long enough for a settings read, were one started at 'ready', to have connected.
      await client.ping();
      await client.quit();
      return (await receivedByMaster()) - before;
    };
    const raw = await count(false);
    expect(raw).toBeGreaterThanOrEqual(1);
    expect(await count(true)).toBe(raw);
  });
});
