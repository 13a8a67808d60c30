import { lint } from '@poolaudit/core';
import type { Finding } from '@poolaudit/core';
import { hostLintRules, hostLintSubject, readSysctls } from '@poolaudit/host';
import type { HostSysctls, SysctlReading } from '@poolaudit/host';
import { formatFindingsText } from '../format/text.js';

/** What each setting means, with the facts right. */
const MEANING: Readonly<Record<keyof Omit<HostSysctls, 'platform'>, string>> = {
  ipLocalPortRange: 'ephemeral ports for connect(); the budget is per destination ip:port',
  ipLocalReservedPorts: 'ports never picked automatically; they come off the budget',
  tcpTwReuse:
    '0 off, 1 on, 2 loopback only; outgoing connect() only, needs timestamps, never shortens TIME_WAIT',
  tcpTwReuseDelayMs: 'age a TIME_WAIT must reach before reuse; does not shorten TIME_WAIT',
  tcpMaxTwBuckets: 'cap on TIME_WAIT sockets; above it they are dropped (TCPTimeWaitOverflow)',
  tcpFinTimeoutSeconds: 'orphaned FIN_WAIT2 lifetime; NOT the TIME_WAIT length',
  tcpTimestamps: 'TCP timestamps; tcp_tw_reuse needs them',
  tcpTwRecycle: 'never turn it on: it drops SYNs from clients behind NAT',
  timeWaitSeconds: 'how long the side that closes first keeps each socket',
};

function show(reading: SysctlReading<unknown>): string {
  const v = reading.value;
  if (v === null) return reading.source === 'absent' ? 'absent' : 'unknown';
  if (Array.isArray(v))
    return v.length === 0
      ? '(none)'
      : v.map((r: { low: number; high: number }) => `${r.low}-${r.high}`).join(',');
  if (typeof v === 'object') {
    const r = v as { low: number; high: number };
    return `${r.low} ${r.high} (${r.high - r.low + 1} ports)`;
  }
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

/** `poolaudit doctor`: the host's TCP settings, what they mean, and the host lint findings. */
export function runDoctor(
  options: { json: boolean; procRoot?: string },
  write: (text: string) => void,
): Finding[] {
  const sysctls = readSysctls(options.procRoot === undefined ? {} : { procRoot: options.procRoot });
  const findings = lint([hostLintSubject(sysctls)], hostLintRules);
  if (options.json) {
    write(`${JSON.stringify({ sysctls, findings }, null, 2)}\n`);
    return findings;
  }
  const lines = [`Host TCP settings (${sysctls.platform})`, ''];
  for (const key of Object.keys(MEANING) as (keyof typeof MEANING)[]) {
    const reading = sysctls[key] as SysctlReading<unknown>;
    const source = reading.source === 'proc' ? '' : ` [${reading.source}]`;
    lines.push(`  ${reading.name.padEnd(34)} ${show(reading).padEnd(26)}${source}`);
    lines.push(`      ${MEANING[key]}${reading.note ? ` — ${reading.note}` : ''}`);
  }
  lines.push('', formatFindingsText(findings));
  write(lines.join('\n'));
  return findings;
}
