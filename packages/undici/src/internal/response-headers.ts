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

/**
 * Reads `Connection` and `Keep-Alive` from undici's raw response headers (`[name, value, …]`, Buffers or
 * strings) into `out`. Allocates only when one of the two headers is present.
 */
export function readResponseHeaders(headers: unknown, out: ResponseVerdict): void {
  out.connectionClose = false;
  out.keepAliveHintMs = -1;
  if (!Array.isArray(headers)) return;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name: unknown = headers[i];
    if (name === null || name === undefined || (name as { length?: unknown }).length !== 10) continue;
    if (sameName(name, CONNECTION)) {
      if (/\bclose\b/i.test(text(headers[i + 1]))) out.connectionClose = true;
    } else if (sameName(name, KEEP_ALIVE)) {
      const match = KEEPALIVE_TIMEOUT.exec(text(headers[i + 1]));
      if (match?.[1] !== undefined) out.keepAliveHintMs = Number.parseInt(match[1], 10) * 1000;
    }
  }
}

/** Case-insensitive ASCII comparison of a header name (Buffer or string) with a lower-case name. */
function sameName(name: unknown, lower: string): boolean {
  if (typeof name === 'string') return name.toLowerCase() === lower;
  if (!(name instanceof Uint8Array)) return false;
  for (let j = 0; j < lower.length; j++) {
    // ASCII upper → lower case: set bit 0x20 on letters only.
    const byte = name[j] ?? 0;
    const folded = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
    if (folded !== lower.charCodeAt(j)) return false;
  }
  return true;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString('latin1');
  if (Array.isArray(value)) return value.map(text).join(', ');
  return '';
}
