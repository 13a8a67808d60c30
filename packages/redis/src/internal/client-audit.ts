import type { Auditor, PoolProbe } from '@poolaudit/core';
import { nodeRedisLintRules, nodeRedisOptionSchema } from '../lint-rules.js';
import { readNodeRedisConfig } from '../read-config.js';
import { ClientWatch } from './client-watch.js';
import type { CloseIntent, WatchOwner } from './client-watch.js';
import type { NodeRedisClient } from './shapes.js';

/** Keys node-redis adds to the options it was given (`credentialsProvider`, the maintenance defaults). */
export const ADDED_OPTIONS = [
  'credentialsProvider',
  'maintEndpointType',
  'maintRelaxedCommandTimeout',
  'maintRelaxedSocketTimeout',
];

/** The audit of one `createClient()` client: one registration, one watch. */
export class ClientAudit implements WatchOwner {
  readonly probe: PoolProbe;
  private readonly watch: ClientWatch;
  private detached = false;

  constructor(
    client: NodeRedisClient,
    auditor: Auditor,
    name: string,
    private readonly failure: (err: unknown) => void,
  ) {
    const self = client._self;
    const options = self.options ?? {};
    const { config, settings } = readNodeRedisConfig(options);
    this.probe = auditor.register({
      name,
      kind: 'node-redis',
      config,
      settings,
      rawConfig: options,
      lintRules: nodeRedisLintRules,
      optionCheck: { options, schema: nodeRedisOptionSchema, ignore: ADDED_OPTIONS },
      // Commands given while the client is not ready wait in its queue for the connection.
      readPending: () => (self.isOpen && !self.isReady ? self._getQueue().pendingCount : 0),
    });
    this.watch = new ClientWatch(client, this);
    this.watch.attach();
  }

  intentOf(method: string): CloseIntent {
    return { reason: 'shutdown', detail: method === 'QUIT' ? 'quit' : method };
  }

  /** The client was closed: its record may retire once its sockets have. */
  ended(): void {
    this.probe.ended();
  }

  failed(err: unknown): void {
    this.detach();
    this.failure(err);
  }

  rename(name: string): void {
    if (!this.detached) this.probe.rename(name);
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    try {
      this.watch.detach();
    } finally {
      this.probe.unregister();
    }
  }
}
