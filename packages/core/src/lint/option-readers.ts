/**
 * Reads an option as a number: `undefined` when absent, `null` when explicitly null (unlimited, in most
 * libraries), `NaN` when it is there but not a finite number.
 */
export function numberOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
): number | null | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** Reads an option as a boolean: `undefined` when absent or not a boolean. */
export function booleanOption(options: Readonly<Record<string, unknown>>, key: string): boolean | undefined {
  const value = options[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The JSON type of a value as option schemas name it: string, number, boolean, null, array, object, function. */
export type OptionType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'function';

/** The option names a library accepts, each with the types it may take; lets a config-file linter reject typos. */
export type OptionSchema = Readonly<Record<string, readonly OptionType[]>>;
