/**
 * Puts `replacement` on `target` as an own property named `key` (shadowing the prototype's method) and
 * returns the function that undoes it exactly: the previous own property comes back, or none at all. If
 * somebody has replaced ours in the meantime, theirs is left alone.
 */
export function replaceOwn(target: object, key: string, replacement: unknown): () => void {
  const previous = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: previous?.enumerable ?? false,
  });
  return () => {
    if (Object.getOwnPropertyDescriptor(target, key)?.value !== replacement) return;
    if (previous) Object.defineProperty(target, key, previous);
    else Reflect.deleteProperty(target, key);
  };
}
