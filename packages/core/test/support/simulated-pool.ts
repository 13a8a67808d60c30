import type { PoolProbe } from '../../src/index.js';
import type { FakeClock } from './fake-clock.js';

/**
 * A pool that behaves like mysql2's (LIFO free list; a reaper every second destroys free connections above
 * `maxIdle`, then those idle longer than `idleTimeoutMs`), driving a real probe on a fake clock.
 */
export class SimulatedPool {
  private nextId = 0;
  private readonly free: { id: number; releasedAt: number }[] = [];
  private readonly busy = new Set<object>();
  private all = 0;
  private sinceReap = 0;
  private readonly keys = new Map<number, object>();
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly probe: PoolProbe,
    private readonly clock: FakeClock,
    private readonly limits: { maxOpen: number; maxIdle: number; idleTimeoutMs: number },
  ) {}

  /** Acquires, or queues when the pool is at its limit; `use` runs once a connection is held. */
  acquire(use: (release: () => void) => void): void {
    const started = this.probe.acquireStart();
    const grant = (queued: boolean): void => {
      let entry = this.free.pop();
      if (!entry) {
        entry = { id: this.nextId++, releasedAt: this.clock.t };
        this.keys.set(entry.id, { id: entry.id });
        this.all++;
        this.probe.opened(this.key(entry.id), { endpoint: '10.0.0.1:3306', connectStartedAt: this.clock.t });
      }
      const key = this.key(entry.id);
      const id = entry.id;
      this.busy.add(key);
      this.probe.acquired(key, started, queued);
      use(() => {
        this.busy.delete(key);
        this.probe.released(key);
        const next = this.waiters.shift();
        this.free.push({ id, releasedAt: this.clock.t });
        if (next) next();
      });
    };
    if (this.free.length > 0 || this.all < this.limits.maxOpen) grant(false);
    else this.waiters.push(() => grant(true));
  }

  /** Moves time forward, running the reaper once per simulated second. */
  tick(ms: number): void {
    this.clock.advance(ms);
    this.sinceReap += ms;
    while (this.sinceReap >= 1000) {
      this.sinceReap -= 1000;
      this.reap();
    }
  }

  private reap(): void {
    for (;;) {
      const oldest = this.free[0];
      if (!oldest) return;
      let reason: 'maxIdle' | 'idleTimeout';
      if (this.free.length > this.limits.maxIdle) reason = 'maxIdle';
      else if (this.clock.t - oldest.releasedAt > this.limits.idleTimeoutMs) reason = 'idleTimeout';
      else return;
      this.free.shift();
      this.all--;
      this.probe.closed(this.key(oldest.id), reason);
      this.keys.delete(oldest.id);
    }
  }

  private key(id: number): object {
    return this.keys.get(id) as object;
  }
}

/**
 * The canonical load: `workers` callers in bursts: each holds a connection for `holdMs`, the whole group
 * pauses `pauseMs` between bursts, for `seconds` simulated seconds.
 */
export function runBursts(
  pool: SimulatedPool,
  options: { workers: number; holdMs: number; pauseMs: number; seconds: number },
): void {
  const stepMs = 10;
  let elapsed = 0;
  while (elapsed < options.seconds * 1000) {
    const releases: (() => void)[] = [];
    for (let w = 0; w < options.workers; w++) pool.acquire((release) => releases.push(release));
    pool.tick(options.holdMs);
    for (const release of releases) release();
    for (let t = 0; t < options.pauseMs; t += stepMs) pool.tick(stepMs);
    elapsed += options.holdMs + options.pauseMs;
  }
}
