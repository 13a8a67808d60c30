import type { PoolDetector } from './context.js';
import { formatMs, setting, sustained } from './context.js';

/** Connections retired for age (or for their number of uses) so often that the pool keeps re-dialing. */
export const maxLifetimeChurn: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('max-lifetime-churn');
  const closes = pool.recent.closedByReason.maxLifetime;
  if (!sustained(closes, t)) return undefined;
  const lifetime = pool.stats.timings.lifetime;
  const name = setting(pool.settings, 'maxLifetimeMs');
  return {
    code: 'max-lifetime-churn',
    severity: 'warning',
    pool: pool.name,
    message:
      `${pool.name} retired ${closes.count} connections for age or use count in the last ` +
      `${ctx.windowSeconds}s; connections live ${formatMs(lifetime.p50)} (p50).`,
    evidence: {
      maxLifetimeClosed: closes.count,
      lifetimeP50Ms: lifetime.p50,
      maxLifetimeMs: pool.config.maxLifetimeMs ?? null,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      `Raise ${name} to minutes rather than seconds (just under the server's or load balancer's idle ` +
      `timeout); a lifetime limit exists to retire stale connections, not to churn healthy ones.`,
  };
};
