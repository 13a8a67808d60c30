// A typo in a library's options is a `<kind>/unknown-option` finding of lintPools() at run time, as it is in
// `poolaudit lint`, for every library that keeps the options it was given; and none for options it knows.
import http from 'node:http';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, Finding } from '@poolaudit/core';
import { auditAgent } from '@poolaudit/http';
import { auditRedis } from '@poolaudit/ioredis';
import { auditPool } from '@poolaudit/pg';
import { auditDispatcher } from '@poolaudit/undici';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import pg from 'pg';
import { Agent, Pool, request } from 'undici';
import { ok, startServer } from './harness/http-servers';
import type { TestServer } from './harness/http-servers';
import { sharedPgOptions } from './harness/postgres';

let server: TestServer;
beforeAll(async () => {
  server = await startServer(ok);
});
afterAll(async () => {
  await server.close();
});

async function unknownOptionFindings(auditor: Auditor): Promise<Finding[]> {
  return (await auditor.lint()).filter((f) => f.code.endsWith('/unknown-option'));
}

function get(agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(`${server.origin}/`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

describe('unknown library options at run time', () => {
  it('a typo is named with the option meant, per library; the values are never shown', async () => {
    const auditor = createAuditor();
    const redis = auditRedis(
      new Redis({ lazyConnect: true, maxRetriesPerRequst: 1, password: 's3cret' } as RedisOptions),
      {
        auditor,
        name: 'cache',
      },
    );
    const pool = auditPool(new pg.Pool({ ...sharedPgOptions(), idleTimeoutMilis: 5000 } as pg.PoolConfig), {
      auditor,
      name: 'db',
    });
    const undici = auditDispatcher(new Pool(server.origin, { keepAliveTimout: 4000 } as Pool.Options), {
      auditor,
      name: 'api',
    });
    const agent = auditAgent(new http.Agent({ keepAlive: true, maxFreeSocket: 4 } as http.AgentOptions), {
      auditor,
      name: 'legacy',
    });
    try {
      await (await undici.request({ path: '/', method: 'GET' })).body.text();
      await get(agent);
      const byPool = Object.fromEntries((await unknownOptionFindings(auditor)).map((f) => [f.pool, f]));
      expect(Object.keys(byPool).sort()).toEqual([
        'api ' + server.origin,
        'cache',
        'db',
        'legacy ' + server.origin,
      ]);
      expect(byPool['cache']).toMatchObject({
        code: 'ioredis/unknown-option',
        severity: 'warning',
        evidence: { unknownOptions: 'maxRetriesPerRequst', suggestions: 'maxRetriesPerRequest' },
        advice: 'Rename maxRetriesPerRequst to maxRetriesPerRequest.',
      });
      expect(byPool['db']?.message).toBe(
        'idleTimeoutMilis (did you mean idleTimeoutMillis?) is not an option of pg: pg ignores it, so ' +
          'idleTimeoutMillis stays at its default.',
      );
      expect(byPool['api ' + server.origin]?.evidence['suggestions']).toBe('keepAliveTimeout');
      expect(byPool['legacy ' + server.origin]?.evidence['suggestions']).toBe('maxFreeSockets');
      expect(JSON.stringify(await auditor.lint())).not.toContain('s3cret');
    } finally {
      redis.disconnect();
      await pool.end();
      await undici.close();
      agent.destroy();
    }
  });

  it('options each library knows, its own defaults included, are no finding', async () => {
    const auditor = createAuditor();
    const redis = auditRedis(
      new Redis({ lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 1000, keyPrefix: 'x:', db: 0 }),
      { auditor, name: 'cache' },
    );
    const pool = auditPool(
      new pg.Pool({ ...sharedPgOptions(), max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2000 }),
      { auditor, name: 'db' },
    );
    const undiciPool = auditDispatcher(
      new Pool(server.origin, { connections: 4, keepAliveTimeout: 4000, pipelining: 1 }),
      {
        auditor,
        name: 'pool',
      },
    );
    const undiciAgent = auditDispatcher(new Agent({ connections: 2, keepAliveMaxTimeout: 10_000 }), {
      auditor,
      name: 'agent',
    });
    const agent = auditAgent(new http.Agent({ keepAlive: true, maxSockets: 10, timeout: 5000 }), {
      auditor,
      name: 'legacy',
    });
    try {
      await (await undiciPool.request({ path: '/', method: 'GET' })).body.text();
      await (await request(`${server.origin}/`, { dispatcher: undiciAgent })).body.text();
      await get(agent);
      expect(auditor.poolNames().length).toBe(5);
      expect(await unknownOptionFindings(auditor)).toEqual([]);
    } finally {
      redis.disconnect();
      await pool.end();
      await Promise.all([undiciPool.close(), undiciAgent.close()]);
      agent.destroy();
    }
  });
});
