import { createAuditor } from '@poolaudit/core';
import { registerMetrics } from '@poolaudit/opentelemetry';
import { auditPool } from '@poolaudit/pg';
import pg from 'pg';
import {
  createProvider,
  histogramPoints,
  points,
  scrape,
} from '../../opentelemetry/test/support/test-reader';
import { sharedPgOptions } from '../../../test/harness/postgres';
import { pause } from './support/pg-pool';

const POOL = 'db.client.connection.pool.name';
const STATE = 'db.client.connection.state';

describe('an audited pg.Pool on OpenTelemetry', () => {
  it('db.client.connection.* from the real pool: count by state, limits, pending, timeouts and timings', async () => {
    const { provider, reader } = createProvider();
    const auditor = createAuditor();
    const metrics = registerMetrics(auditor, { meterProvider: provider });
    const pool = auditPool(
      new pg.Pool({ ...sharedPgOptions(), max: 2, min: 1, connectionTimeoutMillis: 100 }),
      { name: 'accounts', auditor },
    );
    try {
      const held = await pool.connect();
      const second = await pool.connect();
      const waiting = pool.connect();
      await pause(20);
      let scraped = await scrape(reader);
      expect(points(scraped.get('db.client.connection.count'))).toEqual([
        { attributes: { [POOL]: 'accounts', [STATE]: 'idle' }, value: 0 },
        { attributes: { [POOL]: 'accounts', [STATE]: 'used' }, value: 2 },
      ]);
      expect(points(scraped.get('db.client.connection.pending_requests'))).toEqual([
        { attributes: { [POOL]: 'accounts' }, value: 1 },
      ]);
      await expect(waiting).rejects.toThrow('timeout exceeded when trying to connect');
      held.release();
      second.release();

      scraped = await scrape(reader);
      expect(points(scraped.get('db.client.connection.count'))).toEqual([
        { attributes: { [POOL]: 'accounts', [STATE]: 'idle' }, value: 2 },
        { attributes: { [POOL]: 'accounts', [STATE]: 'used' }, value: 0 },
      ]);
      expect(points(scraped.get('db.client.connection.max'))).toEqual([
        { attributes: { [POOL]: 'accounts' }, value: 2 },
      ]);
      expect(points(scraped.get('db.client.connection.idle.max'))).toEqual([
        { attributes: { [POOL]: 'accounts' }, value: 2 },
      ]);
      expect(points(scraped.get('db.client.connection.idle.min'))).toEqual([
        { attributes: { [POOL]: 'accounts' }, value: 1 },
      ]);
      expect(points(scraped.get('db.client.connection.timeouts'))).toEqual([
        { attributes: { [POOL]: 'accounts' }, value: 1 },
      ]);
      const attrs = { [POOL]: 'accounts' };
      const count = (name: string) =>
        histogramPoints(scraped.get(name)).find((h) => h.attributes[POOL] === 'accounts');
      expect(count('db.client.connection.create_time')).toEqual({
        attributes: attrs,
        count: 2,
        sum: expect.any(Number) as number,
      });
      expect(count('db.client.connection.use_time')).toEqual({
        attributes: attrs,
        count: 2,
        sum: expect.any(Number) as number,
      });
      expect(count('db.client.connection.wait_time')?.count).toBeGreaterThanOrEqual(2);
    } finally {
      metrics.unregister();
      await pool.end();
      auditor.close();
    }
  });
});
