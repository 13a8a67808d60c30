import { defaultPortRange, parseEndpoint } from '@poolaudit/core';
import { readSocketTable, readSysctls } from '@poolaudit/host';
import type { SocketTable, StateCounts } from '@poolaudit/host';

/** The states `sockets` counts, as `ss` names them. */
export const SOCKET_STATES = ['time-wait', 'close-wait', 'established'] as const;
export type SocketState = (typeof SOCKET_STATES)[number];

const TABLE_STATE: Readonly<Record<SocketState, 'timeWait' | 'closeWait' | 'established'>> = {
  'time-wait': 'timeWait',
  'close-wait': 'closeWait',
  established: 'established',
};

export interface SocketsOptions {
  readonly json: boolean;
  /** Rows shown (text), busiest first. */
  readonly top: number;
  /** Only these remote endpoints (`ip:port`, `[v6]:port`). Default: all. */
  readonly remote?: readonly string[];
  /** Only this port: the remote port, or with `local` the local listening port. */
  readonly port?: number;
  /** Only rows with sockets in these states (the text shows only their columns). Default: all three. */
  readonly states?: readonly SocketState[];
  /** A server's view: per client address of each local listening port. Default false. */
  readonly local?: boolean;
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

/** One client of a local server (`sockets --local`): the sockets between that client address and the port. */
export interface ClientRow {
  /** The local listening endpoint, e.g. `127.0.0.1:8080`. */
  readonly local: string;
  /** The client's address (all its ports together). */
  readonly client: string;
  readonly timeWait: number;
  readonly closeWait: number;
  readonly established: number;
}

/** The kernel's TCP sockets grouped by remote endpoint, busiest TIME_WAIT first. */
export async function socketRows(
  options: { procRoot?: string; remote?: readonly string[] } = {},
): Promise<{ rows: EndpointRow[]; table: SocketTable; ports: number }> {
  const proc = options.procRoot === undefined ? {} : { procRoot: options.procRoot };
  const range = readSysctls(proc).ipLocalPortRange.value ?? defaultPortRange();
  const ports = range.high - range.low + 1;
  const table = await readSocketTable({
    ...proc,
    ...(options.remote ? { remote: options.remote } : {}),
    states: ['timeWait', 'closeWait', 'established'],
  });
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
  rows.sort(busiestFirst);
  return { rows, table, ports };
}

/**
 * A server's view: the sockets of each local listening port (or of `port`), per client address, busiest
 * TIME_WAIT first. A server that closes first (`Connection: close`, a short keep-alive) keeps one TIME_WAIT
 * per connection here, toward each client.
 */
export async function clientRows(
  options: { procRoot?: string; port?: number } = {},
): Promise<{ rows: ClientRow[]; table: SocketTable }> {
  const table = await readSocketTable({
    ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
    states: ['timeWait', 'closeWait', 'established', 'listen'],
    listSockets: true,
  });
  const sockets = table.sockets ?? [];
  const listening = new Set(
    options.port === undefined
      ? sockets.filter((s) => s.state === 'listen').map((s) => parseEndpoint(s.local).port)
      : [options.port],
  );
  const byClient = new Map<string, { local: string; client: string; counts: Record<string, number> }>();
  for (const socket of sockets) {
    if (socket.state === 'listen' || !listening.has(parseEndpoint(socket.local).port)) continue;
    const client = parseEndpoint(socket.remote).host;
    const key = `${socket.local} ${client}`;
    let row = byClient.get(key);
    if (!row) {
      row = { local: socket.local, client, counts: { timeWait: 0, closeWait: 0, established: 0 } };
      byClient.set(key, row);
    }
    row.counts[socket.state] = (row.counts[socket.state] ?? 0) + 1;
  }
  const rows = [...byClient.values()].map(({ local, client, counts }) => ({
    local,
    client,
    timeWait: counts['timeWait'] ?? 0,
    closeWait: counts['closeWait'] ?? 0,
    established: counts['established'] ?? 0,
  }));
  rows.sort(busiestFirst);
  return { rows, table };
}

function busiestFirst(a: Omit<EndpointRow, 'endpoint' | 'portBudgetUsed'>, b: typeof a): number {
  return b.timeWait - a.timeWait || b.closeWait - a.closeWait || b.established - a.established;
}

/** Keeps the rows that have sockets in one of `states`. */
function inStates<R extends Pick<StateCounts, 'timeWait' | 'closeWait' | 'established'>>(
  rows: readonly R[],
  states: readonly SocketState[],
): R[] {
  return rows.filter((r) => states.some((s) => r[TABLE_STATE[s]] > 0));
}

/** `poolaudit sockets`: one reading, as text or JSON. */
export async function runSockets(options: SocketsOptions, write: (text: string) => void): Promise<void> {
  const states = options.states ?? SOCKET_STATES;
  const proc = options.procRoot === undefined ? {} : { procRoot: options.procRoot };
  if (options.local === true) {
    const { rows, table } = await clientRows({
      ...proc,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    const shown = inStates(rows, states);
    if (options.json) {
      write(
        `${JSON.stringify({ view: 'local', states, partial: table.partial, clients: shown }, null, 2)}\n`,
      );
      return;
    }
    const lines = [`${'local endpoint'.padEnd(30)} ${'client'.padEnd(40)} ${header(states)}`];
    for (const r of shown.slice(0, options.top)) {
      lines.push(`${r.local.padEnd(30)} ${r.client.padEnd(40)} ${cells(r, states)}`);
    }
    if (shown.length === 0) lines.push('(no sockets on a local listening port match)');
    if (shown.length > options.top) lines.push(`… ${shown.length - options.top} more clients (--top N)`);
    lines.push(...footer(table));
    write(`${lines.join('\n')}\n`);
    return;
  }
  const { rows, table, ports } = await socketRows({
    ...proc,
    ...(options.remote ? { remote: options.remote } : {}),
  });
  const shown = inStates(
    options.port === undefined ? rows : rows.filter((r) => parseEndpoint(r.endpoint).port === options.port),
    states,
  );
  if (options.json) {
    write(
      `${JSON.stringify({ ports, states, partial: table.partial, problems: table.problems, endpoints: shown }, null, 2)}\n`,
    );
    return;
  }
  const lines = [`${'remote endpoint'.padEnd(40)} ${header(states)}  port budget`];
  for (const r of shown.slice(0, options.top)) {
    lines.push(`${r.endpoint.padEnd(40)} ${cells(r, states)}  ${(r.portBudgetUsed * 100).toFixed(1)}%`);
  }
  if (shown.length === 0) lines.push('(no matching sockets)');
  if (shown.length > options.top) lines.push(`… ${shown.length - options.top} more endpoints (--top N)`);
  lines.push(...footer(table), `${ports} ephemeral ports per destination`);
  write(`${lines.join('\n')}\n`);
}

const COLUMN: Readonly<Record<SocketState, string>> = {
  'time-wait': 'TIME_WAIT',
  'close-wait': 'CLOSE_WAIT',
  established: 'ESTAB',
};

function header(states: readonly SocketState[]): string {
  return SOCKET_STATES.filter((s) => states.includes(s))
    .map((s) => COLUMN[s].padStart(10))
    .join(' ');
}

function cells(
  row: Pick<StateCounts, 'timeWait' | 'closeWait' | 'established'>,
  states: readonly SocketState[],
) {
  return SOCKET_STATES.filter((s) => states.includes(s))
    .map((s) => String(row[TABLE_STATE[s]]).padStart(10))
    .join(' ');
}

function footer(table: SocketTable): string[] {
  const lines = [
    `host total: ${table.totals.timeWait} TIME_WAIT, ${table.totals.closeWait} CLOSE_WAIT, ` +
      `${table.totals.established} ESTABLISHED`,
  ];
  if (table.partial) lines.push(`partial reading: ${table.problems.map((p) => p.message).join('; ')}`);
  return lines;
}
