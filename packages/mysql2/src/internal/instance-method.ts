/**
 * Replaces `target[key]` with `make(original)` as an own, non-enumerable property of this one instance
 * (never the prototype). Returns the exact undo: it restores the previous own property, or removes
 * ours so the prototype's method shows through again, but only while the property still holds our
 * wrapper (if someone wrapped over it, theirs stays and ours must pass calls straight through).
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
    if (target[key] !== wrapper) return;
    if (previous) Object.defineProperty(target, key, previous);
    else Reflect.deleteProperty(target, key);
  };
}
