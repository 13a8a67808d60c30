import { sourceWords } from './context.js';
import type { EndpointDetector } from './context.js';

/**
 * The kernel holds far more TIME_WAIT sockets toward the endpoint than the audited pools' own closes explain:
 * other clients in this process or network namespace (an unaudited pool, a client made per request, another
 * process) churn connections to it. Fires when at least `minEvents` sockets are unexplained and they are at
 * least `minShare` of the kernel's count.
 */
export const unauditedTimeWait: EndpointDetector = (endpoint, ctx) => {
  const t = ctx.thresholds('unaudited-time-wait');
  const kernel = endpoint.kernel;
  if (!kernel) return undefined;
  const footprint = endpoint.timeWait.footprint;
  const unexplained = kernel.timeWait - footprint;
  if (unexplained < Math.max(1, t.minEvents) || unexplained < kernel.timeWait * t.minShare) return undefined;
  const share = unexplained / kernel.timeWait;
  const pools = endpoint.pools.join(', ');
  return {
    code: 'unaudited-time-wait',
    severity: 'info',
    pool: pools,
    endpoint: endpoint.endpoint,
    message:
      `The kernel holds ${kernel.timeWait} TIME_WAIT sockets toward ${endpoint.endpoint}, but the audited ` +
      `pools (${pools}) account for only ${footprint} of them in the last ${ctx.windowSeconds}s ` +
      `(${sourceWords(endpoint.timeWait)}): ${unexplained} (${Math.round(share * 100)}%) come from clients ` +
      `that are not audited.`,
    evidence: {
      kernelTimeWait: kernel.timeWait,
      timeWaitFootprint: footprint,
      timeWaitSource: endpoint.timeWait.source,
      unexplained,
      unexplainedShare: Math.round(share * 10000) / 10000,
      windowSeconds: ctx.windowSeconds,
    },
    advice:
      `Audit every client that talks to ${endpoint.endpoint} (another pool, a client created per request, ` +
      `or another process in this network namespace) to find the one that closes connections at this rate.`,
  };
};
