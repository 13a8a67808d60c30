import { poolsOf } from './context.js';
import type { EndpointDetector } from './context.js';

/**
 * Sockets toward the endpoint sit in CLOSE_WAIT: the server hung up (sent its FIN) and the program never
 * closed its side. Each one holds a file descriptor and a port until the process closes it; read from the
 * kernel's table, so it needs a host observer (`@poolaudit/host`).
 */
export const closeWait: EndpointDetector = (endpoint, ctx) => {
  const t = ctx.thresholds('close-wait');
  const kernel = endpoint.kernel;
  if (!kernel || kernel.closeWait < Math.max(1, t.minEvents)) return undefined;
  const pools = poolsOf(endpoint);
  return {
    code: 'close-wait',
    severity: 'warning',
    pool: pools,
    endpoint: endpoint.endpoint,
    message:
      `${kernel.closeWait} sockets toward ${endpoint.endpoint} sit in CLOSE_WAIT: the server closed them and ` +
      `this host never closed its side (${kernel.established} ESTABLISHED beside them; the pools count ` +
      `${endpoint.open} open).`,
    evidence: {
      kernelCloseWait: kernel.closeWait,
      kernelEstablished: kernel.established,
      poolOpen: endpoint.open,
      closedByRemote: endpoint.closedBy.remote,
    },
    advice:
      `Find the connections of ${pools} that are never destroyed after the server hangs up: a connection ` +
      `checked out and not released (turn on leakDetectionThresholdMs), or an 'end'/'close' that the code ` +
      `ignores; close the connection when the server ends it.`,
  };
};
