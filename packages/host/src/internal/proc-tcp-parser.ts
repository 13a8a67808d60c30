import type { TableProblem } from '../types.js';
import { ipv4FromWord, ipv6FromWords, tableEndpointKey } from './address.js';
import { SLOTS } from './endpoint-counts.js';
import type { EndpointCounts } from './endpoint-counts.js';
import type { TupleMatcher } from './tuple-matcher.js';

const TIME_WAIT = 6;
const CLOSE_WAIT = 8;
const SPACE = 32;
const COLON = 58;
const NEWLINE = 10;

/** A socket row: local, remote, kernel state, TIME_WAIT seconds left (or -1), file. */
export type RawSocket = [string, string, number, number, 'tcp' | 'tcp6'];

/** Where one scan puts what it reads. */
export interface ParseTarget {
  readonly remote: EndpointCounts | null;
  readonly local: EndpointCounts | null;
  /** Kernel state numbers to count; `null` = all. */
  readonly states: ReadonlySet<number> | null;
  readonly totals: number[];
  readonly sockets: RawSocket[] | null;
  /** 4-tuples whose state is looked up, whatever the other filters. */
  readonly tuples: TupleMatcher | null;
  /** Remote, local, remote, local…: the CLOSE_WAIT sockets toward counted remote endpoints, or null. */
  readonly closeWait: string[] | null;
  readonly userHz: number;
  readonly littleEndian: boolean;
  lines: number;
  problem(problem: TableProblem): void;
}

/**
 * One pass over the file's bytes with offsets: no split, no regex, no string per line. Each line is
 * `%4d: LOCAL:PORT REMOTE:PORT ST TX:RX TR:WHEN …` (net/ipv4/tcp_ipv4.c `get_tcp4_sock`, `get_timewait4_sock`;
 * net/ipv6/tcp_ipv6.c for the 32-digit addresses of tcp6).
 */
export function parseTable(buf: Buffer, file: string, name: 'tcp' | 'tcp6', target: ParseTarget): void {
  if (buf.length === 0) {
    target.problem({ file, kind: 'empty', message: `${file} is empty: it should start with a header line` });
    return;
  }
  const addrLen = name === 'tcp' ? 8 : 32;
  let pos = 0;
  let lineNo = 0;
  while (pos < buf.length) {
    let end = buf.indexOf(NEWLINE, pos);
    const unterminated = end < 0;
    if (unterminated) end = buf.length;
    lineNo++;
    if (lineNo === 1 && isHeader(buf, pos, end)) {
      pos = end + 1;
      continue;
    }
    if (lineNo === 1) {
      target.problem({
        file,
        kind: 'bad-header',
        line: 1,
        message: `${file} does not start with its header`,
      });
    }
    if (unterminated) {
      target.problem({
        file,
        kind: 'truncated-line',
        line: lineNo,
        message: `${file} ends without a newline at line ${lineNo}: the file was cut short`,
      });
    }
    if (!isBlank(buf, pos, end)) {
      const why = parseLine(buf, pos, end, addrLen, name, target);
      if (why !== null) {
        target.problem({
          file,
          kind: 'malformed-line',
          line: lineNo,
          message: `${file} line ${lineNo}: ${why}; the line is skipped`,
        });
      }
    }
    pos = end + 1;
  }
}

function isHeader(buf: Buffer, pos: number, end: number): boolean {
  let i = pos;
  while (i < end && buf[i] === SPACE) i++;
  return buf[i] === 115 /* s */ && buf[i + 1] === 108 /* l */ && buf.indexOf('local_address', i) < end;
}

function isBlank(buf: Buffer, pos: number, end: number): boolean {
  for (let i = pos; i < end; i++) if (buf[i] !== SPACE && buf[i] !== 13) return false;
  return true;
}

/** Value of the hex digit with ASCII code `c`, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** `n` hex digits at `pos` as a number, or -1 when any is not hex or the line ends first. */
function hexAt(buf: Buffer, pos: number, n: number, end: number): number {
  if (pos + n > end) return -1;
  let v = 0;
  for (let i = pos; i < pos + n; i++) {
    const d = hexDigit(buf[i] ?? 0);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Counts one line; returns why it could not be read, or null. */
function parseLine(
  buf: Buffer,
  start: number,
  end: number,
  addrLen: number,
  name: 'tcp' | 'tcp6',
  t: ParseTarget,
): string | null {
  // `sl:` then one space: the slot number widens past 9999 entries, so find the colon rather than count.
  let p = start;
  while (p < end && buf[p] === SPACE) p++;
  while (p < end && buf[p] !== COLON) {
    if (hexDigit(buf[p] ?? 0) < 0) return 'no slot number';
    p++;
  }
  const localAt = p + 2;
  const remoteAt = localAt + addrLen + 6;
  const stateAt = remoteAt + addrLen + 6;
  const localPort = buf[localAt + addrLen] === COLON ? hexAt(buf, localAt + addrLen + 1, 4, end) : -1;
  const remotePort = buf[remoteAt + addrLen] === COLON ? hexAt(buf, remoteAt + addrLen + 1, 4, end) : -1;
  if (localPort < 0 || remotePort < 0 || buf[localAt - 1] !== SPACE || buf[remoteAt - 1] !== SPACE) {
    return 'addresses are not HEX:PORT';
  }
  const le = t.littleEndian;
  const localV4 = ipv4Word(buf, localAt, addrLen, le);
  const remoteV4 = ipv4Word(buf, remoteAt, addrLen, le);
  if (localV4 === -2 || remoteV4 === -2) return 'an address is not hex';
  const state = hexAt(buf, stateAt, 2, end);
  if (state < 1 || state >= SLOTS || buf[stateAt - 1] !== SPACE) {
    return state < 0 ? 'no state' : `unknown state ${state}`;
  }
  // tx_queue:rx_queue (8:8), then tr:tm->when (2:variable; clock_t ticks, clamped at 0 by the kernel).
  const timerAt = stateAt + 3 + 18;
  if (buf[timerAt - 1] !== SPACE || buf[timerAt - 10] !== COLON) return 'no queue fields';
  if (hexAt(buf, timerAt, 2, end) < 0 || buf[timerAt + 2] !== COLON) return 'no timer field';
  let when = 0;
  let q = timerAt + 3;
  while (q < end && buf[q] !== SPACE) {
    const d = hexDigit(buf[q] ?? 0);
    if (d < 0) return 'timer value is not hex';
    when = when * 16 + d;
    q++;
  }
  if (q === timerAt + 3) return 'no timer value';
  t.lines++;
  if (t.tuples !== null && t.tuples.mayWant(localPort)) {
    if (localV4 >= 0 && remoteV4 >= 0) t.tuples.matchV4(localV4, localPort, remoteV4, remotePort, state);
    else if (t.tuples.wantsV6) {
      t.tuples.matchKeys(
        keyAt(buf, localAt, addrLen, localPort, le),
        keyAt(buf, remoteAt, addrLen, remotePort, le),
        state,
      );
    }
  }
  if (t.states !== null && !t.states.has(state)) return null;
  t.totals[state] = (t.totals[state] ?? 0) + 1;
  const twLeft = state === TIME_WAIT ? when / t.userHz : -1;
  const remoteSlot =
    t.remote === null ? -1 : slotOf(buf, remoteAt, addrLen, remotePort, remoteV4, le, t.remote);
  if (remoteSlot >= 0) {
    t.remote?.count(remoteSlot, state, twLeft);
    if (state === CLOSE_WAIT && t.closeWait !== null) {
      t.closeWait.push(
        keyAt(buf, remoteAt, addrLen, remotePort, le),
        keyAt(buf, localAt, addrLen, localPort, le),
      );
    }
  }
  const localSlot = t.local === null ? -1 : slotOf(buf, localAt, addrLen, localPort, localV4, le, t.local);
  if (localSlot >= 0) t.local?.count(localSlot, state, -1);
  if (t.sockets !== null && (remoteSlot >= 0 || localSlot >= 0)) {
    t.sockets.push([
      keyAt(buf, localAt, addrLen, localPort, le),
      keyAt(buf, remoteAt, addrLen, remotePort, le),
      state,
      twLeft,
      name,
    ]);
  }
  return null;
}

/** The slot for the address at `at` (-1 = not counted): IPv4 and v4-mapped by number, other IPv6 by text. */
function slotOf(
  buf: Buffer,
  at: number,
  addrLen: number,
  port: number,
  v4: number,
  le: boolean,
  counts: EndpointCounts,
): number {
  if (!counts.mayWant(port)) return -1;
  if (v4 >= 0) return counts.lookupV4(v4, port) ?? counts.addV4(v4, port, keyAt(buf, at, addrLen, port, le));
  const raw = buf.toString('latin1', at, at + addrLen + 5);
  return counts.lookupV6(raw) ?? counts.addV6(raw, keyAt(buf, at, addrLen, port, le));
}

/** The IPv4 word of an IPv4 or v4-mapped IPv6 address; -1 for other IPv6; -2 for bad hex. */
function ipv4Word(buf: Buffer, at: number, addrLen: number, le: boolean): number {
  if (addrLen === 8) {
    const w = hexAt(buf, at, 8, at + 8);
    return w < 0 ? -2 : w;
  }
  // ::ffff:a.b.c.d = words 0, 0, 0x0000FFFF (printed FFFF0000 on little-endian), a.b.c.d
  const w0 = hexAt(buf, at, 8, at + 32);
  const w1 = hexAt(buf, at + 8, 8, at + 32);
  const w2 = hexAt(buf, at + 16, 8, at + 32);
  const w3 = hexAt(buf, at + 24, 8, at + 32);
  if (w0 < 0 || w1 < 0 || w2 < 0 || w3 < 0) return -2;
  return w0 === 0 && w1 === 0 && w2 === (le ? 0xffff0000 : 0x0000ffff) ? w3 : -1;
}

/** The endpoint key of the address and port at `at`. */
function keyAt(buf: Buffer, at: number, addrLen: number, port: number, le: boolean): string {
  if (addrLen === 8 || ipv4Word(buf, at, addrLen, le) >= 0) {
    const word = hexAt(buf, at + addrLen - 8, 8, at + addrLen);
    return tableEndpointKey(ipv4FromWord(word, le), port);
  }
  const words = [0, 8, 16, 24].map((o) => hexAt(buf, at + o, 8, at + 32));
  return tableEndpointKey(ipv6FromWords(words, le), port);
}
