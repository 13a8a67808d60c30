'use strict';
/**
 * The interim demo: a SIMULATED mysql2-style pool (no database, simulated time) driven through
 * @poolaudit/core, showing the canonical symptom and its cure. The live churn lab replaces it.
 */
const { createAuditor, formatDBStats } = require('@poolaudit/core');

function simulate(maxIdle, seconds, print) {
  let t = 0;
  const auditor = createAuditor({ clock: () => t });
  const probe = auditor.register({
    name: `orders-db (maxIdle ${maxIdle})`,
    kind: 'mysql2',
    config: { maxOpen: 100, maxIdle, idleTimeoutMs: 60_000 },
    settings: { maxOpen: 'connectionLimit', maxIdle: 'maxIdle', idleTimeoutMs: 'idleTimeout' },
  });
  const free = [];
  let open = 0;
  for (let second = 1; second <= seconds; second++) {
    // 50 workers burst, hold their connections 40 ms, then the service is quiet for the rest of the second.
    const held = [];
    for (let w = 0; w < 50; w++) {
      const started = probe.acquireStart();
      let conn = free.pop();
      if (!conn) {
        conn = {};
        open++;
        probe.opened(conn, { endpoint: '127.0.0.1:3306' });
      }
      probe.acquired(conn, started, false);
      held.push(conn);
    }
    t += 40;
    for (const conn of held) {
      probe.released(conn);
      free.push(conn);
    }
    t += 960;
    // mysql2's reaper (lib/base/pool.js): once a second, destroy free connections above maxIdle.
    while (free.length > maxIdle) {
      probe.closed(free.shift(), 'maxIdle');
      open--;
    }
    if (print) console.log(`  ${String(second).padStart(2)}s ${formatDBStats(auditor.snapshot().pools[0].stats)}`);
  }
  return auditor;
}

console.log('poolaudit demo — SIMULATION: a mysql2-style pool in simulated time, no database is used.\n');
console.log('connectionLimit 100, maxIdle 10, 50 workers in bursts; one Go DBStats line per simulated second:');
const churning = simulate(10, 12, true);
console.log('\nFindings:');
for (const f of churning.findings()) console.log(`  [${f.severity}] ${f.code}: ${f.message}\n    → ${f.advice}`);
console.log('\nApplying the advice (maxIdle 50), same load:');
const cured = simulate(50, 12, false);
const stats = cured.snapshot().pools[0].stats;
console.log(`  ${formatDBStats(stats)}`);
console.log(`  findings: ${cured.findings().length === 0 ? 'none' : cured.findings().map((f) => f.code).join(', ')}`);
