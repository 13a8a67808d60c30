import type { PoolDetector } from './context.js';
import { formatMs, setting, sustained, timeWaitClause } from './context.js';

/**
 * A pool that keeps a minimum of connections closes idle ones on a hard idle timeout that ignores that
 * minimum, then opens replacements at once to get back to it (generic-pool: `min > 0` with the evictor's
 * `idleTimeoutMillis`). The adapter counts each such close as the event `idle-closed-below-min`.
 */
export const minRefillChurn: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('min-refill-churn');
  const churn = pool.recent.events['idle-closed-below-min'];
  if (churn === undefined || !sustained(churn, t)) return undefined;
  const min = pool.config.minIdle ?? null;
  const idleTimeoutMs = pool.config.idleTimeoutMs ?? null;
  const minName = setting(pool.settings, 'minIdle');
  const idleName = setting(pool.settings, 'idleTimeoutMs');
  const annotated = pool.annotations['softIdleTimeoutSetting'];
  const softName = typeof annotated === 'string' ? annotated : 'a soft idle timeout';
  const timeout = idleTimeoutMs === null ? idleName : `${idleName}=${formatMs(idleTimeoutMs)}`;
  return {
    code: 'min-refill-churn',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} closed ${churn.count} idle connections in the last ${ctx.windowSeconds}s on ${timeout}, ` +
      `which ignores ${minName}=${min ?? 'unset'}, and opened a replacement for each at once to get back to ` +
      `${minName}${timeWaitClause(pool)}.`,
    evidence: {
      idleClosedBelowMin: churn.count,
      activeSeconds: churn.seconds,
      minIdle: min,
      idleTimeoutMs,
      reopenDelayP50Ms: pool.recent.reopenDelayMs.p50,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      `Keep ${minName}=${min ?? 'unset'} warm with ${softName}` +
      (idleTimeoutMs === null ? '' : `=${idleTimeoutMs}`) +
      ` (it closes only idle connections above ${minName}) and raise ${idleName} far above it, or set ` +
      `${minName}=0 if warm connections are not needed.`,
  };
};
