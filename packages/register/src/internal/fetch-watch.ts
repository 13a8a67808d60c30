/* eslint-disable @typescript-eslint/no-require-imports -- the undici adapter is loaded at the first request,
   not at startup. */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Auditor } from '@poolaudit/core';

const REQUEST_CREATE = 'undici:request:create';

/**
 * Audits the dispatcher behind the global `fetch` (named `fetch`) when the first undici request is created:
 * Node creates that dispatcher lazily, so looking for it at startup would load Node's bundled undici in an
 * application that may never call `fetch`. Every undici, bundled or installed, publishes `undici:request:create`
 * before it connects (lib/core/request.js), so the first connection is seen. Unsubscribes once it has audited
 * the dispatcher; a later `setGlobalDispatcher()` of an installed undici is hooked by the module table.
 * Returns the function that stops watching.
 */
export function watchFetchDispatcher(auditor: Auditor, failed: (err: unknown) => void): () => void {
  let watching = true;
  let undici: typeof import('@poolaudit/undici') | undefined;
  const onRequest = (): void => {
    try {
      undici ??= require('@poolaudit/undici') as typeof import('@poolaudit/undici');
      const dispatcher = undici.globalDispatcher();
      if (dispatcher === undefined) return;
      if (!undici.isAudited(dispatcher)) {
        undici.auditDispatcher(dispatcher as Parameters<typeof undici.auditDispatcher>[0], {
          name: 'fetch',
          auditor,
        });
      }
      stop();
    } catch (err) {
      stop();
      failed(err);
    }
  };
  const stop = (): void => {
    if (!watching) return;
    watching = false;
    diagnosticsChannel.unsubscribe(REQUEST_CREATE, onRequest);
  };
  diagnosticsChannel.subscribe(REQUEST_CREATE, onRequest);
  return stop;
}
