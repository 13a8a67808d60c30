/** Keys whose values are secrets, whatever the library calls them. */
const SECRET_KEY =
  /pass(word|wd|phrase)?$|secret|token|auth|credential|cookie|^key$|private|^cert$|^pfx$|^ca$|api_?key|sasl/i;
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;
const URL_USERINFO_ANYWHERE = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;
const MAX_DEPTH = 4;

/**
 * A copy of a library's options fit to print: secret values replaced by `[redacted]`, URL userinfo removed,
 * functions, buffers and class instances (sockets, streams, agents) named rather than walked.
 */
export function redactConfig(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return redactObject(options, 0);
}

/** Removes `user:password@` from a URL-like string. */
export function redactUrl(text: string): string {
  return text.replace(URL_USERINFO, '$1[redacted]@');
}

/** Removes `user:password@` from every URL in a text (an error message that quotes a connection string). */
export function redactText(text: string): string {
  return text.replace(URL_USERINFO_ANYWHERE, '$1[redacted]@');
}

function redactObject(object: Readonly<Record<string, unknown>>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    out[key] =
      SECRET_KEY.test(key) && value !== null && value !== false
        ? '[redacted]'
        : redactValue(value, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return redactUrl(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object' || ArrayBuffer.isView(value)) return `[${typeof value}]`;
  if (depth > MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return `[${value.constructor?.name ?? 'object'}]`;
  }
  return redactObject(value as Record<string, unknown>, depth);
}
