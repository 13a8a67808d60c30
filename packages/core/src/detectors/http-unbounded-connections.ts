import type { PoolDetector } from './context.js';
import { setting, sustained } from './context.js';

/**
 * An HTTP pool with no connection limit (`maxOpen: null`, undici's default `connections`) opened many
 * connections at once in bursts: every concurrent request got its own socket. `minEvents` is the number
 * of connections in use at once that counts as a burst.
 */
export const httpUnboundedConnections: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('http-unbounded-connections');
  if (pool.annotations['protocol'] !== 'http' || pool.config.maxOpen !== null) return undefined;
  const peak = pool.recent.peakInUse;
  const opened = pool.recent.opened;
  if (peak < t.minEvents || !sustained(opened, t)) return undefined;
  const name = setting(pool.settings, 'maxOpen');
  const suggestion = Math.max(1, Math.ceil(peak / 2));
  return {
    code: 'http-unbounded-connections',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} has no connection limit (${name} unset) and had ${peak} connections in use at once ` +
      `in the last ${ctx.windowSeconds}s, opening ${opened.count}: each burst opens as many sockets as it ` +
      `has requests, and closing them afterwards leaves TIME_WAIT behind.`,
    evidence: {
      peakInUse: peak,
      connectionsOpened: opened.count,
      open: pool.stats.open,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      `Set ${name} (e.g. ${name}: ${suggestion}) so that bursts queue for a bounded set of reused ` +
      `connections instead of opening one socket per concurrent request.`,
  };
};
