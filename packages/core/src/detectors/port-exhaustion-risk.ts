import { callerWords, poolsOf } from './context.js';
import type { EndpointDetector } from './context.js';
import { portRangeSize } from '../internal/endpoint-ledger.js';

/**
 * A destination whose TIME_WAIT sockets take a large share of the ephemeral ports: a new connection needs a
 * free (local ip, local port, remote ip, remote port) tuple, so the budget is per destination.
 */
export const portExhaustionRisk: EndpointDetector = (endpoint, ctx) => {
  const t = ctx.thresholds('port-exhaustion-risk');
  const ports = portRangeSize(ctx.portRange);
  const kernelTimeWait = endpoint.kernel?.timeWait ?? 0;
  const unaudited = endpoint.unaudited?.timeWait.footprint ?? 0;
  const held = Math.max(endpoint.timeWait.footprint + unaudited, kernelTimeWait);
  const share = held / ports;
  if (share < t.minShare) return undefined;
  const budgetPerSecond = Math.floor(ports / ctx.windowSeconds);
  const causes: string[] = [];
  if (endpoint.pools.length > 0) causes.push(`see the findings of ${endpoint.pools.join(', ')}`);
  if (endpoint.unaudited && unaudited > 0)
    causes.push(`unaudited connections made at ${callerWords(endpoint.unaudited)}`);
  const cause = causes.join('; ') || 'another process on this host';
  return {
    code: 'port-exhaustion-risk',
    severity: share >= t.minShare * 2.5 ? 'error' : 'warning',
    pool: poolsOf(endpoint),
    endpoint: endpoint.endpoint,
    message:
      `${held} TIME_WAIT sockets toward ${endpoint.endpoint} hold ${Math.round(share * 100)}% of the ` +
      `${ports} ephemeral ports (${ctx.portRange.low}–${ctx.portRange.high}); past ~${budgetPerSecond} new ` +
      `connections/s to one destination, connect() fails with EADDRNOTAVAIL.`,
    evidence: {
      timeWaitFootprint: endpoint.timeWait.footprint,
      timeWaitSource: endpoint.timeWait.source,
      kernelTimeWait: endpoint.kernel ? kernelTimeWait : null,
      ratePerSecond: endpoint.timeWait.ratePerSecond,
      unauditedFootprint: endpoint.unaudited ? unaudited : null,
      portsInRange: ports,
      budgetPerSecond,
      share: Math.round(share * 10000) / 10000,
    },
    advice:
      `Stop the churn toward ${endpoint.endpoint} at its cause (${cause}); ` +
      `widening net.ipv4.ip_local_port_range buys headroom, net.ipv4.tcp_fin_timeout does not shorten TIME_WAIT.`,
  };
};
