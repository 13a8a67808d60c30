import { createAuditor } from '@poolaudit/core';
import mysql from 'mysql2';
import { sharedMysqlUrl } from '../../../test/harness/mariadb.js';
import { auditPool } from '../src/index.js';

describe('lintPools against the real server', () => {
  it("reads the server's wait_timeout and max_connections and cross-checks the pool against them", async () => {
    const auditor = createAuditor();
    const pool = auditPool(mysql.createPool({ uri: sharedMysqlUrl(), connectionLimit: 5000, maxIdle: 10 }), {
      name: 'orders',
      auditor,
    });
    try {
      const findings = await auditor.lint({ probeServers: true });
      const codes = findings.map((f) => f.code);
      expect(codes).toContain('mysql2/max-idle-below-limit');
      // No server allows 5000 connections by default (MariaDB: 151).
      expect(codes).toContain('mysql2/max-connections-exceeded');
      const facts = auditor.snapshot().pools[0]!.annotations;
      expect(facts['serverMaxConnections']).toBeGreaterThan(0);
      expect(facts['serverIdleTimeoutMs']).toBeGreaterThan(0);
      await expect(auditor.lint({ failOn: 'error' })).rejects.toThrow('mysql2/max-connections-exceeded');
    } finally {
      await pool.promise().end();
    }
  });
});
