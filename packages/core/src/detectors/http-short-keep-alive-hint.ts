import type { PoolDetector } from './context.js';
import { formatMs, sustained, timeWaitClause } from './context.js';

/**
 * The server's `Keep-Alive: timeout=N` hint (annotation `serverKeepAliveTimeoutMs`) is within the client's
 * safety margin (annotation `keepAliveTimeoutThresholdMs`, undici's `keepAliveTimeoutThreshold`, 2 s by
 * default), so the client closes the connection after every response (event `keep-alive-hint-close`).
 */
export const httpShortKeepAliveHint: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('http-short-keep-alive-hint');
  const hint = pool.annotations['serverKeepAliveTimeoutMs'];
  const closes = pool.recent.events['keep-alive-hint-close'];
  if (typeof hint !== 'number' || closes === undefined || !sustained(closes, t)) return undefined;
  const margin = pool.annotations['keepAliveTimeoutThresholdMs'];
  const marginMs = typeof margin === 'number' ? margin : 2000;
  // The client's name for the margin (annotation `keepAliveTimeoutThresholdOption`): undici's by default.
  const option = pool.annotations['keepAliveTimeoutThresholdOption'];
  const marginName = typeof option === 'string' ? option : 'keepAliveTimeoutThreshold';
  const seconds = hint / 1000;
  return {
    code: 'http-short-keep-alive-hint',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `The server behind ${pool.name} answers Keep-Alive: timeout=${seconds}, within the client's ` +
      `${formatMs(marginMs)} margin: the client closed ${closes.count} connections right after their ` +
      `response in the last ${ctx.windowSeconds}s (${pool.stats.usesPerConnection} requests per ` +
      `connection)${timeWaitClause(pool)}.`,
    evidence: {
      serverKeepAliveTimeoutMs: hint,
      keepAliveTimeoutThresholdMs: marginMs,
      closedAfterResponse: closes.count,
      usesPerConnection: pool.stats.usesPerConnection,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      `Raise the server's keep-alive timeout well above ${formatMs(marginMs)} (Node: server.keepAliveTimeout; ` +
      `nginx: keepalive_timeout), or lower the client's ${marginName} below ${formatMs(hint)} ` +
      `so it keeps connections for the rest of the hint.`,
  };
};
