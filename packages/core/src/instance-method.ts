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
