import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditor } from '@poolaudit/core';
import { registerMetrics } from '@poolaudit/opentelemetry';
import { auditServer } from '@poolaudit/server';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { createProvider, points, scrape } from '../../opentelemetry/test/support/test-reader.js';

describe('a server on an OpenTelemetry Meter', () => {
  it('reports its connections as poolaudit.server.connections and its TIME_WAIT per client.address, no db.client.*', async () => {
    const auditor = createAuditor();
    const { provider, reader } = createProvider();
    const metrics = registerMetrics(auditor, { meterProvider: provider });
    const server = http.createServer((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('ok');
    });
    auditServer(server, { auditor, name: 'api' });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port, agent }, (res) => res.resume().on('end', resolve))
            .on('error', reject);
        });
      }
      expect(await eventually(() => auditor.snapshot().pools[0]?.stats.closedBy.local === 3)).toBe(true);
      const byName = await scrape(reader);
      expect(points(byName.get('poolaudit.server.connections')).map((p) => p.value)).toEqual([0, 0]);
      const footprint = points(byName.get('poolaudit.time_wait.footprint'));
      expect(footprint).toEqual([
        {
          attributes: {
            'poolaudit.pool.name': 'api',
            'poolaudit.pool.kind': 'http-server',
            'client.address': '127.0.0.1',
            'poolaudit.time_wait.source': 'counted',
          },
          value: 3,
        },
      ]);
      expect(points(byName.get('poolaudit.connection.created'))[0]?.value).toBe(3);
      expect(byName.has('db.client.connection.count')).toBe(false);
    } finally {
      metrics.unregister();
      agent.destroy();
      server.close();
    }
  });
});
