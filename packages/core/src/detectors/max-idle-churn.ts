import type { PoolDetector } from './context.js';
import { setting, sustained, timeWaitClause } from './context.js';

/**
 * Go's `MaxIdleClosed` climbing: after each burst the pool closes what exceeds its idle cap, then dials
 * again for the next burst. Fires when idle-cap closures are sustained while in-use peaks above the cap.
 */
export const maxIdleChurn: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('max-idle-churn');
  const closes = pool.recent.closedByReason.maxIdle;
  if (!sustained(closes, t)) return undefined;
  const cap = pool.stats.maxIdle;
  const peak = pool.recent.peakInUse;
  if (cap !== null && peak <= cap) return undefined;
  const maxOpen = pool.stats.maxOpen;
  const target = maxOpen === null ? peak : Math.min(peak, maxOpen);
  const name = setting(pool.settings, 'maxIdle');
  const { footprint, portBudgetUsed } = pool.stats.timeWait;
  return {
    code: 'max-idle-churn',
    severity: portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} closed ${closes.count} connections in the last ${ctx.windowSeconds}s because more than ` +
      `${name}=${cap ?? 'unset'} were idle, while up to ${peak} were in use at once${timeWaitClause(pool)}.`,
    evidence: {
      maxIdleClosed: closes.count,
      activeSeconds: closes.seconds,
      maxIdle: cap,
      maxOpen,
      peakInUse: peak,
      timeWaitFootprint: footprint,
      timeWaitSource: pool.stats.timeWait.source,
      portBudgetUsed,
    },
    advice:
      `Set ${name} to at least ${target}, the peak in use over the last ${ctx.windowSeconds}s` +
      (maxOpen === null ? '' : ` (or to ${setting(pool.settings, 'maxOpen')}=${maxOpen})`) +
      `, so that bursts reuse idle connections instead of dialing new ones; pair it with an idle timeout ` +
      `(${setting(pool.settings, 'idleTimeoutMs')}) to release them when the service is quiet.`,
  };
};
