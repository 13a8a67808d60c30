import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableProblem, TcpState } from '../types.js';
import { EndpointCounts, SLOTS } from './endpoint-counts.js';
import { parseTable } from './proc-tcp-parser.js';
import type { ParseTarget, RawSocket } from './proc-tcp-parser.js';
import { TupleMatcher } from './tuple-matcher.js';
import type { TupleQuery } from './tuple-matcher.js';

/** Kernel state numbers 1–11 (`include/net/tcp_states.h`), in order. */
export const STATE_NAMES: readonly TcpState[] = [
  'established',
  'synSent',
  'synRecv',
  'finWait1',
  'finWait2',
  'timeWait',
  'close',
  'closeWait',
  'lastAck',
  'listen',
  'closing',
];
export { SLOTS };
export type { RawSocket };
const MAX_PROBLEMS = 20;

/** What a scan is asked for; plain data, so it crosses to a worker thread as is. */
export interface ScanRequest {
  readonly procRoot: string;
  /** Remote endpoint keys to count; `null` = all (when `local` is null too), else none. */
  readonly remote: readonly string[] | null;
  readonly local: readonly string[] | null;
  /** Kernel state numbers to count; `null` = all. */
  readonly states: readonly number[] | null;
  readonly listSockets: boolean;
  /** 4-tuples whose kernel state to report, or null. */
  readonly tuples: TupleQuery | null;
  /** List the CLOSE_WAIT sockets toward the counted remote endpoints (remote, local pairs). */
  readonly closeWaitTuples: boolean;
  readonly userHz: number;
  readonly littleEndian: boolean;
}

/** A scan's result in structured-clone-friendly form (flat counts, `SLOTS` per key). */
export interface RawScan {
  readonly remoteKeys: string[];
  readonly remoteCounts: Uint32Array;
  readonly twMin: Float64Array;
  readonly twMax: Float64Array;
  readonly localKeys: string[];
  readonly localCounts: Uint32Array;
  readonly totals: number[];
  readonly sockets: RawSocket[] | null;
  /** The kernel state of each requested 4-tuple (0 = not in the table), or null when none were asked. */
  readonly tupleStates: Uint8Array | null;
  /** Remote, local, remote, local…: the CLOSE_WAIT sockets toward counted remotes, when asked. */
  readonly closeWaitTuples: string[] | null;
  readonly lines: number;
  readonly problems: TableProblem[];
  /** Files that could be read. */
  readonly filesRead: number;
}

/** Reads `/proc/net/tcp` and `/proc/net/tcp6` and counts their sockets. Never throws for bad content. */
export function scanTables(req: ScanRequest): RawScan {
  const all = req.remote === null && req.local === null;
  const remote = all ? new EndpointCounts(null) : req.remote && new EndpointCounts(new Set(req.remote));
  const local = all ? new EndpointCounts(null) : req.local && new EndpointCounts(new Set(req.local));
  const problems: TableProblem[] = [];
  let dropped = 0;
  const target: ParseTarget = {
    remote,
    local,
    states: req.states === null ? null : new Set(req.states),
    totals: new Array<number>(SLOTS).fill(0),
    sockets: req.listSockets ? [] : null,
    tuples: req.tuples === null ? null : new TupleMatcher(req.tuples, req.littleEndian),
    closeWait: req.closeWaitTuples ? [] : null,
    userHz: req.userHz,
    littleEndian: req.littleEndian,
    lines: 0,
    problem: (p) => {
      if (problems.length < MAX_PROBLEMS) problems.push(p);
      else dropped++;
    },
  };
  let filesRead = 0;
  for (const name of ['tcp', 'tcp6'] as const) {
    const file = join(req.procRoot, 'net', name);
    let buf: Buffer;
    try {
      // readFileSync: in a worker it blocks nobody, and it is far faster than fs.promises on /proc's 4 KB reads.
      buf = readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what = name === 'tcp' ? 'IPv4 sockets' : 'IPv6 sockets (and IPv4 clients of dual-stack servers)';
      target.problem({
        file,
        kind: code === 'ENOENT' ? 'missing' : 'unreadable',
        message: `${file} could not be read (${code ?? String(err)}): ${what} are not counted`,
      });
      continue;
    }
    filesRead++;
    parseTable(buf, file, name, target);
  }
  if (dropped > 0) {
    problems.push({
      file: join(req.procRoot, 'net'),
      kind: 'more-problems',
      message: `${dropped} more problems not listed`,
    });
  }
  const r = remote?.result();
  const l = local?.result();
  return {
    remoteKeys: r?.keys ?? [],
    remoteCounts: r?.counts ?? new Uint32Array(0),
    twMin: r?.twMin ?? new Float64Array(0),
    twMax: r?.twMax ?? new Float64Array(0),
    localKeys: l?.keys ?? [],
    localCounts: l?.counts ?? new Uint32Array(0),
    totals: target.totals,
    sockets: target.sockets,
    tupleStates: target.tuples?.states ?? null,
    closeWaitTuples: target.closeWait,
    lines: target.lines,
    problems,
    filesRead,
  };
}
