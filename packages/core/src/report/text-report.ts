import type {
  AuditSnapshot,
  Finding,
  PoolSnapshot,
  ProcessSocketsSnapshot,
  TimeWaitReconciliation,
  TimingSummary,
  UnauditedDestination,
} from '../types.js';
import { formatDBStats, footprintText } from './db-stats.js';

/** A report for people: every pool's stats, closures, TIME_WAIT footprint, timings and findings. */
export function formatReport(snapshot: AuditSnapshot): string {
  const lines: string[] = [];
  if (snapshot.pools.length === 0) lines.push('No pools are audited.');
  for (const pool of snapshot.pools) lines.push(...poolSection(pool, snapshot), '');
  if (snapshot.unaudited) lines.push(...unauditedSection(snapshot.unaudited), '');
  const accounts = snapshot.reconciliation ?? [];
  if (accounts.length > 0) {
    lines.push("TIME_WAIT toward each destination, the kernel's count reconciled:");
    const pools = new Map(snapshot.endpoints.map((e) => [e.endpoint, e.pools]));
    const unaudited = new Map(snapshot.unaudited?.destinations.map((d) => [d.endpoint, d]));
    for (const account of accounts) {
      lines.push(
        `  ${reconciliation(account, pools.get(account.endpoint) ?? [], unaudited.get(account.endpoint))}`,
      );
    }
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
 * What the kernel holds toward one destination = what the audited pools' closes left + what this process's
 * unaudited connections left (with the process view on) + the rest (another process on the host).
 */
function reconciliation(
  account: TimeWaitReconciliation,
  pools: readonly string[],
  unaudited: UnauditedDestination | undefined,
): string {
  const words = account.poolsSource === 'kernel' ? 'confirmed per 4-tuple' : 'counted';
  const here =
    account.unaudited === null
      ? `sockets no audited pool owns ${account.unexplained}`
      : `unaudited connections here ${account.unaudited}` +
        (unaudited
          ? ` (${unaudited.timeWait.source === 'kernel' ? 'confirmed per 4-tuple' : 'counted'})`
          : '') +
        ` + other processes ${account.unexplained}`;
  if (pools.length === 0) return `${account.endpoint} (no audited pool): kernel ${account.kernel} = ${here}`;
  return (
    `${account.endpoint} (${pools.join(', ')}): kernel ${account.kernel} = these pools' closes ` +
    `${account.pools} (${words}) + ${here}`
  );
}

/** The process's connections that no adapter audits, per destination, with the code that makes them. */
function unauditedSection(view: ProcessSocketsSnapshot): string[] {
  const lines = [`Connections no adapter audits (every connect seen, by ${view.mechanism}):`];
  if (view.destinations.length === 0) lines.push('  none');
  for (const d of view.destinations) {
    const c = d.closedBy;
    lines.push(
      `  ${d.endpoint}: open ${d.open} · created ${d.created} · closed by: local ${c.local} · remote ` +
        `${c.remote} · reset ${c.reset} · lifetime ms (p50/p99/max) ${timing(d.lifetime)}`,
      `    TIME_WAIT here: ${footprintText(d.timeWait)} in the last ${d.timeWait.windowSeconds}s ` +
        `(${d.timeWait.ratePerSecond}/s)`,
    );
    for (const caller of d.callers.slice(0, 5)) {
      lines.push(
        `    from ${caller.frame ?? '(no application frame on the stack)'}` +
          `${caller.library ? ` via ${caller.library}` : ''}: ${caller.connections} of ${d.sampled} sampled`,
      );
    }
  }
  if (view.untracked > 0)
    lines.push(`  and ${view.untracked} connections to further destinations, not followed`);
  return lines;
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
