/** An option passed to a poolaudit function is wrong. Thrown at once, naming the option and the value. */
export class InvalidOptionError extends TypeError {
  readonly code = 'POOLAUDIT_INVALID_OPTION';
  constructor(option: string, expected: string, got: unknown) {
    super(`poolaudit: ${option} must be ${expected}, got ${describe(got)}`);
    this.name = 'InvalidOptionError';
  }
}

/** An adapter was handed an object it does not recognise as its library's pool or client. */
export class UnsupportedPoolError extends TypeError {
  readonly code = 'POOLAUDIT_UNSUPPORTED_POOL';
  constructor(adapter: string, expected: string, got: unknown) {
    super(`poolaudit: ${adapter} expects ${expected}, got ${describe(got)}`);
    this.name = 'UnsupportedPoolError';
  }
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
