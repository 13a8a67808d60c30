import { InvalidOptionError, UnknownOptionError } from './errors.js';
import { nearMiss } from './near-miss.js';

/** What one option accepts: the words an error message uses, and the test. */
export interface OptionCheck {
  /** The accepted values in words, completing "name must be …" (`a non-empty string`). */
  readonly expected: string;
  /** True when `value` is accepted. `undefined` (the option left out) is never passed here. */
  readonly accepts: (value: unknown) => boolean;
  /** The literal values accepted, when there is a short list: a near miss of one is suggested. */
  readonly values?: readonly (string | number | boolean)[];
}

/** The options a function takes, each with its check. */
export type OptionChecks = Readonly<Record<string, OptionCheck>>;

/**
 * Checks an options object at the door, so that a mistake throws at once rather than being ignored:
 * `undefined` passes (no options); anything but a plain object, a key `checks` does not list, or a value its
 * check refuses throws. An unknown key throws `UnknownOptionError` ("unknown option nmae; did you mean
 * name?"), a refused value `InvalidOptionError` naming the option, the accepted values and the value given
 * (with the closest accepted literal for a near miss: `failOn` `'eror'` → "did you mean \"error\"?").
 * Both are `TypeError`s with a stable `code`.
 *
 * `where` names the function in the message (`'auditPool()'`); `path` is the place of a nested options object
 * (`'detectors.max-idle-churn'`), prefixed to every option it names. Returns the options, typed.
 */
export function checkOptions<T extends object>(
  where: string,
  options: unknown,
  checks: OptionChecks,
  path = '',
): Partial<T> {
  if (options === undefined) return {};
  const known = Object.keys(checks);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(path || 'options', `an object ({ ${known.join(', ')} })`, options, {
      where,
    });
  }
  const o = options as Record<string, unknown>;
  const at = path ? `${path}.` : '';
  for (const key of Object.keys(o)) {
    const check = checks[key];
    if (check === undefined) {
      const near = nearMiss(key, known);
      throw new UnknownOptionError(`${at}${key}`, known, {
        where,
        ...(near ? { suggestion: `${at}${near}` } : {}),
      });
    }
    checkValue(where, `${at}${key}`, o[key], check);
  }
  return o as Partial<T>;
}

/** Checks one value (skipped when `undefined`), throwing `InvalidOptionError` as `checkOptions()` does. */
export function checkValue(where: string, option: string, value: unknown, check: OptionCheck): void {
  if (value === undefined || check.accepts(value)) return;
  let suggestion: string | undefined;
  if (typeof value === 'string' && check.values) {
    const strings = check.values.filter((v): v is string => typeof v === 'string');
    const near = nearMiss(value, strings);
    if (near !== undefined) suggestion = JSON.stringify(near);
  }
  throw new InvalidOptionError(option, check.expected, value, {
    where,
    ...(suggestion ? { suggestion } : {}),
  });
}

/** The checks options are built from. */
export const accepts = {
  /** A string with something other than spaces in it. */
  nonEmptyString: {
    expected: 'a non-empty string',
    accepts: (v) => typeof v === 'string' && v.trim() !== '',
  },
  boolean: { expected: 'a boolean', accepts: (v) => typeof v === 'boolean', values: [true, false] },
  /** A whole number above 0. */
  positiveInteger: {
    expected: 'a positive integer',
    accepts: (v) => typeof v === 'number' && Number.isInteger(v) && v > 0,
  },
  /** A finite number above 0. */
  positiveNumber: {
    expected: 'a positive number',
    accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  },
  /** A finite number, 0 or above. */
  nonNegativeNumber: {
    expected: 'a non-negative number',
    accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  },
  /** An Auditor (by its shape, so that two copies of `@poolaudit/core` still work together). */
  auditor: {
    expected: 'an Auditor from createAuditor()',
    accepts: (v) => {
      const a = v as Record<string, unknown> | null;
      return (
        typeof a === 'object' &&
        a !== null &&
        typeof a['register'] === 'function' &&
        typeof a['snapshot'] === 'function'
      );
    },
  },
  /** A function, described by its signature. */
  function: (signature: string): OptionCheck => ({
    expected: `a function ${signature}`,
    accepts: (v) => typeof v === 'function',
  }),
  /** An array whose every entry passes `entry`. */
  arrayOf: (entry: OptionCheck, expected: string): OptionCheck => ({
    expected,
    accepts: (v) => Array.isArray(v) && v.every((e) => entry.accepts(e)),
  }),
  /** An object (not an array, not null). */
  object: (expected: string): OptionCheck => ({
    expected,
    accepts: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  }),
  /** One of a few literal values. */
  oneOf: (...values: readonly (string | number | boolean)[]): OptionCheck => ({
    expected: `one of ${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}`,
    accepts: (v) => values.includes(v as string),
    values,
  }),
} satisfies Record<string, OptionCheck | ((...args: never[]) => OptionCheck)>;
