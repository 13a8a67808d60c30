import Redis from 'ioredis';
import { createAuditor, formatReport } from '@poolaudit/core';
import { auditRedis } from '../src/index.js';
import { freePort } from '../../../test/harness/free-port.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';

describe('a Redis client that cannot connect', () => {
  it('is a connect-failing error with the code and endpoint, and a line in the report', async () => {
    const auditor = createAuditor();
    const port = await freePort(); // nobody listens there
    const redis = auditRedis(new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50 }), {
      auditor,
      name: 'cache',
    });
    redis.on('error', () => {}); // ECONNREFUSED at every retry
    try {
      expect(await eventually(() => auditor.snapshot().pools[0]!.stats.connectErrors >= 3)).toBe(true);
      const stats = auditor.snapshot().pools[0]!.stats;
      expect(stats.created).toBe(0);
      expect(stats.connectErrorsByCode).toEqual({ ECONNREFUSED: stats.connectErrors });
      expect(stats.lastConnectError).toMatchObject({
        code: 'ECONNREFUSED',
        endpoint: `127.0.0.1:${port}`,
        message: `connect ECONNREFUSED 127.0.0.1:${port}`,
      });
      const finding = auditor.findings().find((f) => f.code === 'connect-failing');
      expect(finding).toMatchObject({ severity: 'error', pool: 'cache', endpoint: `127.0.0.1:${port}` });
      expect(finding?.advice).toContain(`Nothing accepts connections at 127.0.0.1:${port}`);
      const report = formatReport(auditor.snapshot());
      expect(report).toContain(`cache (ioredis) → 127.0.0.1:${port} (never connected)`);
      expect(report).toMatch(/connect errors: \d+ \(ECONNREFUSED \d+\) · last .* ago: ECONNREFUSED/);
      expect(report).not.toContain('no connections yet');

      // The startup lint's server probe says why it could not ask, as it does for an unreachable MySQL.
      const findings = await auditor.lint({ probeServers: true });
      const probe = findings.find((f) => f.code === 'poolaudit/server-probe-failed');
      expect(probe?.message).toContain("not connected to the server (ioredis status 'reconnecting'");
      expect(probe?.message).toContain(
        `the pool's last connect error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`,
      );
    } finally {
      redis.disconnect();
    }
  });
});
