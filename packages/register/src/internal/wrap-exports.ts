/** How a library hands out the objects the hook audits. */
export type PoolSource =
  /** `exports[factory](…)` returns the pool (`mysql2.createPool`). */
  | { readonly factory: string }
  /** `new exports[construct](…)` is the pool; `'.'` when the exports object is the class itself (ioredis). */
  | { readonly construct: string }
  /** `exports[takes](pool)` is handed a pool made elsewhere (`undici.setGlobalDispatcher`). */
  | { readonly takes: string }
  /** `exports[holds]` is a pool the library made itself (`http.globalAgent`): audited, never replaced. */
  | { readonly holds: string }
  /**
   * `exports[makesClasses](…)` returns a class whose instances are pools (grpc-js `makeClientConstructor`),
   * or a tree of plain objects holding such classes (`loadPackageDefinition`): each class is handed out
   * wrapped as a `construct` export is.
   */
  | { readonly makesClasses: string };

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
    if ('holds' in source) continue;
    const key = sourceKey(source);
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
          : 'makesClasses' in source
            ? wrapClassMaker(fn, seen, key)
            : wrapFunction(fn, seen, key, 'takes' in source)),
    );
  }
  return out;
}

function sourceKey(source: Exclude<PoolSource, { holds: string }>): string {
  if ('factory' in source) return source.factory;
  if ('construct' in source) return source.construct;
  if ('makesClasses' in source) return source.makesClasses;
  return source.takes;
}

/**
 * Puts the replacements on a CommonJS exports object and returns what `require()` should answer: the same
 * object, or (when the exports object is itself a wrapped class) its proxy. Properties it cannot assign
 * (non-configurable getters, as ioredis defines `Redis` and `default` and TypeScript's re-exports define
 * grpc-js's) are answered by that proxy instead, or by a proxy of the exports object made for them. On any
 * failure every property already changed is put back and the error is rethrown.
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
      } else if (self !== undefined || (descriptor !== undefined && 'get' in descriptor)) {
        // A proxy may answer another value for a non-configurable accessor, never for a frozen value.
        unassignable.set(key, value);
      } else {
        throw new TypeError(`export ${key} cannot be replaced`);
      }
    }
  } catch (err) {
    for (const [key, descriptor] of assigned.reverse()) Object.defineProperty(target, key, descriptor);
    throw err;
  }
  if (self === undefined && unassignable.size === 0) return exports;
  const answer = self ?? overridingProxy(target);
  overrides.set(answer, unassignable);
  return answer;
}

/** A proxy of an exports object whose `get` answers the replacements of its non-configurable getters. */
function overridingProxy(target: object): object {
  const proxy: object = new Proxy(target, {
    get(t, key, receiver) {
      const replaced = typeof key === 'string' ? overrides.get(proxy)?.get(key) : undefined;
      return replaced !== undefined ? replaced : (Reflect.get(t, key, receiver) as unknown);
    },
  });
  return proxy;
}

/**
 * Hands each pool the library made itself (a `holds` source) to `seen`, after the exports were wrapped: a
 * value that is not an object is skipped (the library has none yet).
 */
export function seeHeldPools(exports: unknown, sources: readonly PoolSource[], seen: PoolSeen): void {
  for (const source of sources) {
    if (!('holds' in source)) continue;
    const pool = (exports as Record<string, unknown> | undefined)?.[source.holds];
    if (typeof pool === 'object' && pool !== null) seen(pool, seeHeldPools, source.holds, []);
  }
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
      // `new Proxy()` itself builds with the class as new.target: an instance made with a proxy as new.target
      // gets a fresh hidden class each time in V8 (about 12 µs more per `new http.Agent()`, and garbage).
      // `new.target.prototype` is the same object either way; a subclass keeps its own new.target.
      const instance = Reflect.construct(target, args, newTarget === proxy ? target : newTarget) as object;
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

/** The proxy handed out for each class a class maker made, so that the same class gets the same proxy. */
const madeClasses = new WeakMap<object, unknown>();
/** Nesting a class tree (`loadPackageDefinition`: package, subpackage, …, service) is walked to. */
const TREE_DEPTH = 16;

/**
 * A function that calls the class maker and hands out what it made with each class wrapped (`construct`): the
 * result itself when it is a class, else the classes in its tree of plain objects, replaced in place (the
 * tree is the call's own, fresh object).
 */
function wrapClassMaker(
  original: (...args: unknown[]) => unknown,
  seen: PoolSeen,
  key: string,
): (...args: unknown[]) => unknown {
  const wrapClass = (made: (...args: unknown[]) => unknown): unknown => {
    let proxy = madeClasses.get(made);
    if (proxy === undefined) {
      proxy = wrapConstructor(made, seen, key);
      madeClasses.set(made, proxy);
    }
    return proxy;
  };
  const walk = (node: Record<string, unknown>, depth: number): void => {
    if (depth > TREE_DEPTH) return;
    for (const name of Object.keys(node)) {
      const value = node[name];
      if (typeof value === 'function' && value.prototype !== undefined && !wrappers.has(value)) {
        node[name] = wrapClass(value as (...args: unknown[]) => unknown);
      } else if (isPlainObject(value)) {
        walk(value, depth + 1);
      }
    }
  };
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const made = Reflect.apply(original, this, args);
    if (typeof made === 'function' && made.prototype !== undefined) {
      return wrapClass(made as (...args: unknown[]) => unknown);
    }
    try {
      if (isPlainObject(made)) walk(made, 0);
    } catch {
      // A tree that cannot be walked (a getter that throws): what was not wrapped goes unaudited.
    }
    return made;
  };
  copyIdentity(wrapped, original);
  wrappers.add(wrapped);
  return wrapped;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copyIdentity(wrapped: object, original: object): void {
  for (const key of ['name', 'length'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapped, key, descriptor);
  }
}
