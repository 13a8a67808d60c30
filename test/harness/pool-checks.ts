import type { Auditor, PoolSnapshot } from '@poolaudit/core';

/** One pool's snapshot from an auditor. */
export function poolSnapshot(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool named ${name} in the auditor`);
  return pool;
}

/** Every closure has been settled at its socket: the side of each is known. */
export function allSidesSettled(pool: PoolSnapshot): boolean {
  const { closed, closedBy } = pool.stats;
  const closes = Object.values(closed).reduce((a, b) => a + b, 0);
  return closedBy.local + closedBy.remote + closedBy.reset + closedBy.unknown === closes;
}

/** The core invariants: `open === idle + inUse` and `created − closed === open`, all non-negative. */
export function invariantsHold(pool: PoolSnapshot): boolean {
  const s = pool.stats;
  const closes = Object.values(s.closed).reduce((a, b) => a + b, 0);
  return (
    s.open === s.idle + s.inUse &&
    s.created - closes === s.open &&
    s.open >= 0 &&
    s.idle >= 0 &&
    s.inUse >= 0 &&
    s.pending >= 0
  );
}
