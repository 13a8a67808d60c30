import { nearMiss } from '../near-miss.js';
import type { LintRule, LintViolation } from '../types.js';
import type { OptionSchema, OptionType } from './option-readers.js';

/** What is wrong with one library option as written. */
export interface OptionProblem {
  /** The option's key. */
  readonly key: string;
  /** `unknown`: the library has no such option; `type`: the value is of a type the option does not take. */
  readonly problem: 'unknown' | 'type';
  /** For `unknown`: the option the key is a near miss of. */
  readonly suggestion?: string;
  /** For `type`: the types the option takes. */
  readonly expected?: readonly OptionType[];
  /** The type of the value given. */
  readonly got: OptionType;
}

/** The type of a value as option schemas name it. */
export function optionType(value: unknown): OptionType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'function'
    ? type
    : 'object';
}

/**
 * Every key of `options` the library does not take (with the near miss it most likely meant) and every value
 * of a type its option does not take, in key order. Keys whose value is `undefined` are skipped.
 */
export function optionProblems(
  options: Readonly<Record<string, unknown>>,
  schema: OptionSchema,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const known = Object.keys(schema);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const expected = schema[key];
    const got = optionType(value);
    if (expected === undefined) {
      const suggestion = nearMiss(key, known);
      problems.push({ key, problem: 'unknown', got, ...(suggestion ? { suggestion } : {}) });
    } else if (!expected.includes(got)) {
      problems.push({ key, problem: 'type', expected, got });
    }
  }
  return problems;
}

/**
 * The `<kind>/unknown-option` lint rule: an option the library does not know is silently ignored by it (a
 * typo such as `maxIdel` leaves `maxIdle` at its default), so the pool runs with settings nobody chose.
 * `ignore` lists keys the adapter adds to the options it reports. Values are never echoed (they may be secret).
 */
export function unknownOptionRule(
  kind: string,
  schema: OptionSchema,
  ignore: readonly string[] = [],
): LintRule {
  return {
    id: `${kind}/unknown-option`,
    kind,
    severity: 'warning',
    description: `An option ${kind} does not know: it is ignored, so the setting meant is left at its default.`,
    check: ({ options }) => unknownOptionViolation(kind, unknownOptions(options, schema, ignore)),
  };
}

/** The keys of `options` the library does not take, but for `ignore`d ones, with their near misses. */
export function unknownOptions(
  options: Readonly<Record<string, unknown>>,
  schema: OptionSchema,
  ignore: readonly string[] = [],
): OptionProblem[] {
  return optionProblems(options, schema).filter((p) => p.problem === 'unknown' && !ignore.includes(p.key));
}

/** What `<kind>/unknown-option` says of these unknown options; undefined when there are none. */
export function unknownOptionViolation(
  kind: string,
  unknown: readonly OptionProblem[],
): LintViolation | undefined {
  if (unknown.length === 0) return undefined;
  const named = unknown.map((p) => (p.suggestion ? `${p.key} (did you mean ${p.suggestion}?)` : p.key));
  const meant = unknown.flatMap((p) => (p.suggestion ? [p.suggestion] : []));
  return {
    message:
      `${named.join(', ')} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of ${kind}: ` +
      `${kind} ignores ${unknown.length === 1 ? 'it' : 'them'}` +
      (meant.length > 0 ? `, so ${meant.join(', ')} stays at its default.` : '.'),
    evidence: {
      unknownOptions: unknown.map((p) => p.key).join(', '),
      suggestions: meant.join(', '),
    },
    fix:
      meant.length > 0
        ? `Rename ${unknown
            .filter((p) => p.suggestion)
            .map((p) => `${p.key} to ${p.suggestion as string}`)
            .join(', ')}.`
        : `Remove ${unknown.map((p) => p.key).join(', ')} or check the ${kind} documentation for its name.`,
  };
}
