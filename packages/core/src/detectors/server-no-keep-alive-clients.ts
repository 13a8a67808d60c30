import type { PoolDetector } from './context.js';
import { sustained } from './context.js';
import { peers } from './server-keep-alive-race.js';

/**
 * Clients that ask for `Connection: close` (or speak HTTP/1.0 without keep-alive): one request per
 * connection. The server then closes each connection after its response and keeps the TIME_WAIT.
 */
export const serverNoKeepAliveClients: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('server-no-keep-alive-clients');
  const asked = pool.recent.events['client-connection-close'];
  if (asked === undefined || !sustained(asked, t)) return undefined;
  return {
    code: 'server-no-keep-alive-clients',
    severity: 'info',
    pool: pool.name,
    message:
      `${asked.count} requests to ${pool.name} in the last ${ctx.windowSeconds}s asked for Connection: close ` +
      `(or were HTTP/1.0 without keep-alive), from ${peers(pool)}: one request per connection, each closed ` +
      `here after its response (${pool.stats.timeWait.footprint} TIME_WAIT sockets on this server now).`,
    evidence: {
      clientConnectionClose: asked.count,
      usesPerConnection: pool.stats.usesPerConnection,
      timeWaitFootprint: pool.stats.timeWait.footprint,
    },
    advice:
      `Turn keep-alive on in those clients (an http.Agent with keepAlive: true, a pooled HTTP client, nginx ` +
      `upstream keepalive with proxy_http_version 1.1 and an empty Connection header).`,
  };
};
