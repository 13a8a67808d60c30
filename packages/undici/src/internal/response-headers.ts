/** What one response said about the connection it came on. */
export interface ResponseVerdict {
  /** `Connection: close`: the server will close the connection after this response. */
  connectionClose: boolean;
  /** The `Keep-Alive: timeout=N` hint in ms, or -1 when the response carried none. */
  keepAliveHintMs: number;
}

const KEEPALIVE_TIMEOUT = /timeout=(\d+)/; // undici lib/core/util.js KEEPALIVE_TIMEOUT_EXPR
// Both header names are 10 bytes long: anything else is skipped with one length check.
const CONNECTION = 'connection';
const KEEP_ALIVE = 'keep-alive';
// `close` and `timeout=` as character codes (lower case), compared without building strings.
const CLOSE = [0x63, 0x6c, 0x6f, 0x73, 0x65];
const TIMEOUT_EQ = [0x74, 0x69, 0x6d, 0x65, 0x6f, 0x75, 0x74, 0x3d];
// Up to 15 digits, a number built digit by digit is exact, as `Number.parseInt` gives it.
const EXACT_DIGITS = 15;

// Servers send the same `Keep-Alive` value on every response: the last string value and its hint are kept.
let lastKeepAliveText: string | undefined;
let lastKeepAliveHint = -1;

/**
 * Reads `Connection` and `Keep-Alive` from undici's raw response headers (`[name, value, …]`, Buffers or
 * strings) into `out`, comparing bytes in place: no strings are built for Buffer headers.
 */
export function readResponseHeaders(headers: unknown, out: ResponseVerdict): void {
  out.connectionClose = false;
  out.keepAliveHintMs = -1;
  if (!Array.isArray(headers)) return;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name: unknown = headers[i];
    if (name === null || name === undefined || (name as { length?: unknown }).length !== 10) continue;
    if (sameName(name, CONNECTION)) {
      if (hasCloseToken(headers[i + 1])) out.connectionClose = true;
    } else if (sameName(name, KEEP_ALIVE)) {
      const hint = keepAliveHint(headers[i + 1]);
      if (hint >= 0) out.keepAliveHintMs = hint;
    }
  }
}

/** Case-insensitive comparison of a header name (Buffer or string) with a lower-case ASCII name. */
function sameName(name: unknown, lower: string): boolean {
  if (typeof name === 'string') {
    for (let j = 0; j < lower.length; j++) {
      const code = name.charCodeAt(j);
      // Beyond ASCII, case folding is Unicode's (the Kelvin sign lowers to `k`): leave it to toLowerCase.
      if (code >= 0x80) return name.toLowerCase() === lower;
      if (foldAscii(code) !== lower.charCodeAt(j)) return false;
    }
    return true;
  }
  if (!(name instanceof Uint8Array)) return false;
  for (let j = 0; j < lower.length; j++) {
    if (foldAscii(name[j] ?? 0) !== lower.charCodeAt(j)) return false;
  }
  return true;
}

/** ASCII upper → lower case: bit 0x20 set on letters only. */
function foldAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

/** `[A-Za-z0-9_]`: what `\b` takes for a word character (a regular expression without the `u` flag). */
function isWordChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f
  );
}

/** `/\bclose\b/i` on the header's value, read in place (latin1, as undici decodes header bytes). */
function hasCloseToken(value: unknown): boolean {
  if (value instanceof Uint8Array) return closeAt(value, value.length, byteAt);
  if (typeof value === 'string') return closeAt(value, value.length, charAt);
  return /\bclose\b/i.test(text(value));
}

function byteAt(value: Uint8Array, i: number): number {
  return value[i] ?? 0;
}

function charAt(value: string, i: number): number {
  return value.charCodeAt(i);
}

function closeAt<T>(value: T, length: number, at: (value: T, i: number) => number): boolean {
  const last = length - CLOSE.length;
  for (let i = 0; i <= last; i++) {
    if (i > 0 && isWordChar(at(value, i - 1))) continue;
    let j = 0;
    // Only ASCII letters fold: a code ≥ 0x80 never equals one of `close` (no `u` flag, latin1 text).
    while (j < CLOSE.length && foldAscii(at(value, i + j)) === CLOSE[j]) j++;
    if (j < CLOSE.length) continue;
    if (i + j === length || !isWordChar(at(value, i + j))) return true;
  }
  return false;
}

/** The `Keep-Alive` value's `timeout=N` in ms, or -1: undici's `KEEPALIVE_TIMEOUT_EXPR`, read in place. */
function keepAliveHint(value: unknown): number {
  if (value instanceof Uint8Array) return timeoutAt(value, value.length, byteAt);
  if (typeof value === 'string') {
    if (value !== lastKeepAliveText) {
      lastKeepAliveHint = timeoutAt(value, value.length, charAt);
      lastKeepAliveText = value;
    }
    return lastKeepAliveHint;
  }
  const match = KEEPALIVE_TIMEOUT.exec(text(value));
  return match?.[1] === undefined ? -1 : Number.parseInt(match[1], 10) * 1000;
}

function timeoutAt<T>(value: T, length: number, at: (value: T, i: number) => number): number {
  // The first `timeout=` followed by a digit, as the regular expression finds it (case-sensitive).
  const last = length - TIMEOUT_EQ.length - 1;
  for (let i = 0; i <= last; i++) {
    let j = 0;
    while (j < TIMEOUT_EQ.length && at(value, i + j) === TIMEOUT_EQ[j]) j++;
    if (j < TIMEOUT_EQ.length) continue;
    const start = i + j;
    let end = start;
    let n = 0;
    for (let c = at(value, end); end < length && c >= 0x30 && c <= 0x39; c = at(value, ++end)) {
      n = n * 10 + (c - 0x30);
    }
    if (end === start) continue;
    if (end - start > EXACT_DIGITS) n = Number.parseInt(digits(value, start, end, at), 10);
    return n * 1000;
  }
  return -1;
}

function digits<T>(value: T, start: number, end: number, at: (value: T, i: number) => number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(at(value, i));
  return s;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString('latin1');
  if (Array.isArray(value)) return value.map(text).join(', ');
  return '';
}
