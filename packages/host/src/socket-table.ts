import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSockstat } from './counters.js';
import { ProcReadError } from './errors.js';
import { checkTableOptions } from './internal/options.js';
import type { TableOptions } from './internal/options.js';
import { sharedScanThread, scanWorkerFile } from './internal/scan-thread.js';
import type { ScanThread } from './internal/scan-thread.js';
import { SLOTS, STATE_NAMES, scanTables } from './internal/table-scan.js';
import type { RawScan, ScanRequest } from './internal/table-scan.js';
import type {
  SocketTable,
  SocketTableOptions,
  StateCounts,
  TableSocket,
  TimeWaitRemaining,
} from './types.js';

/**
 * Reads `/proc/net/tcp` and `/proc/net/tcp6` and counts the sockets per (state, remote endpoint) and per local
 * endpoint, keyed as `endpointKey` keys them (IPv4 byte order decoded, v4-mapped IPv6 folded to IPv4), with the
 * TIME_WAIT timers left per remote endpoint. Large tables are read and parsed in a worker thread.
 * Off-thread scans share one worker thread, started on the first and kept for the next (so only the first
 * pays its startup); it holds the process only while a scan is under way, and is started again if it dies.
 *
 * Throws `InvalidOptionError` at once for a bad option. Rejects with `ProcReadError` when neither file can be read; a file that is missing, cut short or holds
 * garbage gives a result with `partial: true` and the `problems` listed.
 */
export function readSocketTable(options: SocketTableOptions = {}): Promise<SocketTable> {
  // Bad options throw here, synchronously, before any promise exists.
  const o = checkTableOptions(options);
  return scanSocketTable(o);
}

/**
 * The scan behind `readSocketTable`. `thread`: a worker kept across scans (the observer's); without one, the
 * process's shared scan worker is used (started on first use) when the scan goes off the main thread.
 */
export async function scanSocketTable(o: TableOptions, thread?: ScanThread): Promise<SocketTable> {
  const started = performance.now();
  const req: ScanRequest = {
    procRoot: o.procRoot,
    remote: o.remote,
    local: o.local,
    states: o.states,
    listSockets: o.listSockets,
    tuples: o.tuples,
    closeWaitTuples: o.closeWaitTuples,
    userHz: o.userHz,
    littleEndian: o.littleEndian ?? endianness() === 'LE',
  };
  const file = o.offThread !== false && wantsWorker(o) ? scanWorkerFile() : undefined;
  let raw: RawScan;
  if (file === undefined) raw = scanTables(req);
  else raw = await (thread ?? sharedScanThread(file)).run(req);
  if (raw.filesRead === 0) {
    throw new ProcReadError(
      `the kernel's socket table could not be read from ${join(o.procRoot, 'net')}: ` +
        raw.problems.map((p) => p.message).join('; '),
      raw.problems,
    );
  }
  return toTable(raw, file !== undefined, performance.now() - started);
}

/** `'auto'`: a worker when sockstat shows a big table (or cannot be read, to be safe). */
function wantsWorker(o: TableOptions): boolean {
  if (o.offThread === true) return true;
  try {
    const s = parseSockstat(readFileSync(join(o.procRoot, 'net', 'sockstat'), 'latin1'));
    const inuse = s['inuse'];
    const tw = s['tw'];
    if (inuse === undefined || tw === undefined) return true;
    return inuse + tw > o.offThreadAbove;
  } catch {
    return true;
  }
}

function countsAt(flat: ArrayLike<number>, slot: number): StateCounts {
  const b = slot * SLOTS;
  // Kernel state numbers (include/net/tcp_states.h): 1 ESTABLISHED … 11 CLOSING.
  return {
    established: flat[b + 1] ?? 0,
    synSent: flat[b + 2] ?? 0,
    synRecv: flat[b + 3] ?? 0,
    finWait1: flat[b + 4] ?? 0,
    finWait2: flat[b + 5] ?? 0,
    timeWait: flat[b + 6] ?? 0,
    close: flat[b + 7] ?? 0,
    closeWait: flat[b + 8] ?? 0,
    lastAck: flat[b + 9] ?? 0,
    listen: flat[b + 10] ?? 0,
    closing: flat[b + 11] ?? 0,
  };
}

function toTable(raw: RawScan, offThread: boolean, durationMs: number): SocketTable {
  const byRemote = new Map<string, StateCounts>();
  const timeWaitRemaining = new Map<string, TimeWaitRemaining>();
  raw.remoteKeys.forEach((key, slot) => {
    byRemote.set(key, countsAt(raw.remoteCounts, slot));
    const min = raw.twMin[slot] ?? Infinity;
    const max = raw.twMax[slot] ?? -Infinity;
    if (Number.isFinite(min) && Number.isFinite(max)) timeWaitRemaining.set(key, { min, max });
  });
  const byLocal = new Map<string, StateCounts>();
  raw.localKeys.forEach((key, slot) => byLocal.set(key, countsAt(raw.localCounts, slot)));
  const table: SocketTable = {
    byRemote,
    byLocal,
    timeWaitRemaining,
    totals: countsAt(raw.totals, 0),
    lines: raw.lines,
    partial: raw.problems.length > 0,
    problems: raw.problems,
    offThread,
    durationMs,
    ...(raw.tupleStates === null ? {} : { tupleStates: raw.tupleStates }),
    ...(raw.closeWaitTuples === null ? {} : { closeWaitTuples: raw.closeWaitTuples }),
  };
  if (raw.sockets === null) return table;
  const sockets: TableSocket[] = raw.sockets.map(([local, remote, state, tw, file]) => ({
    local,
    remote,
    state: STATE_NAMES[state - 1] ?? 'close',
    timeWaitRemaining: tw >= 0 ? tw : null,
    file,
  }));
  return { ...table, sockets };
}
