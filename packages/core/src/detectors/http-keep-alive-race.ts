import type { PoolDetector } from './context.js';
import { formatMs, setting, sustained } from './context.js';

// Node's http.Server closes idle keep-alive connections after 5 s (`server.keepAliveTimeout`).
const NODE_SERVER_KEEP_ALIVE_MS = 5000;
const MARGIN_MS = 1000;

/**
 * Requests written onto a kept-alive connection the server was closing (event `keep-alive-race`: a
 * reused connection ended by the server, or reset, before any response): the application sees
 * ECONNRESET / "socket hang up". The client keeps idle connections as long as the server or longer.
 * What the server's timeout is comes from its `Keep-Alive` hint (`serverKeepAliveTimeoutMs`), the idle
 * time after which it was seen closing connections (`serverIdleTimeoutMs`), or how long the raced
 * connections had been idle (`keepAliveRaceIdleMs`).
 */
export const httpKeepAliveRace: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('http-keep-alive-race');
  const races = pool.recent.events['keep-alive-race'];
  if (races === undefined || !sustained(races, t)) return undefined;
  const known = ['serverKeepAliveTimeoutMs', 'serverIdleTimeoutMs', 'keepAliveRaceIdleMs']
    .map((key) => pool.annotations[key])
    .filter((v): v is number => typeof v === 'number' && v > 0);
  const serverMs = known.length > 0 ? Math.min(...known) : null;
  const target = Math.max(100, (serverMs ?? NODE_SERVER_KEEP_ALIVE_MS) - MARGIN_MS);
  const name = setting(pool.settings, 'idleTimeoutMs');
  const client = pool.config.idleTimeoutMs;
  const clientText = client == null || client === 0 ? 'no idle timeout' : `${name}=${formatMs(client)}`;
  return {
    code: 'http-keep-alive-race',
    severity: 'warning',
    pool: pool.name,
    message:
      `${races.count} requests of ${pool.name} in the last ${ctx.windowSeconds}s were written onto a reused ` +
      `connection the server was closing and failed (ECONNRESET / socket hang up): the client keeps idle ` +
      `connections (${clientText}) at least as long as the server` +
      (serverMs === null ? '' : ` (about ${formatMs(serverMs)})`) +
      '.',
    evidence: {
      keepAliveRaces: races.count,
      clientIdleTimeoutMs: client ?? null,
      serverIdleTimeoutMs: serverMs,
      closedByServer: pool.recent.closedBy.remote.count,
    },
    advice:
      `Set ${name}: ${target} so the client retires idle connections before the server does ` +
      (serverMs === null
        ? `(Node's server.keepAliveTimeout is ${formatMs(NODE_SERVER_KEEP_ALIVE_MS)} by default)`
        : `(below the server's ${formatMs(serverMs)})`) +
      `, and retry only idempotent requests that fail on a reused connection (req.reusedSocket).`,
  };
};
