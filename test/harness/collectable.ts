import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The same switch as `node --expose-gc`, turned on for this process only: a fresh context then sees `gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Whether the object `make()` resolves with is garbage-collected once nothing but the test's
 * `FinalizationRegistry` refers to it: after `make()` has used it, closed or detached it and dropped it.
 * Collects and yields to the event loop up to `rounds` times (libraries free sockets and timers on later
 * turns), so a retained object fails in bounded time.
 */
export async function isCollected(make: () => Promise<object>, rounds = 40): Promise<boolean> {
  let collected = false;
  const registry = new FinalizationRegistry<string>(() => {
    collected = true;
  });
  // Created in a function of its own so that no local of this frame keeps the object.
  await register(registry, make);
  for (let i = 0; i < rounds && !collected; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return collected;
}

async function register(registry: FinalizationRegistry<string>, make: () => Promise<object>): Promise<void> {
  registry.register(await make(), 'target');
}
