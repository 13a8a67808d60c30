import { recognizePool } from './known-pools.js';

/** Where a bad option was given (`'lintPools()'`) and the accepted value it is closest to, for the message. */
export interface OptionErrorContext {
  /** The function or place that was given the option, e.g. `auditPool()`. */
  readonly where?: string;
  /** The accepted value (or name) the bad one is a near miss of: adds "; did you mean …?". */
  readonly suggestion?: string;
}

/** An option passed to a poolaudit function is wrong. Thrown at once, naming the option and the value. */
export class InvalidOptionError extends TypeError {
  readonly code: string = 'POOLAUDIT_INVALID_OPTION';
  /** The option, as a path (`detectors.max-idle-churn.minEvents`). */
  readonly option: string;
  /** The accepted value the given one is a near miss of, if any. */
  readonly suggestion: string | undefined;
  constructor(option: string, expected: string, got: unknown, context: OptionErrorContext = {}) {
    super(
      `poolaudit: ${prefix(context)}${option} must be ${expected}, got ${describe(got)}${didYouMean(context)}`,
    );
    this.name = 'InvalidOptionError';
    this.option = option;
    this.suggestion = context.suggestion;
  }
}

/** An options object holds a key the function does not take: most often a typo of one it does. */
export class UnknownOptionError extends InvalidOptionError {
  override readonly code: string = 'POOLAUDIT_UNKNOWN_OPTION';
  constructor(option: string, known: readonly string[], context: OptionErrorContext = {}) {
    super(option, '', undefined, context);
    this.name = 'UnknownOptionError';
    this.message =
      `poolaudit: ${prefix(context)}unknown option ${option}${didYouMean(context)}` +
      ` (known: ${known.length === 0 ? 'none' : known.join(', ')})`;
  }
}

/**
 * An adapter was handed an object it does not recognise as its library's pool or client. When the object is
 * another supported library's, the message names that library and the adapter that audits it.
 */
export class UnsupportedPoolError extends TypeError {
  readonly code = 'POOLAUDIT_UNSUPPORTED_POOL';
  constructor(adapter: string, expected: string, got: unknown) {
    const known = recognizePool(got);
    const other = known && known.adapter !== adapter ? known : undefined;
    super(
      `poolaudit: ${adapter} expects ${expected}, got ` +
        (other
          ? `${other.what}: audit it with ${other.audit ? `${other.audit} from ` : ''}${other.adapter}`
          : describe(got)),
    );
    this.name = 'UnsupportedPoolError';
  }
}

function prefix(context: OptionErrorContext): string {
  return context.where ? `${context.where}: ` : '';
}

function didYouMean(context: OptionErrorContext): string {
  return context.suggestion === undefined ? '' : `; did you mean ${context.suggestion}?`;
}

/** How a bad value reads in an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return 'an array';
  const name = value.constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'a plain object';
}
