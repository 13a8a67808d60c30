/**
 * Where an acquire was called from, for leak reports. The stack is taken synchronously in the `acquire()`
 * wrapper, where the caller's frames are still on the stack (the resource arrives later, from a promise
 * reaction that has none of them). `wrapper` and the frames above it are left out.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function acquireStack(wrapper: Function): Error {
  const stack = new Error('acquired here');
  Error.captureStackTrace(stack, wrapper);
  return stack;
}

/**
 * Runs `record` (a probe call) so that the stack core keeps for the acquire is `stack`. Core takes it as
 * `new Error('acquired here').stack` inside `probe.acquired()`; V8 formats `.stack` through
 * `Error.prepareStackTrace` on first read, so the hook is swapped for the duration of that one synchronous
 * call and put back at once. Nothing else runs in between.
 */
export function withAcquireStack(stack: Error, record: () => void): void {
  const text = stack.stack ?? '';
  const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  Error.prepareStackTrace = () => text;
  try {
    record();
  } finally {
    if (saved) Object.defineProperty(Error, 'prepareStackTrace', saved);
    else Reflect.deleteProperty(Error, 'prepareStackTrace');
  }
}
