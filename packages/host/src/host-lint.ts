import type { LintRule, LintSubject, LintViolation, PortRange } from '@poolaudit/core';
import type { HostSysctls } from './types.js';

/** Below this many ephemeral ports, one churning destination runs out quickly (§8 of the host notes). */
const SMALL_PORT_RANGE = 10_000;
/** Below this many TIME_WAIT buckets, a busy client loses TIME_WAIT protection early. */
const LOW_TW_BUCKETS = 10_000;

/**
 * The host as a lint subject (`kind: 'host'`): `options` holds each setting's value by its `HostSysctls` field
 * (`tcpTwReuse`, `ipLocalPortRange`, …), `facts` the platform and where each value came from.
 */
export function hostLintSubject(sysctls: HostSysctls): LintSubject {
  const options: Record<string, unknown> = {};
  const facts: Record<string, string> = { platform: sysctls.platform };
  for (const [field, reading] of Object.entries(sysctls)) {
    if (typeof reading !== 'object' || reading === null) continue;
    const r = reading as { value: unknown; source: string };
    options[field] = r.value;
    facts[`${field}Source`] = r.source;
  }
  return { kind: 'host', name: 'host', options, facts };
}

const num = (subject: LintSubject, field: string): number | undefined => {
  const v = subject.options[field];
  return typeof v === 'number' ? v : undefined;
};

function range(subject: LintSubject): PortRange | undefined {
  const v = subject.options['ipLocalPortRange'] as PortRange | null | undefined;
  return v && typeof v.low === 'number' && typeof v.high === 'number' ? v : undefined;
}

function rule(
  id: string,
  severity: LintRule['severity'],
  description: string,
  check: (s: LintSubject) => LintViolation | undefined,
): LintRule {
  return { id, kind: 'host', severity, description, check };
}

/** Startup checks of the host's TCP settings, run with `lint([hostLintSubject(readSysctls())], hostLintRules)`. */
export const hostLintRules: readonly LintRule[] = [
  rule(
    'host/tcp-tw-recycle',
    'error',
    'tcp_tw_recycle=1 drops SYNs from clients behind NAT (removed in Linux 4.12).',
    (s) =>
      num(s, 'tcpTwRecycle') === 1
        ? {
            message:
              'net.ipv4.tcp_tw_recycle is 1: connections from clients behind one NAT address are dropped.',
            evidence: { tcpTwRecycle: 1 },
            fix: 'Set net.ipv4.tcp_tw_recycle=0 (the setting was removed in Linux 4.12 for this reason).',
          }
        : undefined,
  ),
  rule(
    'host/small-port-range',
    'warning',
    'A small ephemeral port range caps new connections per destination.',
    (s) => {
      const r = range(s);
      if (!r) return undefined;
      const ports = r.high - r.low + 1;
      if (ports >= SMALL_PORT_RANGE) return undefined;
      return {
        message: `ip_local_port_range ${r.low}–${r.high} gives ${ports} ports: at 60 s of TIME_WAIT that is about ${Math.floor(ports / 60)} new connections/s to one destination.`,
        evidence: { low: r.low, high: r.high, ports },
        fix: 'Widen net.ipv4.ip_local_port_range (the default is 32768 60999), and keep connections alive instead of churning them.',
      };
    },
  ),
  rule(
    'host/low-max-tw-buckets',
    'warning',
    'A low tcp_max_tw_buckets drops TIME_WAIT protection under churn.',
    (s) => {
      const v = num(s, 'tcpMaxTwBuckets');
      if (v === undefined || v >= LOW_TW_BUCKETS) return undefined;
      return {
        message: `net.ipv4.tcp_max_tw_buckets is ${v}: past it, closed sockets skip TIME_WAIT (TCPTimeWaitOverflow).`,
        evidence: { tcpMaxTwBuckets: v },
        fix: 'Leave net.ipv4.tcp_max_tw_buckets at its default (half the established hash size); fix the churn instead.',
      };
    },
  ),
  rule(
    'host/tw-reuse-without-timestamps',
    'warning',
    'tcp_tw_reuse needs TCP timestamps to do anything.',
    (s) => {
      const reuse = num(s, 'tcpTwReuse');
      if (num(s, 'tcpTimestamps') !== 0 || reuse === undefined || reuse === 0) return undefined;
      return {
        message: `net.ipv4.tcp_tw_reuse is ${reuse} but net.ipv4.tcp_timestamps is 0: no TIME_WAIT socket can be reused.`,
        evidence: { tcpTwReuse: reuse, tcpTimestamps: 0 },
        fix: 'Set net.ipv4.tcp_timestamps=1.',
      };
    },
  ),
  rule(
    'host/fin-timeout-is-not-time-wait',
    'info',
    'tcp_fin_timeout does not change how long TIME_WAIT lasts.',
    (s) => {
      const v = num(s, 'tcpFinTimeoutSeconds');
      if (v === undefined || v === 60) return undefined;
      return {
        message: `net.ipv4.tcp_fin_timeout is ${v}: it bounds orphaned FIN_WAIT2 only; TIME_WAIT still lasts 60 s (TCP_TIMEWAIT_LEN).`,
        evidence: { tcpFinTimeoutSeconds: v, timeWaitSeconds: num(s, 'timeWaitSeconds') ?? null },
        fix: 'Do not count on tcp_fin_timeout to free ports; reduce connection churn or widen ip_local_port_range.',
      };
    },
  ),
  rule('host/reserved-ports', 'info', 'Reserved ports come off every destination’s port budget.', (s) => {
    const r = range(s);
    const reserved = s.options['ipLocalReservedPorts'];
    if (!r || !Array.isArray(reserved)) return undefined;
    let taken = 0;
    for (const p of reserved as PortRange[]) {
      taken += Math.max(0, Math.min(p.high, r.high) - Math.max(p.low, r.low) + 1);
    }
    if (taken === 0) return undefined;
    return {
      message: `${taken} ports of ip_local_port_range are reserved (ip_local_reserved_ports): ${r.high - r.low + 1 - taken} remain for connect().`,
      evidence: { reservedInRange: taken, ports: r.high - r.low + 1 },
      fix: 'Keep net.ipv4.ip_local_reserved_ports to the ports that listeners really need.',
    };
  }),
  rule('host/settings-unknown', 'info', 'Host settings that could not be read are not checked.', (s) => {
    const unknown = Object.entries(s.facts)
      .filter(([k, v]) => k.endsWith('Source') && v === 'unknown')
      .map(([k]) => k.slice(0, -'Source'.length));
    if (unknown.length === 0) return undefined;
    return {
      message: `Could not read ${unknown.join(', ')}; those checks were skipped.`,
      evidence: { unknown: unknown.join(',') },
      fix: 'Run where /proc/sys/net/ipv4 is readable (the process’s own network namespace) to check them.',
    };
  }),
];
