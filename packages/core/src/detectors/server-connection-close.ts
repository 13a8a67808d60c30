import type { PoolDetector } from './context.js';
import { sustained } from './context.js';
import { peers } from './server-keep-alive-race.js';

/**
 * The server answers `Connection: close` of its own accord (a handler's header, `maxRequestsPerSocket`): each
 * such connection ends after its response and the client opens a new one for its next request. For a
 * handler's header Node closes the connection itself and keeps the TIME_WAIT; at `maxRequestsPerSocket` it
 * leaves the close to the client.
 */
export const serverConnectionClose: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('server-connection-close');
  const responses = pool.recent.events['server-connection-close'];
  if (responses === undefined || !sustained(responses, t)) return undefined;
  const byLimit = pool.recent.events['max-requests-per-socket']?.count ?? 0;
  return {
    code: 'server-connection-close',
    severity: 'warning',
    pool: pool.name,
    message:
      `${pool.name} answered ${responses.count} responses with Connection: close in the last ` +
      `${ctx.windowSeconds}s (${byLimit} of them for maxRequestsPerSocket), to ${peers(pool)}: each of those ` +
      `connections ends after its response and the client opens a new one (${pool.stats.usesPerConnection} ` +
      `requests per connection). Node closes them itself, keeping a TIME_WAIT socket each ` +
      `(${pool.stats.timeWait.footprint} here now), except at maxRequestsPerSocket, where it leaves the close ` +
      `(and the TIME_WAIT) to the client.`,
    evidence: {
      connectionCloseResponses: responses.count,
      maxRequestsPerSocketReached: byLimit,
      usesPerConnection: pool.stats.usesPerConnection,
      timeWaitFootprint: pool.stats.timeWait.footprint,
    },
    advice:
      byLimit * 2 >= responses.count
        ? `Raise maxRequestsPerSocket (0 = no limit) so that a connection carries many requests.`
        : `Do not set Connection: close on responses (res.setHeader / res.shouldKeepAlive); let clients reuse ` +
          `the connection, and let the client side close it.`,
  };
};
