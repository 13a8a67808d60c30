import type { PoolDetector } from './context.js';
import { setting, sustained } from './context.js';

/**
 * Most connections end with the server's FIN: its idle timeout (MySQL `wait_timeout`, Redis `timeout`, an
 * HTTP keep-alive) is shorter than the client's, or it answers `Connection: close`.
 */
export const serverClosesFirst: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('server-closes-first');
  const { local, remote, reset } = pool.recent.closedBy;
  if (!sustained(remote, t) || remote.count < local.count + reset.count) return undefined;
  const connectionClose = pool.recent.events['connection-close-response']?.count ?? 0;
  const serverTimeout = pool.annotations['serverIdleTimeoutMs'];
  const name = setting(pool.settings, 'idleTimeoutMs');
  const why =
    connectionClose > 0
      ? `the server answered ${connectionClose} responses with Connection: close`
      : typeof serverTimeout === 'number'
        ? `the server closes connections idle for ${serverTimeout / 1000}s`
        : `the server closes idle connections before the client does`;
  return {
    code: 'server-closes-first',
    severity: 'warning',
    pool: pool.name,
    message:
      `${remote.count} of ${local.count + remote.count + reset.count} connections of ${pool.name} in the ` +
      `last ${ctx.windowSeconds}s were closed by the server first: ${why}. Each costs a reconnect and ` +
      `leaves a TIME_WAIT socket on the server.`,
    evidence: {
      closedByRemote: remote.count,
      closedByLocal: local.count,
      closedByReset: reset.count,
      connectionCloseResponses: connectionClose,
      serverIdleTimeoutMs: typeof serverTimeout === 'number' ? serverTimeout : null,
      clientIdleTimeoutMs: pool.config.idleTimeoutMs ?? null,
    },
    advice:
      connectionClose > 0
        ? `Have the server keep connections alive (drop Connection: close), or expect one connection per request.`
        : `Set ${name} below the server's idle timeout` +
          (typeof serverTimeout === 'number' ? ` (${serverTimeout / 1000}s)` : '') +
          ` so the client retires idle connections first, or raise the server's timeout.`,
  };
};
