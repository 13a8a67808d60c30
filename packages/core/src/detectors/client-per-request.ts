import type { PoolDetector } from './context.js';
import { sustained, timeWaitClause } from './context.js';

/**
 * New clients keep joining the same pool name, each bringing its own connection: a client created (and
 * closed) per request. Every one costs a connect and, when closed here, a TIME_WAIT socket.
 */
export const clientPerRequest: PoolDetector = (pool, ctx) => {
  const t = ctx.thresholds('client-per-request');
  const clients = pool.recent.clientsCreated;
  const opened = pool.recent.opened;
  if (!sustained(clients, t) || opened.count < clients.count / 2) return undefined;
  const { footprint } = pool.stats.timeWait;
  return {
    code: 'client-per-request',
    severity: pool.stats.timeWait.portBudgetUsed >= 0.2 ? 'error' : 'warning',
    pool: pool.name,
    message:
      `${clients.count} ${pool.kind} clients named ${pool.name} were created in the last ` +
      `${ctx.windowSeconds}s (${Math.round((clients.count / Math.max(1, clients.seconds)) * 10) / 10}/s in the ` +
      `${clients.seconds} seconds they came), opening ` +
      `${opened.count} connections${timeWaitClause(pool)}.`,
    evidence: {
      clientsCreated: clients.count,
      connectionsOpened: opened.count,
      usesPerConnection: pool.stats.usesPerConnection,
      timeWaitFootprint: footprint,
      timeWaitSource: pool.stats.timeWait.source,
    },
    advice:
      `Create one ${pool.kind} client when the service starts and share it across requests; a client ` +
      `multiplexes or pools its connections, a client per request opens and closes one each time.`,
  };
};
