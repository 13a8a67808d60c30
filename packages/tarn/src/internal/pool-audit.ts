import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { wrapMethodOf } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';
import type { PoolInternals } from './pool-internals.js';

type Closure = readonly [CloseReason, string];

const REAPED: Closure = ['idleTimeout', 'idleTimeoutMillis'];
const POOL_DESTROYED: Closure = ['shutdown', 'destroy'];
const DISPOSED: Closure = ['remote', 'disposed'];
const LIFETIME: Closure = ['maxLifetime', 'maxConnectionLifetimeMillis'];
const VALIDATION_FAILED: Closure = ['error', 'validate'];

/**
 * The audit of one tarn pool. tarn reports every step through one method, `_executeEventHandlers(name, …)`,
 * whether or not anybody listens: that method is wrapped for this pool (`wrapMethodOf`, so the pool keeps its
 * own keys and its emitter its listeners), and `check()` (the reaper) and `destroy()` to know why a resource is
 * destroyed. No promise, listener or timer is added; `detach()` puts everything back.
 */
export class PoolAudit {
  private active = true;
  private readonly restores: (() => void)[] = [];
  /** Inside `check()`: a destroy is the reaper's (`idleTimeoutMillis`). */
  private reaping = false;
  /** `destroy()` was called: every destroy from now on is the pool's end. */
  private ending = false;
  /** Acquire event id → its start (probe clock); negative ids for acquires that had to wait. */
  private readonly acquires = new Map<number, number>();
  private readonly waited = new Set<number>();
  private readonly creates = new Map<number, number>();
  /** Resources handed out and not yet released. */
  private readonly lent = new WeakSet<object>();
  /** Events numbered below this were requested before the audit began; when it began (probe clock). */
  private firstEventId = 0;
  private attachedAt = 0;

  constructor(
    private readonly pool: PoolInternals,
    private readonly probe: PoolProbe,
    private readonly socketOf: (resource: unknown) => Socket | null | undefined,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Counts what the pool already holds, then hooks it. */
  attach(): void {
    const { pool, probe } = this;
    const now = probe.now();
    this.firstEventId = pool.eventId;
    this.attachedAt = probe.acquireStart();
    for (const { resource } of pool.free) this.opened(resource, undefined);
    for (const { resource } of pool.used) {
      this.opened(resource, undefined);
      if (isObject(resource)) {
        probe.acquired(resource, now, false);
        this.lent.add(resource);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    this.restores.push(
      wrapMethodOf(
        pool,
        '_executeEventHandlers',
        (original) =>
          // Three calls per query: tarn's own arguments are read and passed on as they are (no rest array, no
          // spread), so its listeners get exactly what they got before.
          function _executeEventHandlers(this: PoolInternals): void {
            // eslint-disable-next-line prefer-rest-params
            const args = arguments as unknown as Parameters<PoolInternals['_executeEventHandlers']>;
            if (audit.auditing(this)) audit.event(args);
            Reflect.apply(original, this, args);
          },
      ),
      wrapMethodOf(
        pool,
        'check',
        (original) =>
          function check(this: PoolInternals): void {
            if (!audit.auditing(this)) {
              original.call(this);
              return;
            }
            audit.reaping = true;
            try {
              original.call(this);
            } finally {
              audit.reaping = false;
            }
          },
      ),
      wrapMethodOf(
        pool,
        'destroy',
        (original) =>
          function destroy(this: PoolInternals): unknown {
            if (audit.auditing(this)) audit.ending = true;
            return original.call(this);
          },
      ),
    );
  }

  /** Puts every original back. */
  detach(): void {
    if (!this.active) return;
    this.active = false;
    for (const restore of this.restores.reverse()) restore();
    this.restores.length = 0;
    this.probe.unregister();
  }

  auditing(self: unknown): boolean {
    return this.active && self === this.pool;
  }

  /** One of tarn's events (`src/Pool.ts`): its name, then its arguments; before its listeners run. */
  event(args: ArrayLike<unknown>): void {
    try {
      switch (args[0]) {
        case 'acquireRequest':
          this.acquireRequested(args[1] as number);
          return;
        case 'acquireSuccess':
          this.acquireSucceeded(args[1] as number, args[2]);
          return;
        case 'acquireFail':
          this.acquireFailed(args[1] as number, args[2]);
          return;
        case 'release':
          this.released(args[1]);
          return;
        case 'createRequest':
          this.creates.set(args[1] as number, this.probe.now());
          return;
        case 'createSuccess':
          this.created(args[1] as number, args[2]);
          return;
        case 'createFail':
          this.creates.delete(args[1] as number);
          this.probe.connectFailed({ error: args[2] });
          return;
        case 'destroyRequest':
          this.destroying(args[2]);
          return;
        case 'destroyFail':
          this.probe.count('destroy-error');
          return;
        case 'poolDestroySuccess':
          this.probe.ended();
          return;
        default:
          return;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private acquireRequested(id: number): void {
    const { pool } = this;
    this.acquires.set(id, this.probe.acquireStart());
    // Go's WaitCount: nothing idle and no room for another connection, so it waits for a release.
    if (pool.free.length === 0 && pool.used.length + pool.pendingCreates.length >= pool.max)
      this.waited.add(id);
  }

  private acquireSucceeded(id: number, resource: unknown): void {
    if (!isObject(resource)) return;
    // An acquire requested before the audit began (in the same tick as the pool was made, say) is counted
    // from the audit's start.
    const startedAt = this.acquires.get(id) ?? (id < this.firstEventId ? this.attachedAt : undefined);
    if (startedAt === undefined) return;
    this.acquires.delete(id);
    const queued = this.waited.delete(id);
    this.probe.acquired(resource, startedAt, queued);
    this.lent.add(resource);
  }

  private acquireFailed(id: number, err: unknown): void {
    const startedAt = this.acquires.get(id) ?? (id < this.firstEventId ? this.attachedAt : undefined);
    if (startedAt === undefined) return;
    this.acquires.delete(id);
    const queued = this.waited.delete(id);
    // tarn's TimeoutError does not set its `name` (it is 'Error'): its class says it.
    const timedOut =
      (err as { constructor?: { name?: unknown } } | null)?.constructor?.name === 'TimeoutError';
    this.probe.acquireFailed(startedAt, queued || timedOut, timedOut);
  }

  private released(resource: unknown): void {
    // tarn reports a release of anything; only a resource it lent and still counts as used is one.
    if (!isObject(resource) || !this.lent.has(resource)) return;
    this.lent.delete(resource);
    this.probe.released(resource);
  }

  private created(id: number, resource: unknown): void {
    const startedAt = this.creates.get(id);
    this.creates.delete(id);
    this.opened(resource, startedAt);
  }

  private opened(resource: unknown, connectStartedAt: number | undefined): void {
    if (!isObject(resource)) return;
    let socket: Socket | null = null;
    try {
      const found = this.socketOf(resource);
      if (found instanceof Socket) socket = found;
    } catch {
      this.probe.count('socket-of-error');
    }
    if (connectStartedAt === undefined) this.probe.opened(resource, { socket });
    else this.probe.opened(resource, { socket, connectStartedAt });
  }

  /** `destroyRequest`: why tarn destroys it, read from where it happens and from what knex marked on it. */
  private destroying(resource: unknown): void {
    if (!isObject(resource)) return;
    const [reason, detail] = this.closure(resource);
    this.lent.delete(resource);
    this.probe.closed(resource, reason, detail);
  }

  private closure(resource: object): Closure {
    if (this.ending) return POOL_DESTROYED;
    if (this.reaping) return REAPED;
    // Otherwise a resource failed validation on acquire (tarn's only other destroy). knex's validation
    // fails a connection its driver reported ended or broken, or one past maxConnectionLifetimeMillis.
    const knex = resource as { __knex__disposed?: unknown; __knexLifetimeLimit?: unknown };
    if (knex.__knex__disposed) return DISPOSED;
    const limit = knex.__knexLifetimeLimit;
    if (typeof limit === 'number' && performance.now() > limit) return LIFETIME;
    return VALIDATION_FAILED;
  }

  /** Auditing itself failed: the pool goes on unaudited, exactly as before. */
  private fail(err: unknown): void {
    this.detach();
    this.failed(err);
  }
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
