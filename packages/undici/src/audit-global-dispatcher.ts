import { UnsupportedPoolError } from '@poolaudit/core';
import { auditDispatcherAs, checkOptions, detachDispatcher } from './audit-dispatcher.js';
import { dispatcherKind, isLegacyWrapper } from './internal/dispatcher-shape.js';
import type { AuditDispatcherOptions, DispatcherLike } from './types.js';

// undici ≤ 7 and Node's fetch read the global dispatcher from `undici.globalDispatcher.1`; undici 8 keeps
// its own under `.2` and mirrors it to `.1` wrapped in a `Dispatcher1Wrapper` (lib/global.js).
const LEGACY = Symbol.for('undici.globalDispatcher.1');
const CURRENT = Symbol.for('undici.globalDispatcher.2');

let audited: object | undefined;

/** The dispatcher behind `fetch` now: undici 8's own when `.1` only mirrors it, else whatever `.1` holds. */
export function globalDispatcher(): object | undefined {
  const slots = globalThis as unknown as Record<symbol, unknown>;
  const legacy = slots[LEGACY];
  const current = slots[CURRENT];
  if (isLegacyWrapper(legacy) && dispatcherKind(current) !== undefined) return current as object;
  if (dispatcherKind(legacy) !== undefined) return legacy as object;
  if (dispatcherKind(current) !== undefined) return current as object;
  return undefined;
}

/**
 * Audits the dispatcher that is global at call time: the one Node's `fetch` uses (undici bundled in Node,
 * or an installed undici that set it). Node creates its own lazily: if there is none yet, reading
 * `globalThis.Headers` loads the bundled undici, which creates it, without any request. Returns it.
 */
export function auditGlobalDispatcher(options?: AuditDispatcherOptions): object {
  checkOptions(options, 'auditGlobalDispatcher()');
  let dispatcher = globalDispatcher();
  if (dispatcher === undefined) {
    // The getter Node installs loads its bundled undici, whose lib/global.js sets the dispatcher.
    if ((globalThis as { Headers?: unknown }).Headers === undefined) return missing();
    dispatcher = globalDispatcher();
  }
  if (dispatcher === undefined) return missing();
  auditDispatcherAs('auditGlobalDispatcher()', dispatcher as DispatcherLike, options);
  audited = dispatcher;
  return dispatcher;
}

function missing(): never {
  throw new UnsupportedPoolError(
    '@poolaudit/undici',
    'a global undici dispatcher',
    (globalThis as unknown as Record<symbol, unknown>)[LEGACY],
  );
}

/** Detaches what `auditGlobalDispatcher()` attached. Returns false when nothing was attached. */
export function detachGlobalDispatcher(): boolean {
  const dispatcher = audited;
  audited = undefined;
  return dispatcher !== undefined && detachDispatcher(dispatcher);
}
