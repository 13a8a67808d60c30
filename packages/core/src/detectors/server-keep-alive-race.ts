import type { PoolDetector, PoolView } from './context.js';
import { formatMs, setting, sustained } from './context.js';

/** Added to the idle timeout of what is in front, so that it always gives up on a connection first (ms). */
const MARGIN_MS = 5_000;
/** What to advise when no idle timeout of the balancer or proxy in front was declared (AWS ALB, nginx: 60 s). */
const COMMON_FRONT_IDLE_MS = 60_000;

/**
 * A server closing idle keep-alive connections that its clients open again soon after: whatever is in front
 * (a balancer, a reverse proxy, a client pool) keeps idle connections longer than the server does. The server
 * closes first, so it holds the TIME_WAIT sockets, and a request sent on a connection as the server closes it
 * fails (the balancer's 502).
 */
export const serverKeepAliveRace: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('server-keep-alive-race');
  const idleCloses = pool.recent.closedByReason.idleTimeout;
  const reopened = pool.recent.reopenedAfterIdleClose;
  if (!sustained(idleCloses, t) || !sustained(reopened, t)) return undefined;
  const name = setting(pool.settings, 'idleTimeoutMs');
  // The value in force when the server closed them (it may be set after the audit began), else the configured one.
  const noted = pool.annotations['keepAliveTimeoutMs'];
  const keepAlive = typeof noted === 'number' ? noted : (pool.config.idleTimeoutMs ?? null);
  const front = frontIdleMs(pool);
  const target = (front ?? COMMON_FRONT_IDLE_MS) + MARGIN_MS;
  const frontWords =
    front === undefined
      ? `the idle timeout of what is in front (AWS ALB and nginx keep idle connections 60 s by default: ` +
        `check yours)`
      : `the declared load balancer idle timeout (${formatMs(front)})`;
  return {
    code: 'server-keep-alive-race',
    severity: 'warning',
    pool: pool.name,
    message:
      `${pool.name} closed ${idleCloses.count} idle keep-alive connections after ` +
      `${name}=${keepAlive === null ? 'default' : formatMs(keepAlive)}, and its clients opened ` +
      `${reopened.count} new ones ${formatMs(pool.recent.reopenDelayMs.p50)} later (p50), from ${peers(pool)}: ` +
      `they keep idle connections longer than the server does. The server closes first, so it holds the ` +
      `TIME_WAIT sockets (${pool.stats.timeWait.footprint} now), and a request sent on a connection as the ` +
      `server closes it fails (a 502 at a balancer).`,
    evidence: {
      idleTimeoutClosed: idleCloses.count,
      reopenedAfterIdleClose: reopened.count,
      reopenDelayP50Ms: pool.recent.reopenDelayMs.p50,
      keepAliveTimeoutMs: keepAlive,
      loadBalancerIdleTimeoutMs: front ?? null,
      timeWaitFootprint: pool.stats.timeWait.footprint,
    },
    advice:
      `Set ${name} above ${frontWords}: ${formatMs(target)}, and headersTimeout above it ` +
      `(${formatMs(target + 1_000)}), so that the client side always closes an idle connection first.`,
  };
};

/** The front's idle timeout the application declared (`loadBalancerIdleTimeoutMs`), if any. */
function frontIdleMs(pool: PoolView): number | undefined {
  const declared = pool.annotations['loadBalancerIdleTimeoutMs'];
  return typeof declared === 'number' && declared > 0 ? declared : undefined;
}

/** `127.0.0.1 (40), 10.0.0.7 (3)`: the peers with the most connections, at most three. */
export function peers(pool: PoolView): string {
  const top = [...pool.endpoints].sort((a, b) => b.created - a.created).slice(0, 3);
  const more = pool.endpoints.length - top.length;
  return top.map((e) => `${e.endpoint} (${e.created})`).join(', ') + (more > 0 ? ` and ${more} more` : '');
}
