import type { PoolDetector } from './context.js';
import { sustained } from './context.js';

/**
 * The server answers `Connection: close` (event `connection-close-response`, counted only when the client
 * did not ask for it): every request costs a new connection, and the server keeps the TIME_WAIT.
 */
export const httpConnectionClose: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('http-connection-close');
  const responses = pool.recent.events['connection-close-response'];
  if (responses === undefined || !sustained(responses, t)) return undefined;
  const opened = pool.recent.opened.count;
  return {
    code: 'http-connection-close',
    severity: 'warning',
    pool: pool.name,
    message:
      `The server behind ${pool.name} answered ${responses.count} responses with Connection: close in the ` +
      `last ${ctx.windowSeconds}s: ${opened} new connections, ${pool.stats.usesPerConnection} requests ` +
      `per connection.`,
    evidence: {
      connectionCloseResponses: responses.count,
      connectionsOpened: opened,
      usesPerConnection: pool.stats.usesPerConnection,
      closedByRemote: pool.recent.closedBy.remote.count,
    },
    advice:
      `Have the server (or the proxy in front of it) keep connections alive: do not send Connection: close ` +
      `and keep its keep-alive timeout and max-requests-per-connection high enough for this client.`,
  };
};
