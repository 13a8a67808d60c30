import { defaultPortRange } from '@poolaudit/core';
import { readSocketTable, readSysctls } from '@poolaudit/host';
import type { SocketTable } from '@poolaudit/host';

export interface SocketsOptions {
  readonly json: boolean;
  /** Rows shown (text), busiest first. */
  readonly top: number;
  readonly procRoot?: string;
}

export interface EndpointRow {
  readonly endpoint: string;
  readonly timeWait: number;
  readonly closeWait: number;
  readonly established: number;
  /** Share (0–1) of the ephemeral ports toward this destination held in TIME_WAIT. */
  readonly portBudgetUsed: number;
}

/** The kernel's TCP sockets grouped by remote endpoint, busiest TIME_WAIT first. */
export async function socketRows(
  options: { procRoot?: string } = {},
): Promise<{ rows: EndpointRow[]; table: SocketTable; ports: number }> {
  const proc = options.procRoot === undefined ? {} : { procRoot: options.procRoot };
  const range = readSysctls(proc).ipLocalPortRange.value ?? defaultPortRange();
  const ports = range.high - range.low + 1;
  const table = await readSocketTable({ ...proc, states: ['timeWait', 'closeWait', 'established'] });
  const rows: EndpointRow[] = [];
  for (const [endpoint, counts] of table.byRemote) {
    if (counts.timeWait + counts.closeWait + counts.established === 0) continue;
    rows.push({
      endpoint,
      timeWait: counts.timeWait,
      closeWait: counts.closeWait,
      established: counts.established,
      portBudgetUsed: Math.round((counts.timeWait / ports) * 10000) / 10000,
    });
  }
  rows.sort((a, b) => b.timeWait - a.timeWait || b.closeWait - a.closeWait || b.established - a.established);
  return { rows, table, ports };
}

/** `poolaudit sockets`: one reading, as text or JSON. */
export async function runSockets(options: SocketsOptions, write: (text: string) => void): Promise<void> {
  const { rows, table, ports } = await socketRows(
    options.procRoot === undefined ? {} : { procRoot: options.procRoot },
  );
  if (options.json) {
    write(
      `${JSON.stringify({ ports, partial: table.partial, problems: table.problems, endpoints: rows }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `${'remote endpoint'.padEnd(40)} ${'TIME_WAIT'.padStart(9)} ${'CLOSE_WAIT'.padStart(10)} ${'ESTAB'.padStart(6)}  port budget`,
  ];
  for (const r of rows.slice(0, options.top)) {
    lines.push(
      `${r.endpoint.padEnd(40)} ${String(r.timeWait).padStart(9)} ${String(r.closeWait).padStart(10)} ` +
        `${String(r.established).padStart(6)}  ${(r.portBudgetUsed * 100).toFixed(1)}%`,
    );
  }
  if (rows.length > options.top) lines.push(`… ${rows.length - options.top} more endpoints (--top N)`);
  lines.push(
    `total: ${table.totals.timeWait} TIME_WAIT, ${table.totals.closeWait} CLOSE_WAIT, ${table.totals.established} ESTABLISHED; ` +
      `${ports} ephemeral ports per destination`,
  );
  if (table.partial) lines.push(`partial reading: ${table.problems.map((p) => p.message).join('; ')}`);
  write(`${lines.join('\n')}\n`);
}
