import type { PoolDetector } from './context.js';
import { formatMs, setting, sustained } from './context.js';

/** Acquires keep queueing (Go `WaitCount` rising) or timing out: the pool is too small for its callers. */
export const poolSaturated: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('pool-saturated');
  const { waits, timeouts, peakPending, peakInUse } = pool.recent;
  if (!sustained(waits, t) && timeouts.count < Math.max(1, Math.ceil(t.minEvents / 5))) return undefined;
  const { wait, use } = pool.stats.timings;
  const maxOpen = pool.stats.maxOpen;
  const name = setting(pool.settings, 'maxOpen');
  return {
    code: 'pool-saturated',
    severity: timeouts.count > 0 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} made ${waits.count} callers wait for a connection in the last ${ctx.windowSeconds}s ` +
      `(${timeouts.count} timed out; up to ${peakPending} queued, ${peakInUse} in use); waits take ` +
      `${formatMs(wait.p99)} at p99 while connections are held ${formatMs(use.p99)} at p99.`,
    evidence: {
      waits: waits.count,
      timeouts: timeouts.count,
      peakPending,
      peakInUse,
      maxOpen,
      waitP99Ms: wait.p99,
      useP99Ms: use.p99,
      waitDurationMs: pool.stats.waitDurationMs,
    },
    advice:
      `Raise ${name}` +
      (maxOpen === null ? '' : ` from ${maxOpen} toward ${peakInUse + peakPending}`) +
      ` if the server can take the connections, or hold each connection for less time ` +
      `(p99 use ${formatMs(use.p99)}).`,
  };
};
