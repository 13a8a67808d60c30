import { poolsOf } from './context.js';
import type { EndpointDetector } from './context.js';

/**
 * Sockets toward the endpoint sit in CLOSE_WAIT: the server hung up (sent its FIN) and the program never
 * closed its side. Each one holds a file descriptor and a port until the process closes it; read from the
 * kernel's table, so it needs a host observer (`@poolaudit/host`). Only sockets that stayed in CLOSE_WAIT
 * from one scan to the next count (`closeWaitHeld`): a client that closes a moment after the server's FIN
 * (an HTTP request with `Connection: close`) is not stuck.
 */
export const closeWait: EndpointDetector = (endpoint, ctx) => {
  const t = ctx.thresholds('close-wait');
  const kernel = endpoint.kernel;
  const stuck = kernel?.closeWaitHeld ?? kernel?.closeWait ?? 0;
  if (!kernel || stuck < Math.max(1, t.minEvents)) return undefined;
  const pools = poolsOf(endpoint);
  const held = kernel.closeWaitHeld === undefined ? '' : ' for a second or more';
  return {
    code: 'close-wait',
    severity: 'warning',
    pool: pools,
    endpoint: endpoint.endpoint,
    message:
      `${stuck} sockets toward ${endpoint.endpoint} have sat in CLOSE_WAIT${held}: the server closed them and ` +
      `this host never closed its side (${kernel.established} ESTABLISHED beside them; the pools count ` +
      `${endpoint.open} open).`,
    evidence: {
      kernelCloseWait: stuck,
      kernelCloseWaitNow: kernel.closeWait,
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
