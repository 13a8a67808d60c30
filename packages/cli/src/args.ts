import { parseArgs } from 'node:util';
import { nearMiss } from '@poolaudit/core';

/** A usage problem: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help is printed with the message; undefined for the general usage. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly default?: string | boolean;
  /** May be given more than once (values are collected in order). */
  readonly multiple?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What `parseFlags` returns: each flag's value(s) and the positional arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `args` for `command`. An unknown flag is named with the closest known one ("unknown option --frmat
 * for lint; did you mean --format?"), and a flag missing its value says so, instead of Node's parser text.
 */
export function parseFlags(command: string, args: readonly string[], flags: FlagSpecs): ParsedArgs {
  const normalized = checkFlags(command, args, flags);
  try {
    const { values, positionals } = parseArgs({
      args: normalized,
      options: flags,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    // Only reached for what checkFlags does not foresee; keep Node's wording but drop its code prefix.
    throw new UsageError(err instanceof Error ? err.message : String(err), command);
  }
}

/** Checks every flag; returns the arguments with each long flag's value joined (`--top=5`), so `-1` is a value. */
function checkFlags(command: string, args: readonly string[], flags: FlagSpecs): string[] {
  const shorts = new Map(
    Object.entries(flags)
      .filter(([, spec]) => spec.short !== undefined)
      .map(([name, spec]) => [spec.short as string, name]),
  );
  const known = Object.keys(flags).map((name) => `--${name}`);
  const normalized: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return [...normalized, ...args.slice(i)];
    normalized.push(arg);
    if (!arg.startsWith('-') || arg === '-') continue;
    const isLong = arg.startsWith('--');
    const name = isLong ? (arg.slice(2).split('=')[0] as string) : shorts.get(arg.slice(1, 2));
    const spec = name === undefined ? undefined : flags[name];
    if (spec === undefined) {
      const given = isLong ? `--${name ?? ''}` : arg;
      const guess = nearMiss(given, known);
      throw new UsageError(
        `unknown option ${given} for ${command}${guess ? `; did you mean ${guess}?` : ''}`,
        command,
      );
    }
    if (spec.type === 'string' && !arg.includes('=')) {
      const value = args[i + 1];
      if (value === undefined || (value.startsWith('-') && value !== '-' && !/^-\d/.test(value))) {
        throw new UsageError(`option --${name as string} needs a value`, command);
      }
      normalized[normalized.length - 1] = isLong ? `${arg}=${value}` : `--${name as string}=${value}`;
      i++;
    }
  }
  return normalized;
}

/** A flag's value as a positive integer. */
export function positiveInteger(command: string, flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`${flag} must be a positive integer, got ${String(value)}`, command);
  }
  return n;
}

/** A flag's value as an integer ≥ 0. */
export function nonNegativeInteger(command: string, flag: string, value: unknown): number {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${flag} must be an integer of 0 or more, got ${String(value)}`, command);
  }
  return n;
}

/** A flag's value as a positive number. */
export function positiveNumber(command: string, flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a positive number, got ${String(value)}`, command);
  }
  return n;
}
