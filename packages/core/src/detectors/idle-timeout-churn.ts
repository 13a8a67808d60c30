import type { PoolDetector } from './context.js';
import { ceilSeconds, formatMs, setting, sustained } from './context.js';

/**
 * Connections closed for idle time and re-opened soon after: the idle timeout (or the server's keep-alive
 * hint that lowered it) is shorter than the gap between requests.
 */
export const idleTimeoutChurn: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('idle-timeout-churn');
  const reopened = pool.recent.reopenedAfterIdleClose;
  if (!sustained(reopened, t) || !sustained(pool.recent.closedByReason.idleTimeout, t)) return undefined;
  // Re-opens a pool makes by itself to keep its minimum are min-refill-churn's case, not a request gap.
  const refills = pool.recent.events['idle-closed-below-min']?.count ?? 0;
  if (refills * 2 >= reopened.count) return undefined;
  const idleMs = pool.recent.idleBeforeCloseMs.p50;
  const reopenMs = pool.recent.reopenDelayMs.p50;
  const gapMs = pool.recent.idleBeforeCloseMs.p99 + pool.recent.reopenDelayMs.p99;
  const suggestion = ceilSeconds(gapMs * 1.5);
  const name = setting(pool.settings, 'idleTimeoutMs');
  const configured = pool.config.idleTimeoutMs;
  const hint = pool.annotations['serverKeepAliveTimeoutMs'];
  const hinted = typeof hint === 'number' && (configured == null || hint < configured);
  const cause = hinted
    ? `the server's Keep-Alive: timeout=${hint / 1000} hint lowers ${name} to ${formatMs(hint)}`
    : `${name}=${configured == null ? 'default' : formatMs(configured)}`;
  return {
    code: 'idle-timeout-churn',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} closed ${reopened.count} connections for idle time and opened a new one ` +
      `${formatMs(reopenMs)} later (p50): ${cause}, shorter than the gap between requests ` +
      `(about ${formatMs(idleMs + reopenMs)}).`,
    evidence: {
      idleTimeoutClosed: pool.recent.closedByReason.idleTimeout.count,
      reopenedAfterIdleClose: reopened.count,
      idleBeforeCloseP50Ms: idleMs,
      reopenDelayP50Ms: reopenMs,
      idleTimeoutMs: configured ?? null,
      serverKeepAliveTimeoutMs: typeof hint === 'number' ? hint : null,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice: hinted
      ? `Raise the server's keep-alive timeout above ${formatMs(suggestion)} (the client keeps a connection ` +
        `only as long as the server's hint allows), or accept one connection per request gap.`
      : `Raise ${name} to at least ${formatMs(suggestion)} (1.5× the longest observed gap), keeping it below ` +
        `the server's own idle timeout.` +
        keepMore(pool.config.minIdle, pool.settings.minIdle, pool.recent.peakInUse),
  };
};

/**
 * The other cure where the pool has a minimum it never closes below (node-redis's `minimum`, tarn's `min`) and
 * the bursts use more: keep that many. Empty when the pool names no such setting or the minimum already covers it.
 */
function keepMore(minIdle: number | null | undefined, minName: string | undefined, peak: number): string {
  if (minName === undefined || typeof minIdle !== 'number' || peak <= minIdle) return '';
  return ` Or raise ${minName} from ${minIdle} to ${peak} (the peak in use), so that the connections a burst uses stay open.`;
}
