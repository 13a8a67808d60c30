/** The environment variable that turns auditing off without a code change. */
export const DISABLE_VARIABLE = 'POOLAUDIT_DISABLE';

/**
 * What `POOLAUDIT_DISABLE` switches off: `'all'` for `1`, `true`, `all` or `*`; else the library kinds it
 * names, comma- or space-separated (`mysql2,ioredis`: the `kind` each adapter registers its pools with). Unset,
 * empty, `0` and `false` switch nothing off.
 */
export function readKillSwitch(value: string | undefined): 'all' | ReadonlySet<string> {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === '0' || text === 'false') return new Set();
  if (text === '1' || text === 'true' || text === 'all' || text === '*') return 'all';
  return new Set(text.split(/[\s,]+/).filter((kind) => kind !== ''));
}
