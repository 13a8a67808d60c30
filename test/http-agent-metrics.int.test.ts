import { Agent, request } from 'node:http';
import { createAuditor } from '@poolaudit/core';
import { auditAgent, detach } from '@poolaudit/http';
import { registerMetrics } from '@poolaudit/opentelemetry';
import {
  createProvider,
  histogramPoints,
  points,
  scrape,
} from '../packages/opentelemetry/test/support/test-reader.js';
import { eventually } from './harness/kernel-sockets.js';
import { startServer } from './harness/http-servers.js';

describe('an audited http.Agent on OpenTelemetry: the same path as undici pools', () => {
  it('http.client.open_connections per state and http.client.connection.duration per server', async () => {
    const server = await startServer((req, res) => setTimeout(() => res.end('ok'), 20));
    const { provider, reader } = createProvider();
    const auditor = createAuditor();
    const metrics = registerMetrics(auditor, { meterProvider: provider });
    const agent = auditAgent(new Agent({ keepAlive: true, maxFreeSockets: 1 }), { name: 'api', auditor });
    try {
      const get = (path: string): Promise<void> =>
        new Promise((resolve, reject) => {
          request(`${server.origin}${path}`, { agent }, (res) => res.resume().on('end', resolve))
            .on('error', reject)
            .end();
        });
      // Three at once: one socket is kept free afterwards, two are destroyed beyond maxFreeSockets.
      await Promise.all([get('/1'), get('/2'), get('/3')]);
      expect(await eventually(() => auditor.snapshot().pools[0]?.stats.closed.maxIdle === 2)).toBe(true);
      const scraped = await scrape(reader);
      const server127 = { 'server.address': '127.0.0.1', 'server.port': server.port };
      expect(points(scraped.get('http.client.open_connections'))).toEqual([
        { attributes: { ...server127, 'http.connection.state': 'active' }, value: 0 },
        { attributes: { ...server127, 'http.connection.state': 'idle' }, value: 1 },
      ]);
      const durations = histogramPoints(scraped.get('http.client.connection.duration'));
      expect(durations).toEqual([{ attributes: server127, count: 2, sum: expect.any(Number) as number }]);
    } finally {
      metrics.unregister();
      detach(agent);
      agent.destroy();
      await server.close();
    }
  });
});
