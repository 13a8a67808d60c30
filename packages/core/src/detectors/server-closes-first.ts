import type { PoolDetector } from './context.js';
import { setting, sustained } from './context.js';

/**
 * Most connections are ended by the server — its FIN, or a reset (MariaDB resets connections that outlive
 * `wait_timeout`): its idle timeout (MySQL `wait_timeout`, Redis `timeout`, an HTTP keep-alive) is shorter
 * than the client's, or it answers `Connection: close`. Closes during shutdown are left out: a pool that
 * ends with `COM_QUIT`/`QUIT` lets the server close first by design. So does an HTTP client with keep-alive
 * off: it asks for `Connection: close` on every request and the server obliges (`http-keep-alive-disabled`
 * says that, with the setting to change).
 */
export const serverClosesFirst: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('server-closes-first');
  if (pool.annotations['protocol'] === 'http' && pool.config.keepAlive === false) return undefined;
  const remote = pool.recent.closedByReason.remote;
  const considered = pool.recent.closed.count - pool.recent.closedByReason.shutdown.count;
  if (!sustained(remote, t) || remote.count * 2 < considered) return undefined;
  const { local, reset } = pool.recent.closedBy;
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
      `${remote.count} of ${considered} connections of ${pool.name} in the last ${ctx.windowSeconds}s were ` +
      `ended by the server: ${why}. Each costs a reconnect (and, when the server sent the first FIN, a ` +
      `TIME_WAIT socket on the server).`,
    evidence: {
      closedByServer: remote.count,
      closesConsidered: considered,
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
