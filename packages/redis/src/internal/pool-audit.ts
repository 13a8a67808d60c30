import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { wrapInstanceMethod } from '@poolaudit/core';
import type { Auditor, PoolProbe } from '@poolaudit/core';
import { nodeRedisPoolLintRules, nodeRedisPoolOptionSchema } from '../lint-rules.js';
import { readNodeRedisPoolConfig } from '../read-config.js';
import { ClientWatch, configuredEndpoint } from './client-watch.js';
import type { CloseIntent, WatchOwner } from './client-watch.js';
import type { NodeRedisClient, NodeRedisPool, PoolSelf } from './shapes.js';

/** Published by node-redis ≥ 5.12 when a connection is ready: `{ clientId, createTimeMs, … }`. */
const READY_CHANNEL = 'node-redis:connection:ready';
/** Connect times of pool members not yet seen by their pool, by client id (a member is seen at its first task). */
const readyTimes = new Map<string, { readonly at: number; readonly createTimeMs: number }>();
/** At most this many member connect times are kept waiting for their member to be seen. */
const READY_TIMES_KEPT = 1_000;
let liveAudits = 0;

function onReady(message: unknown): void {
  const { clientId, createTimeMs } = (message ?? {}) as { clientId?: unknown; createTimeMs?: unknown };
  if (typeof clientId !== 'string' || typeof createTimeMs !== 'number') return;
  if (readyTimes.size >= READY_TIMES_KEPT) readyTimes.delete(readyTimes.keys().next().value as string);
  readyTimes.set(clientId, { at: performance.now(), createTimeMs });
}

/**
 * The audit of one `createClientPool()` pool: one registration; each member client is watched from the first
 * task the pool hands it (node-redis keeps its members private), adopted with its connection as it stands.
 *
 * Hooks, on the pool's real instance (`_self`): `execute` (every command and `MULTI` goes through it: the
 * task is wrapped to see which member runs it and how long it waited), `connect`, `close` and `destroy`
 * (members destroyed outside them are the pool's own cleanup, `cleanupDelay` after the last release).
 */
export class PoolAudit implements WatchOwner {
  readonly probe: PoolProbe;
  private readonly members = new WeakMap<object, ClientWatch>();
  private readonly watches = new Set<ClientWatch>();
  private readonly restores: (() => void)[] = [];
  /** Set by the pool's `close()`/`destroy()` until its next `connect()`: members then close for shutdown. */
  private closing: string | null = null;
  private named: boolean;
  private detached = false;

  constructor(
    private readonly pool: NodeRedisPool,
    auditor: Auditor,
    private name: string,
    givenName: boolean,
    poolOptions: Readonly<Record<string, unknown>>,
    private readonly failure: (err: unknown) => void,
  ) {
    this.named = givenName;
    const { config, settings } = readNodeRedisPoolConfig(poolOptions);
    const self = pool._self;
    this.probe = auditor.register({
      name,
      kind: 'node-redis-pool',
      config,
      settings,
      rawConfig: poolOptions,
      lintRules: nodeRedisPoolLintRules,
      optionCheck: { options: poolOptions, schema: nodeRedisPoolOptionSchema },
      readPending: () => self.tasksQueueLength,
    });
    this.hook(self);
    if (liveAudits++ === 0) diagnosticsChannel.subscribe(READY_CHANNEL, onReady);
  }

  private hook(self: PoolSelf): void {
    const probe = this.probe;
    const live = (): boolean => !this.detached;
    const handed = (client: NodeRedisClient, startedAt: number, queued: boolean): void =>
      this.handed(client, startedAt, queued);
    const reopened = (): void => {
      this.closing = null;
    };
    const shutDown = (how: string): void => this.shutDown(how);
    this.restores.push(
      wrapInstanceMethod(
        self,
        'execute',
        (original) =>
          function execute(this: PoolSelf, fn: (client: NodeRedisClient) => unknown): Promise<unknown> {
            if (!live() || typeof fn !== 'function') return original.call(this, fn);
            const startedAt = probe.now();
            const waiting = self.tasksQueueLength;
            const clients = self.totalClients;
            let queued = false;
            const task = (client: NodeRedisClient): unknown => {
              handed(client, startedAt, queued);
              return fn(client);
            };
            const result = original.call(this, task);
            // A task that found no idle client waits in the pool's queue. When the pool made a client for it,
            // it waits for a connect, as a Go pool below MaxOpen would; only a pool at `maximum` makes it wait
            // for a client to come back (WaitCount). The task, run later, reads this.
            queued = self.tasksQueueLength > waiting && self.totalClients === clients;
            return result;
          },
      ),
      wrapInstanceMethod(
        self,
        'connect',
        (original) =>
          function connect(this: PoolSelf): Promise<unknown> {
            reopened();
            return original.call(this);
          },
      ),
      wrapInstanceMethod(
        self,
        'close',
        (original) =>
          function close(this: PoolSelf): Promise<void> {
            shutDown('pool-close');
            return original.call(this);
          },
      ),
      wrapInstanceMethod(
        self,
        'destroy',
        (original) =>
          function destroy(this: PoolSelf): void {
            shutDown('pool-destroy');
            original.call(this);
          },
      ),
    );
  }

  /** The pool hands `client` a task that waited since `startedAt`. Never throws. */
  private handed(client: NodeRedisClient, startedAt: number, queued: boolean): void {
    if (this.detached) return;
    try {
      const self = client._self;
      let watch = this.members.get(self);
      if (watch === undefined) watch = this.adopt(client);
      watch.handedTask(startedAt, queued);
    } catch (err) {
      this.failed(err);
    }
  }

  private adopt(client: NodeRedisClient): ClientWatch {
    const self = client._self;
    const watch = new ClientWatch(client, this);
    this.members.set(self, watch);
    this.watches.add(watch);
    const id = self._clientId;
    const ready = id === undefined ? undefined : readyTimes.get(id);
    if (id !== undefined) readyTimes.delete(id);
    // The member connected before it was seen: its connect is placed on the probe's clock by how long ago it was.
    const startedAt =
      ready === undefined
        ? undefined
        : this.probe.now() - (performance.now() - ready.at) - ready.createTimeMs;
    watch.attach(startedAt);
    if (!this.named) {
      // The pool does not say where its clients connect; its first member does.
      this.named = true;
      const name = `node-redis-pool ${configuredEndpoint(self)}`;
      this.probe.rename(name);
      this.name = name;
    }
    return watch;
  }

  private shutDown(how: string): void {
    if (this.detached || this.closing !== null) return;
    this.closing = how;
    try {
      this.probe.ended();
    } catch (err) {
      this.failed(err);
    }
  }

  intentOf(method: string): CloseIntent {
    if (this.closing !== null) return { reason: 'shutdown', detail: this.closing };
    // A member destroyed outside close()/destroy(): the pool's cleanup of idle clients above `minimum`.
    if (method === 'destroy') return { reason: 'idleTimeout', detail: 'cleanupDelay' };
    return { reason: 'shutdown', detail: method === 'QUIT' ? 'quit' : method };
  }

  /**
   * A member was closed: the pool has let it go and never hands it a task again. Its hooks stay until it is
   * collected, so that the close of its socket (which follows) is still recorded with its reason.
   */
  ended(watch: ClientWatch): void {
    this.watches.delete(watch);
  }

  failed(err: unknown): void {
    this.detach();
    this.failure(err);
  }

  get currentName(): string {
    return this.name;
  }

  rename(name: string): void {
    if (this.detached) return;
    this.named = true;
    this.probe.rename(name);
    this.name = name;
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    try {
      for (const restore of this.restores.splice(0).reverse()) restore();
      for (const watch of this.watches) watch.detach();
      this.watches.clear();
    } finally {
      if (--liveAudits === 0) diagnosticsChannel.unsubscribe(READY_CHANNEL, onReady);
      this.probe.unregister();
    }
  }
}
