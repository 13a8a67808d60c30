import { formatDBStats } from '@poolaudit/core';
import type { Finding } from '@poolaudit/core';
import type { FiredFinding, ProcessView, RunState } from './run-state.js';

/** The live panel: per process, each pool's Go line and each destination's TIME_WAIT and port budget. */
export function statusLines(state: RunState, command: string): string[] {
  const lines = [`poolaudit run: ${command}`];
  if (state.processes.size === 0) {
    lines.push('  waiting for the service to load the hook…');
    return lines;
  }
  for (const view of state.processes.values()) lines.push(...processLines(view, state.processes.size > 1));
  return lines;
}

function processLines(view: ProcessView, several: boolean): string[] {
  const lines: string[] = [];
  const indent = several ? '    ' : '  ';
  if (several) lines.push(`  ${view.process.label}`);
  const snapshot = view.snapshot;
  const unaudited = snapshot?.unaudited?.destinations ?? [];
  if (snapshot === undefined || (snapshot.pools.length === 0 && unaudited.length === 0)) {
    lines.push(`${indent}no pools yet`);
    return lines;
  }
  for (const pool of snapshot.pools) {
    lines.push(`${indent}${pool.name} ${formatDBStats(pool.stats)}`);
  }
  for (const d of view.destinations) {
    const host =
      d.hostTimeWait === undefined
        ? ''
        : ` · kernel ${d.hostTimeWait} (host, this process ${percent(d.processShareOfHost)}) · host port budget ${percent(d.hostPortBudgetUsed)}`;
    lines.push(
      `${indent}→ ${d.endpoint} TIME_WAIT counted ${d.counted}${d.confirmed === null ? '' : ` · confirmed ${d.confirmed}`} (${d.ratePerSecond}/s) · port budget ${percent(d.portBudgetUsed)}${host}`,
    );
  }
  // With POOLAUDIT_PROCESS_SOCKETS=1: the connections no adapter audits, and the code that makes them.
  for (const d of unaudited) {
    const caller = d.callers[0];
    const from = caller
      ? ` · from ${caller.frame ?? '(no application frame)'}${caller.library ? ` via ${caller.library}` : ''}`
      : '';
    const kernel = d.timeWait.source === 'kernel' ? 'confirmed' : 'counted';
    lines.push(
      `${indent}→ ${d.endpoint} unaudited: open ${d.open} · created ${d.created} · TIME_WAIT ${kernel} ` +
        `${d.timeWait.footprint} (${d.timeWait.ratePerSecond}/s)${from}`,
    );
  }
  for (const finding of view.active.values()) {
    lines.push(`${indent}[${finding.severity}] ${finding.code} ${finding.pool}${where(finding)}`);
  }
  return lines;
}

/** A finding as it fires or clears, for the scrolling part of the output. */
export function findingLines(event: FiredFinding, several: boolean): string[] {
  const who = several ? `${event.process.label}: ` : '';
  const { finding } = event;
  if (event.cleared) return [`poolaudit: ${who}cleared ${finding.code} ${finding.pool}${where(finding)}`];
  return [
    `poolaudit: ${who}[${finding.severity}] ${finding.code} ${finding.pool}${where(finding)}: ${finding.message}`,
    `  → ${finding.advice}`,
  ];
}

/** The exit summary: what each pool did over the run, and every finding that fired, with its advice. */
export function summaryLines(state: RunState, exit: string): string[] {
  const lines = [`poolaudit run: the service ${exit}.`];
  const several = state.processes.size > 1;
  for (const view of state.processes.values()) {
    if (several) lines.push(`  ${view.process.label}`);
    for (const pool of view.snapshot?.pools ?? []) {
      const s = pool.stats;
      const closed = Object.entries(s.closed)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      lines.push(
        `  ${pool.name}: ${s.created} opened, closed ${closed || 'none'}; closed here first ${s.closedBy.local} ` +
          `(TIME_WAIT here), by the server ${s.closedBy.remote}; peak in use ${s.peakInUse} of ${s.maxOpen ?? '∞'}`,
      );
    }
  }
  if (state.fired.size === 0) {
    lines.push('  No findings: no pool churned, queued or leaked while it ran.');
    return lines;
  }
  lines.push('  Findings, with what to change:');
  for (const event of state.fired.values()) {
    const who = several ? ` (${event.process.label})` : '';
    lines.push(
      `  [${event.finding.severity}] ${event.finding.code} ${event.finding.pool}${where(event.finding)}${who}`,
    );
    lines.push(`    ${event.finding.message}`, `    → ${event.finding.advice}`);
  }
  return lines;
}

function where(finding: Finding): string {
  return finding.endpoint ? ` → ${finding.endpoint}` : '';
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
