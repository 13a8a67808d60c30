import { createAuditor } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';
import { SimulatedPool, runBursts } from './support/simulated-pool.js';

function run(maxIdle: number) {
  const clock = new FakeClock();
  const auditor = createAuditor({ clock: clock.now, timeWaitSeconds: 60 });
  const probe = auditor.register({
    name: 'orders-db',
    kind: 'mysql2',
    config: { maxOpen: 100, maxIdle, idleTimeoutMs: 60_000 },
    settings: { maxOpen: 'connectionLimit', maxIdle: 'maxIdle', idleTimeoutMs: 'idleTimeout' },
  });
  const pool = new SimulatedPool(probe, clock, { maxOpen: 100, maxIdle, idleTimeoutMs: 60_000 });
  runBursts(pool, { workers: 50, holdMs: 40, pauseMs: 1200, seconds: 20 });
  return auditor.snapshot().pools[0]!;
}

describe('the canonical symptom: max open 100, max idle 10, 50 workers in bursts', () => {
  it('climbs MaxIdleClosed and reports max-idle-churn with a cap from the observed peak', () => {
    const pool = run(10);
    expect(pool.stats.closed.maxIdle).toBeGreaterThan(300);
    expect(pool.stats.peakInUse).toBe(50);
    const finding = pool.findings.find((f) => f.code === 'max-idle-churn');
    expect(finding).toBeDefined();
    expect(finding!.evidence['peakInUse']).toBe(50);
    const advised = Number(/Set maxIdle to at least (\d+)/.exec(finding!.advice)?.[1]);
    expect(advised).toBeGreaterThanOrEqual(50);
    expect(finding!.advice).toContain('connectionLimit=100');
  });

  it('with max idle 50 closes nothing and finds nothing', () => {
    const pool = run(50);
    expect(pool.stats.closed.maxIdle).toBe(0);
    expect(pool.stats.created).toBe(50);
    expect(pool.findings).toEqual([]);
  });
});
