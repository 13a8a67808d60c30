import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import * as genericPoolAudit from '@poolaudit/generic-pool';
import { auditRedis, detachRedis } from '@poolaudit/ioredis';
import * as mysql2Audit from '@poolaudit/mysql2';
import { auditDispatcher, detachDispatcher } from '@poolaudit/undici';
import { createPool as createGenericPool } from 'generic-pool';
import Redis from 'ioredis';
import mysql from 'mysql2';
import { Client, Pool } from 'undici';
import { isCollected } from './harness/collectable';
import { mysqlOptionsFromUrl, sharedMysqlUrl } from './harness/mariadb';

// undici test/gc.js, for every adapter: an audited pool the application has closed (or detached) and
// dropped is garbage-collected. The auditor lives on through the test, as the default auditor would.
const auditor = createAuditor();
const mysqlServer = mysqlOptionsFromUrl(sharedMysqlUrl());
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function fetchOnce(dispatcher: Client | Pool): Promise<void> {
  const { body } = await dispatcher.request({ path: '/', method: 'GET' });
  await body.text();
}

describe.each([false, true])('audited and dropped (detached first: %p)', (detachFirst) => {
  it('an undici Client is collected after close()', async () => {
    const collected = await isCollected(async () => {
      const client = auditDispatcher(new Client(origin), { auditor, name: 'gc client' });
      await fetchOnce(client);
      if (detachFirst) detachDispatcher(client);
      await client.close();
      return client;
    });
    expect(collected).toBe(true);
  });

  it('an undici Pool is collected after close()', async () => {
    const collected = await isCollected(async () => {
      const pool = auditDispatcher(new Pool(origin, { connections: 2 }), { auditor, name: 'gc pool' });
      await Promise.all([fetchOnce(pool), fetchOnce(pool)]);
      if (detachFirst) detachDispatcher(pool);
      await pool.close();
      return pool;
    });
    expect(collected).toBe(true);
  });

  it('a mysql2 pool is collected after end()', async () => {
    const collected = await isCollected(async () => {
      const pool = mysql2Audit.auditPool(mysql.createPool({ ...mysqlServer, connectionLimit: 2 }), {
        auditor,
        name: 'gc mysql2',
      });
      await pool.promise().query('SELECT 1');
      if (detachFirst) mysql2Audit.detach(pool);
      await pool.promise().end();
      return pool;
    });
    expect(collected).toBe(true);
  });

  it('an ioredis client is collected after quit()', async () => {
    const collected = await isCollected(async () => {
      const client = auditRedis(new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true }), {
        auditor,
        name: 'gc ioredis',
      });
      await client.connect();
      await client.ping();
      if (detachFirst) detachRedis(client);
      await client.quit();
      return client;
    });
    expect(collected).toBe(true);
  });

  it('a generic-pool pool is collected after drain() and clear()', async () => {
    const collected = await isCollected(async () => {
      const pool = genericPoolAudit.auditPool(
        createGenericPool(
          { create: () => Promise.resolve({}), destroy: () => Promise.resolve() },
          { max: 2 },
        ),
        { auditor, name: 'gc generic-pool' },
      );
      await pool.release(await pool.acquire());
      if (detachFirst) genericPoolAudit.detach(pool);
      await pool.drain();
      await pool.clear();
      return pool;
    });
    expect(collected).toBe(true);
  });
});
