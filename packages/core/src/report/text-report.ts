import type { AuditSnapshot, Finding, PoolSnapshot, TimingSummary } from '../types.js';
import { formatDBStats, footprintText } from './db-stats.js';

/** A report for people: every pool's stats, closures, TIME_WAIT footprint, timings and findings. */
export function formatReport(snapshot: AuditSnapshot): string {
  const lines: string[] = [];
  if (snapshot.pools.length === 0) lines.push('No pools are audited.');
  for (const pool of snapshot.pools) lines.push(...poolSection(pool, snapshot), '');
  const seen = snapshot.endpoints.filter((e) => e.kernel !== undefined);
  if (seen.length > 0) {
    lines.push("TIME_WAIT toward each destination, the audited pools' share of the kernel's count:");
    for (const e of seen) lines.push(`  ${reconciliation(e)}`);
    lines.push('');
  }
  if (snapshot.findings.length > 0) {
    lines.push('Destinations:');
    for (const finding of snapshot.findings) lines.push(...findingLines(finding));
  }
  return lines.join('\n').trimEnd() + '\n';
}

function poolSection(pool: PoolSnapshot, snapshot: AuditSnapshot): string[] {
  const s = pool.stats;
  const last = s.lastConnectError;
  const endpoints =
    pool.endpoints.map((e) => e.endpoint).join(', ') ||
    (last?.endpoint != null ? `${last.endpoint} (never connected)` : 'no connections yet');
  const lines = [
    `${pool.name} (${pool.kind}) → ${endpoints}`,
    `  ${formatDBStats(s)}`,
    `  pending ${s.pending} · created ${s.created} · acquired ${s.acquired} · uses/connection ` +
      `${s.usesPerConnection} · timeouts ${s.timeouts} · peak in use ${s.peakInUse}`,
    `  closed: ${nonZero(s.closed) || 'none'}` +
      (Object.keys(s.closedDetail).length > 0 ? ` (${nonZero(s.closedDetail)})` : ''),
    `  closed by: local ${s.closedBy.local} · remote ${s.closedBy.remote} · reset ${s.closedBy.reset}` +
      (s.closedBy.unknown > 0 ? ` · unknown ${s.closedBy.unknown}` : ''),
    `  TIME_WAIT here: ${footprintText(s.timeWait)} in the last ${s.timeWait.windowSeconds}s ` +
      `(${s.timeWait.ratePerSecond}/s, ${percent(s.timeWait.portBudgetUsed)} of the port budget of ` +
      `${snapshot.portRange.low}–${snapshot.portRange.high})`,
  ];
  for (const e of pool.endpoints) {
    if (!e.kernel) continue;
    lines.push(
      `  kernel toward ${e.endpoint}: ${e.kernel.timeWait} TIME_WAIT · ${e.kernel.closeWait} CLOSE_WAIT · ` +
        `${e.kernel.established} ESTABLISHED`,
    );
  }
  if (last !== null) {
    lines.push(
      `  connect errors: ${s.connectErrors} (${nonZero(s.connectErrorsByCode)}) · last ` +
        `${formatAgo(snapshot.at - last.at)}: ${last.code}: ${last.message}`,
    );
  }
  lines.push(
    `  timings ms (p50/p99/max): connect ${timing(s.timings.connect)} · wait ${timing(s.timings.wait)} · ` +
      `use ${timing(s.timings.use)} · lifetime ${timing(s.timings.lifetime)}`,
  );
  for (const finding of pool.findings) lines.push(...findingLines(finding));
  return lines;
}

/**
 * What the kernel holds toward one destination, split into what the audited pools' closes left and the rest
 * (another process on the host, or a client in this one that no adapter audits).
 */
function reconciliation(e: AuditSnapshot['endpoints'][number]): string {
  const kernel = e.kernel?.timeWait ?? 0;
  const ours = e.timeWait.footprint;
  const words = e.timeWait.source === 'kernel' ? 'confirmed per 4-tuple' : 'counted';
  return (
    `${e.endpoint} (${e.pools.join(', ')}): kernel ${kernel} · from these pools' closes ${ours} (${words}) · ` +
    `from sockets no audited pool owns ${Math.max(0, kernel - ours)}`
  );
}

function findingLines(finding: Finding): string[] {
  return [`  [${finding.severity}] ${finding.code}: ${finding.message}`, `    → ${finding.advice}`];
}

function nonZero(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(' · ');
}

function timing(t: TimingSummary): string {
  return t.count === 0 ? '–' : `${t.p50}/${t.p99}/${t.max}`;
}

function formatAgo(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms ago` : `${Math.round(ms / 100) / 10} s ago`;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
