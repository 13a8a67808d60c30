import type { PoolDetector } from './context.js';
import { setting, sustained, timeWaitClause } from './context.js';

/**
 * An HTTP pool (annotated `protocol: 'http'`) with keep-alive turned off (`config.keepAlive === false`,
 * undici `pipelining: 0`) keeps opening connections: one TCP (and TLS) handshake per request.
 */
export const httpKeepAliveDisabled: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('http-keep-alive-disabled');
  if (pool.annotations['protocol'] !== 'http' || pool.config.keepAlive !== false) return undefined;
  const opened = pool.recent.opened;
  if (!sustained(opened, t)) return undefined;
  const name = setting(pool.settings, 'keepAlive');
  return {
    code: 'http-keep-alive-disabled',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${pool.name} has HTTP keep-alive turned off (${name}) and opened ${opened.count} connections in the ` +
      `last ${ctx.windowSeconds}s, one per request (${pool.stats.usesPerConnection} requests per ` +
      `connection)${timeWaitClause(pool)}.`,
    evidence: {
      connectionsOpened: opened.count,
      usesPerConnection: pool.stats.usesPerConnection,
      timeWaitFootprint: pool.stats.timeWait.footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      name === 'pipelining'
        ? `Remove pipelining: 0 (undici's default pipelining: 1 keeps connections alive) so requests reuse them.`
        : `Turn HTTP keep-alive on (${name}) so requests reuse connections.`,
  };
};
