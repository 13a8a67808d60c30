/**
 * Whether `version` (`3.24.6`) satisfies an npm range as adapters write their peer dependencies: `^3.0.0`,
 * `>=6.21.0`, `>=5.0.0 <7`, alternatives joined by `||`. Prereleases compare by their release numbers.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (v === undefined) return false;
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .filter((c) => c !== '')
      .every((comparator) => matches(v, comparator)),
  );
}

type Triple = [number, number, number];

function matches(v: Triple, comparator: string): boolean {
  const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+(?:\.\d+){0,2})/.exec(comparator);
  if (!m) return false;
  const op = m[1] ?? '=';
  const parts = (m[2] ?? '').split('.').map(Number);
  const bound: Triple = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
  const c = compare(v, bound);
  switch (op) {
    case '^':
      return c >= 0 && v[0] === bound[0] && (bound[0] !== 0 || v[1] === bound[1]);
    case '~':
      return c >= 0 && v[0] === bound[0] && v[1] === bound[1];
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '<':
      return c < 0;
    default:
      // `3` or `3.1` mean any version with those leading numbers.
      return parts.every((p, i) => v[i] === p);
  }
}

function parse(version: string): Triple | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
