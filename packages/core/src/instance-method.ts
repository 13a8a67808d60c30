/**
 * Replaces `target[key]` with `make(original)` on this one instance and returns the exact undo.
 *
 * Why an own property: the wrapper is defined on `target` itself (writable, configurable, and as
 * enumerable as the property it shadows; non-enumerable when there was none), so it shadows the
 * prototype's method for this instance alone. Other instances of the class, and any later instance,
 * stay untouched: nothing is patched on a prototype.
 *
 * Why the undo is conditional: it puts back exactly what was there (the previous own property with its
 * descriptor, or no own property at all so the prototype's method shows through again), but only while
 * `target` still holds our wrapper as its own property. If something wrapped over ours in the meantime,
 * restoring would throw their wrapper away; theirs stays, and ours, still called by theirs, must then
 * pass calls straight through to the original (the caller's wrapper decides that, typically by checking
 * whether its audit is still on).
 *
 * The idea is the one behind shimmer's `wrap`/`unwrap` as used by opentelemetry-js instrumentations:
 * define the wrapper with `Object.defineProperty`, keep the property's enumerability, hand back a way to
 * undo. Here the undo is a closure over the previous descriptor rather than a mark on the wrapper, and
 * it never removes a wrapper that is not ours.
 *
 * Works for any value held under `key`, not only methods (an object the instance keeps can be swapped
 * for a stand-in the same way).
 *
 * @param target the instance to change
 * @param key the property to replace
 * @param make builds the replacement from the current value (read through the prototype chain)
 * @returns the undo; calling it more than once is harmless
 */
export function wrapInstanceMethod<T extends object, K extends keyof T>(
  target: T,
  key: K,
  make: (original: T[K]) => T[K],
): () => void {
  const previous = Object.getOwnPropertyDescriptor(target, key);
  const wrapper = make(target[key]);
  Object.defineProperty(target, key, {
    value: wrapper,
    writable: true,
    configurable: true,
    enumerable: previous?.enumerable ?? false,
  });
  return () => {
    if (Object.getOwnPropertyDescriptor(target, key)?.value !== wrapper) return;
    if (previous) Object.defineProperty(target, key, previous);
    else Reflect.deleteProperty(target, key);
  };
}

/** The function a call of a hooked method enters first (`wrapMethodOf`'s dispatcher). */
export type EntryFunction = (...args: unknown[]) => unknown;

/** One method swapped on the prototype that defines it: the instances it runs a wrapper for, and the undo. */
interface SharedSwap {
  readonly original: (...args: unknown[]) => unknown;
  readonly dispatcher: (...args: unknown[]) => unknown;
  readonly descriptor: PropertyDescriptor;
  readonly wrappers: WeakMap<object, (...args: unknown[]) => unknown>;
  /** Instances wrapped now: at 0 the prototype gets its method back. */
  live: number;
}

const swaps = new WeakMap<object, Map<PropertyKey, SharedSwap>>();

/**
 * Replaces `target[key]` with `make(original)` for this one instance, leaving the instance itself exactly as
 * it was: no own property appears (`Object.keys`, `hasOwnProperty`, spread and serializers see the library's
 * object), and no listener is added to it.
 *
 * How: the method is swapped, on the prototype that defines it, for a dispatcher that looks the calling
 * instance up in a `WeakMap` and runs its wrapper, or the original for every other instance (one map lookup
 * per call is all they pay). The idea is opentelemetry-js's prototype patching (shimmer `wrap` on
 * `Class.prototype`), narrowed to the instances asked for. The dispatcher carries the original's `name` and
 * `length`. When the last wrapped instance is undone the prototype gets its own descriptor back — unless
 * something wrapped over the dispatcher since, whose wrapper then keeps calling a dispatcher that passes
 * every call straight through.
 *
 * `make` also gets the dispatcher (`entry`): the function on the stack right above the wrapper whenever the
 * wrapper runs, for a wrapper that takes the caller's stack (`Error.captureStackTrace(e, entry)`); undefined
 * when the wrapper is the instance's own property.
 *
 * A method the instance holds as its own property (assigned in its constructor) is wrapped there, as
 * `wrapInstanceMethod` does: the instance's keys stay the same. So does a method no prototype lets us
 * redefine (non-configurable and read-only).
 *
 * @returns the undo; calling it more than once is harmless
 */
export function wrapMethodOf<T extends object, K extends keyof T>(
  target: T,
  key: K,
  make: (original: T[K], entry: EntryFunction | undefined) => T[K],
): () => void {
  const owner = definingPrototype(target, key);
  const descriptor = owner && Object.getOwnPropertyDescriptor(owner, key);
  if (
    owner === undefined ||
    descriptor === undefined ||
    typeof descriptor.value !== 'function' ||
    (!descriptor.configurable && !descriptor.writable)
  ) {
    return wrapInstanceMethod(target, key, (original) => make(original, undefined));
  }
  const swap = sharedSwap(owner, key, descriptor);
  const previous = swap.wrappers.get(target);
  const wrapper = make(
    (previous ?? swap.original) as T[K],
    swap.dispatcher,
  ) as unknown as SharedSwap['original'];
  swap.wrappers.set(target, wrapper);
  if (previous === undefined) swap.live++;
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (swap.wrappers.get(target) !== wrapper) return;
    if (previous !== undefined) {
      swap.wrappers.set(target, previous);
      return;
    }
    swap.wrappers.delete(target);
    if (--swap.live > 0) return;
    if (Object.getOwnPropertyDescriptor(owner, key)?.value !== swap.dispatcher) return;
    Object.defineProperty(owner, key, swap.descriptor);
    swaps.get(owner)?.delete(key);
  };
}

/** The object in `target`'s prototype chain (not `target` itself) that holds `key` as its own property. */
function definingPrototype(target: object, key: PropertyKey): object | undefined {
  if (Object.prototype.hasOwnProperty.call(target, key)) return undefined;
  for (
    let o = Object.getPrototypeOf(target) as object | null;
    o !== null;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return o;
  }
  return undefined;
}

function sharedSwap(owner: object, key: PropertyKey, descriptor: PropertyDescriptor): SharedSwap {
  let byKey = swaps.get(owner);
  if (byKey === undefined) swaps.set(owner, (byKey = new Map<PropertyKey, SharedSwap>()));
  const existing = byKey.get(key);
  // Installed earlier and still in place (or wrapped over by someone else): keep dispatching through it.
  if (existing !== undefined) return existing;
  const original = descriptor.value as SharedSwap['original'];
  const wrappers = new WeakMap<object, SharedSwap['original']>();
  const dispatcher = function (this: object, ...args: unknown[]): unknown {
    return Reflect.apply(wrappers.get(this) ?? original, this, args);
  };
  Object.defineProperty(dispatcher, 'name', { value: original.name });
  Object.defineProperty(dispatcher, 'length', { value: original.length });
  const swap: SharedSwap = { original, dispatcher, descriptor, wrappers, live: 0 };
  Object.defineProperty(owner, key, { ...descriptor, value: dispatcher });
  byKey.set(key, swap);
  return swap;
}
