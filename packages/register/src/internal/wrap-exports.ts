/** How a library hands out the objects the hook audits. */
export type PoolSource =
  /** `exports[factory](…)` returns the pool (`mysql2.createPool`). */
  | { readonly factory: string }
  /** `new exports[construct](…)` is the pool; `'.'` when the exports object is the class itself (ioredis). */
  | { readonly construct: string }
  /** `exports[takes](pool)` is handed a pool made elsewhere (`undici.setGlobalDispatcher`). */
  | { readonly takes: string };

/**
 * Called with every pool a wrapped export hands out, the wrapper the call went through (for stack traces),
 * the export's key and the arguments it was called with.
 */
export type PoolSeen = (
  pool: unknown,
  via: (...args: never[]) => unknown,
  key: string,
  args: readonly unknown[],
) => void;

/** Every function this hook made, so that an export seen twice (require and import) is wrapped once. */
const wrappers = new WeakSet<object>();

/** The replacement of each wrapped export, computed before anything is assigned. */
export type Replacements = Map<string, unknown>;

/**
 * The wrapped value of each source's export. Nothing is assigned here: a source whose export is missing or
 * already wrapped is skipped, and an export that is not a function throws before anything has changed.
 */
export function replacementsFor(
  exports: unknown,
  sources: readonly PoolSource[],
  seen: PoolSeen,
): Replacements {
  const out: Replacements = new Map();
  for (const source of sources) {
    const key =
      'factory' in source ? source.factory : 'construct' in source ? source.construct : source.takes;
    const original: unknown = key === '.' ? exports : (exports as Record<string, unknown> | undefined)?.[key];
    if (original === undefined || wrappers.has(original as object)) continue;
    if (typeof original !== 'function') {
      throw new TypeError(`export ${key} is a ${typeof original}, not a function`);
    }
    // An alias of the exports object itself (ioredis' `Redis` and `default`) gets the same proxy.
    const self = original === exports && key !== '.' ? out.get('.') : undefined;
    const fn = original as (...args: unknown[]) => unknown;
    out.set(
      key,
      self ??
        ('construct' in source
          ? wrapConstructor(fn, seen, key)
          : wrapFunction(fn, seen, key, 'takes' in source)),
    );
  }
  return out;
}

/**
 * Puts the replacements on a CommonJS exports object and returns what `require()` should answer: the same
 * object, or (when the exports object is itself a wrapped class) its proxy. Properties it cannot assign
 * (non-writable, non-configurable getters, as ioredis defines `Redis` and `default`) are answered by that
 * proxy instead. On any failure every property already changed is put back and the error is rethrown.
 */
export function applyToExports(exports: unknown, replacements: Replacements): unknown {
  if (replacements.size === 0) return exports;
  const self = replacements.get('.');
  const target = exports as Record<string, unknown>;
  const assigned: [string, PropertyDescriptor][] = [];
  const unassignable = new Map<string, unknown>();
  try {
    for (const [key, value] of replacements) {
      if (key === '.') continue;
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor && 'value' in descriptor && descriptor.writable === true) {
        assigned.push([key, descriptor]);
        target[key] = value;
      } else if (descriptor?.configurable === true) {
        assigned.push([key, descriptor]);
        Object.defineProperty(target, key, {
          configurable: true,
          enumerable: descriptor.enumerable ?? true,
          writable: true,
          value,
        });
      } else if (self !== undefined) {
        unassignable.set(key, value);
      } else {
        throw new TypeError(`export ${key} cannot be replaced`);
      }
    }
  } catch (err) {
    for (const [key, descriptor] of assigned.reverse()) Object.defineProperty(target, key, descriptor);
    throw err;
  }
  if (self === undefined) return exports;
  overrides.set(self as object, unassignable);
  return self;
}

/** The replacements of a proxied class's non-assignable properties, read by its `get` trap. */
const overrides = new WeakMap<object, ReadonlyMap<string, unknown>>();

function wrapFunction(
  original: (...args: unknown[]) => unknown,
  seen: PoolSeen,
  key: string,
  takesPool: boolean,
): (...args: unknown[]) => unknown {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    if (takesPool) seen(args[0], wrapped, key, args);
    const result = Reflect.apply(original, this, args);
    if (!takesPool) seen(result, wrapped, key, args);
    return result;
  };
  copyIdentity(wrapped, original);
  wrappers.add(wrapped);
  return wrapped;
}

/**
 * A proxy of the class: `new` (and `super()` from a subclass) builds the instance with the original
 * constructor, then hands it to `seen`. Statics, `prototype`, `instanceof` and `name` are the original's.
 */
function wrapConstructor(original: (...args: unknown[]) => unknown, seen: PoolSeen, key: string): unknown {
  const proxy: object = new Proxy(original, {
    construct(target, args: unknown[], newTarget) {
      const instance = Reflect.construct(target, args, newTarget) as object;
      seen(instance, proxy as (...args: never[]) => unknown, key, args);
      return instance;
    },
    get(target, key, receiver) {
      const replaced = typeof key === 'string' ? overrides.get(proxy)?.get(key) : undefined;
      return replaced !== undefined ? replaced : (Reflect.get(target, key, receiver) as unknown);
    },
  });
  wrappers.add(proxy);
  return proxy;
}

function copyIdentity(wrapped: object, original: object): void {
  for (const key of ['name', 'length'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapped, key, descriptor);
  }
}
