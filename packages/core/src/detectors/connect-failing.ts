import type { PoolDetector } from './context.js';
import { sustained } from './context.js';

/** Error codes by what they say is wrong, with what to check (OS, TLS, MySQL/MariaDB, PostgreSQL, Redis). */
const CAUSES: readonly { readonly test: RegExp; readonly advice: (where: string) => string }[] = [
  {
    test: /^ECONNREFUSED$/,
    advice: (where) =>
      `Nothing accepts connections at ${where}: check the host and port in the pool's settings and that the ` +
      `server is running and listening on that address.`,
  },
  {
    test: /^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME)$/,
    advice: (where) =>
      `The host name of ${where} does not resolve from here: check the host and this host's DNS.`,
  },
  {
    test: /^(ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ECONNRESET|EPIPE|CONNECT_TIMEOUT|UND_ERR_CONNECT_TIMEOUT)$/,
    advice: (where) =>
      `${where} does not answer or drops the connection: check the network path (firewall, security group, ` +
      `proxy) and that the server is up; a connect timeout shorter than the path's latency fails the same way.`,
  },
  {
    test: /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HANDSHAKE_)/,
    advice: (where) =>
      `The TLS handshake with ${where} failed: check the CA the client trusts, the server name it checks, ` +
      `and whether the server expects TLS at all.`,
  },
  {
    // MySQL/MariaDB access denied, PostgreSQL 28xxx (authorization), Redis NOAUTH/WRONGPASS.
    test: /^(ER_ACCESS_DENIED|ER_DBACCESS_DENIED|ER_NOT_SUPPORTED_AUTH_MODE|28|NOAUTH$|WRONGPASS$|NOPERM$)/,
    advice: (where) =>
      `${where} refused the credentials: check the user, password and auth plugin the pool sends.`,
  },
  {
    test: /^(ER_BAD_DB_ERROR$|3D000$)/,
    advice: (where) => `The database the pool names does not exist on ${where}: check the database setting.`,
  },
  {
    // MySQL/MariaDB too many connections, PostgreSQL 53300, Redis "max number of clients reached".
    test: /^(ER_CON_COUNT_ERROR$|ER_TOO_MANY_USER_CONNECTIONS$|53300$|MAXCLIENTS$)/,
    advice: (where) =>
      `${where} is at its connection limit: lower the pool's maximum (times the number of instances) below ` +
      `the server's limit, or raise the server's.`,
  },
];

/**
 * Connection attempts keep failing: refused, unresolvable, timing out, TLS or authentication. A pool that
 * cannot connect otherwise looks idle ("no connections"), while every request on it fails or waits.
 */
export const connectFailing: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('connect-failing');
  const failures = pool.recent.connectErrors;
  const last = pool.stats.lastConnectError;
  if (!sustained(failures, t) || last === null) return undefined;
  const where = last.endpoint ?? pool.endpoints[0]?.endpoint ?? 'the server';
  const open = pool.stats.open;
  const cause = CAUSES.find((c) => c.test.test(last.code));
  return {
    code: 'connect-failing',
    severity: open === 0 ? 'error' : 'warning',
    pool: pool.name,
    ...(last.endpoint !== null ? { endpoint: last.endpoint } : {}),
    message:
      `${failures.count} connection attempt${failures.count === 1 ? '' : 's'} of ${pool.name} to ${where} ` +
      `failed in the last ${ctx.windowSeconds}s (last: ${last.code}: ${last.message}); ` +
      (open === 0
        ? 'no connection is open, so every request on this pool fails or waits.'
        : `${open} connection${open === 1 ? ' is' : 's are'} open.`),
    evidence: {
      connectErrors: failures.count,
      secondsWithErrors: failures.seconds,
      lastCode: last.code,
      lastMessage: last.message,
      endpoint: last.endpoint,
      open,
    },
    advice:
      cause?.advice(where) ??
      `Check that ${where} is reachable from here and accepts the pool's settings (host, port, TLS, credentials).`,
  };
};
