import { createAuditor } from '../src/index.js';
import type { PoolStats } from '../src/index.js';
import { CLOSE_REASONS as REASONS } from '../src/internal/pool-ledger.js';
import { FakeClock } from './support/fake-clock.js';

/** A small deterministic PRNG so that a failing sequence can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkInvariants(s: PoolStats): void {
  const closed = Object.values(s.closed).reduce((a, b) => a + b, 0);
  expect(s.open).toBe(s.idle + s.inUse);
  expect(s.created - closed).toBe(s.open);
  for (const value of [s.open, s.idle, s.inUse, s.pending, s.created, s.waitCount, s.timeouts, closed]) {
    expect(value).toBeGreaterThanOrEqual(0);
  }
  expect(s.waitDurationMs).toBeGreaterThanOrEqual(0);
}

describe('invariants under randomized event sequences', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('hold at every step (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const probe = auditor.register({ name: 'p', kind: 'test', config: { maxOpen: 8 } });
    const conns: object[] = [];
    const busy = new Set<object>();
    const pendingStarts: number[] = [];
    for (let step = 0; step < 600; step++) {
      clock.advance(Math.floor(random() * 50));
      const r = random();
      const pick = (): object | undefined => conns[Math.floor(random() * conns.length)];
      if (r < 0.2) {
        const c = {};
        conns.push(c);
        probe.opened(c);
      } else if (r < 0.4) {
        pendingStarts.push(probe.acquireStart());
      } else if (r < 0.55) {
        const c = pick();
        const start = pendingStarts.pop() ?? probe.acquireStart();
        if (c) {
          probe.acquired(c, start, random() < 0.3);
          busy.add(c);
        } else probe.acquireFailed(start, true, random() < 0.5);
      } else if (r < 0.75) {
        const c = pick();
        if (c) {
          probe.released(c);
          busy.delete(c);
        }
      } else if (r < 0.9) {
        const i = Math.floor(random() * conns.length);
        const c = conns[i];
        if (c) {
          probe.closed(c, REASONS[Math.floor(random() * REASONS.length)]);
          conns.splice(i, 1);
          busy.delete(c);
        }
      } else {
        // Calls the pool should never make: double release, close of an unknown connection.
        probe.released({});
        probe.closed({}, 'error');
        const c = pick();
        if (c) probe.released(c);
      }
      const stats = auditor.snapshot().pools[0]!.stats;
      checkInvariants(stats);
      expect(stats.open).toBe(conns.length);
    }
  });
});
