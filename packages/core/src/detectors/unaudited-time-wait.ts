import { callerWords, poolsOf, sourceWords } from './context.js';
import type { EndpointDetector } from './context.js';
import type { UnauditedDestination } from '../types.js';

/**
 * The kernel holds far more TIME_WAIT sockets toward the endpoint than the audited pools' own closes explain:
 * other clients in this process or network namespace (an unaudited pool, a client made per request, another
 * process) churn connections to it. Fires when at least `minEvents` sockets are unexplained and they are at
 * least `minShare` of the kernel's count. With `watchProcessSockets()` on, it says how many of them this
 * process's unaudited connections left and names the code that made them.
 */
export const unauditedTimeWait: EndpointDetector = (endpoint, ctx) => {
  const t = ctx.thresholds('unaudited-time-wait');
  const kernel = endpoint.kernel;
  if (!kernel) return undefined;
  const footprint = endpoint.timeWait.footprint;
  const unexplained = kernel.timeWait - footprint;
  if (unexplained < Math.max(1, t.minEvents) || unexplained < kernel.timeWait * t.minShare) return undefined;
  const share = unexplained / kernel.timeWait;
  const pools = poolsOf(endpoint);
  const seen = endpoint.unaudited;
  const here = seen ? Math.min(unexplained, seen.timeWait.footprint) : null;
  const audited =
    endpoint.pools.length > 0
      ? `the audited pools (${pools}) account for only ${footprint} of them in the last ` +
        `${ctx.windowSeconds}s (${sourceWords(endpoint.timeWait)})`
      : 'no audited pool connects to it';
  const whose =
    seen && here !== null
      ? `${here} of them are this process's unaudited connections (${sourceWords(seen.timeWait)}; made at ` +
        `${callerWords(seen)}) and ${unexplained - here} come from other processes on this host.`
      : `${unexplained} (${Math.round(share * 100)}%) come from clients that are not audited.`;
  return {
    code: 'unaudited-time-wait',
    severity: 'info',
    pool: pools,
    endpoint: endpoint.endpoint,
    message: `The kernel holds ${kernel.timeWait} TIME_WAIT sockets toward ${endpoint.endpoint}, but ${audited}: ${whose}`,
    evidence: {
      kernelTimeWait: kernel.timeWait,
      timeWaitFootprint: footprint,
      timeWaitSource: endpoint.timeWait.source,
      unexplained,
      unexplainedShare: Math.round(share * 10000) / 10000,
      windowSeconds: ctx.windowSeconds,
      unauditedHere: here,
      otherProcesses: here === null ? null : unexplained - here,
      topCaller: seen?.callers[0]?.frame ?? null,
      topCallerLibrary: seen?.callers[0]?.library ?? null,
    },
    advice:
      seen && here !== null && here > 0
        ? `Give the code at ${topCaller(seen)} a shared, keep-alive client (and audit it), so that it stops ` +
          `closing a connection to ${endpoint.endpoint} per request.`
        : `Audit every client that talks to ${endpoint.endpoint} (another pool, a client created per request, ` +
          `or another process in this network namespace) to find the one that closes connections at this rate` +
          (seen
            ? '; this process has no unaudited connection behind them, so look at the other processes.'
            : '.'),
  };
};

function topCaller(seen: UnauditedDestination): string {
  const c = seen.callers[0];
  if (!c) return `that connects to ${seen.endpoint} (no call site sampled yet)`;
  return `${c.frame ?? '(no application frame on the stack)'}${c.library ? ` (via ${c.library})` : ''}`;
}
