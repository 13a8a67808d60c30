import { Socket } from 'node:net';
import { wrapInstanceMethod, wrapMethodOf } from '@poolaudit/core';
import type { CloseReason, EntryFunction, PoolProbe } from '@poolaudit/core';
import { acquireStack, withAcquireStack } from './acquire-stack.js';
import { evictionRule, rejectsAtOnce } from './pool-internals.js';
import type { Factory, PoolInternals, PooledResource, WaitingQueue } from './pool-internals.js';

type Method = (this: unknown, ...args: unknown[]) => unknown;
/** Which wrapped call a `_destroy` happens inside. */
type DestroyContext = 'destroy' | 'evict' | null;
type Closure = readonly [CloseReason, string | undefined];

/**
 * One audited `acquire()` call, from the wrapper until its request (generic-pool's `ResourceRequest`, the
 * object it queues) is handed a resource or fails.
 */
interface AcquireCall {
  /** The request the call queued; none when `acquire()` rejected at once. */
  request: object | undefined;
  startedAt: number;
  stack: Error | undefined;
  /** Idle resources and creates so far when the call began (for `queued`). */
  idle: number;
  creates: number;
  /** `acquire()` rejects at once, queueing nothing ('pool is draining', 'max waitingClients count exceeded'). */
  early: boolean;
  /** Handed a resource before `acquire()` returned. */
  settled: boolean;
  /** For a request still waiting once `acquire()` returned: whether it queued (Go `WaitCount`). */
  queued: boolean;
  /** The audited `acquire()` this one runs inside (one started from a factory's `create`), if any. */
  outer: AcquireCall | null;
}

const VALIDATION_FAILED: Closure = ['error', 'validate'];
const USER_DESTROY: Closure = ['other', 'destroy'];
const UNKNOWN_DESTROY: Closure = ['other', undefined];

/**
 * The audit of one generic-pool instance: wrappers installed on that instance (and on a stand-in for its
 * factory), translating what the pool does into probe calls. Nothing is patched on a prototype; `detach()`
 * puts every original back.
 */
export class PoolAudit {
  private active = true;
  /** `factory.create` calls so far: a `_destroy` or `acquire` that started one is told apart by it. */
  private creates = 0;
  private context: DestroyContext = null;
  private cleared = false;
  private readonly restores: (() => void)[] = [];
  /** Probe keys for resources that are not objects (a pool of numbers, say). */
  private readonly primitiveKeys = new Map<unknown, object>();
  /** `factory.create` rejected: a resource (a connection, for a pool of sockets) could not be made. */
  private readonly onCreateError = (error: unknown): void => {
    if (!this.active) return;
    try {
      this.probe.connectFailed({ error });
    } catch (err) {
      this.fail(err);
    }
  };
  private readonly onDestroyError = (): void => {
    if (!this.active) return;
    try {
      this.probe.count('destroy-error');
    } catch (err) {
      this.fail(err);
    }
  };
  /** The `acquire()` calls running right now, innermost first (linked by `outer`). */
  private current: AcquireCall | null = null;
  /** Reused by every `acquire()` that is not nested in another: the common case allocates nothing. */
  private readonly spare: AcquireCall = newCall();
  /** The request the pool's queue gave out last (read by the dispatch wrapper). */
  private dequeued: unknown;
  /** Requests still waiting after their `acquire()` returned. */
  private readonly waiting = new WeakMap<object, AcquireCall>();

  constructor(
    private readonly pool: PoolInternals,
    private readonly probe: PoolProbe,
    private readonly socketOf: (resource: unknown) => Socket | null | undefined,
    private readonly leakDetection: boolean,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Counts what the pool already holds (and is creating), then hooks it. */
  attach(): void {
    const { pool } = this;
    this.adoptResources();
    const now = this.probe.now();
    for (const resource of pool._resourceLoans.keys()) this.probe.acquired(this.keyOf(resource), now, false);
    // Creates already under way (a new pool's `min` fill, started by its constructor) went to the user's
    // factory: their resources are adopted once the pool has added them (the tracked promise settles
    // right after, L320–328), before the pool can hand them out.
    // One that fails is a failed connect, as generic-pool reports it ('factoryCreateError').
    for (const operation of pool._factoryCreateOperations as ReadonlySet<PromiseLike<unknown>>) {
      void operation.then(() => {
        if (this.active) this.adoptResources();
      }, this.onCreateError);
    }

    // Pool.prototype's methods, hooked for this pool alone: the pool keeps its own keys (wrapMethodOf).
    const methods = pool as unknown as Record<string, Method>;
    const hook = (
      key: string,
      make: (original: Method, entry: EntryFunction | undefined) => Method,
    ): void => {
      if (methods[key]) this.restores.push(wrapMethodOf(methods, key, make));
    };
    hook('acquire', (original, entry) => this.acquireWrapper(original, entry));
    hook('release', (original) => this.releaseWrapper(original));
    hook('_dispatchPooledResourceToNextWaitingClient', (original) => this.dispatchWrapper(original));
    this.hookQueue(pool._waitingClientsQueue);
    hook('destroy', (original) => wrap(this, original, (args) => this.destroy(original, args)));
    hook('_destroy', (original) => wrap(this, original, (args) => this.destroyed(original, args)));
    hook('_evict', (original) => wrap(this, original, (args) => this.within('evict', original, args)));
    hook('clear', (original) =>
      wrap(this, original, (args) => {
        this.cleared = true;
        this.probe.count('clear');
        const result = Reflect.apply(original, this.pool, args);
        // clear() after drain() is the end of the pool: it takes no acquire any more (generic-pool L660).
        if (this.pool._draining) this.probe.ended();
        return result;
      }),
    );
    hook('drain', (original) =>
      wrap(this, original, (args) => {
        this.probe.count('drain');
        return Reflect.apply(original, this.pool, args);
      }),
    );
    this.restores.push(wrapInstanceMethod(pool, '_factory', (factory) => this.standInFactory(factory)));
  }

  /** Tells the probe about every resource of the pool (the ledger ignores ones it knows). */
  private adoptResources(): void {
    for (const pooled of this.pool._allObjects) this.opened(pooled.obj, undefined);
  }

  /** Puts every original back; wrappers still referenced elsewhere become pass-throughs. */
  detach(): void {
    if (!this.active) return;
    this.active = false;
    for (const restore of this.restores.reverse()) restore();
    this.restores.length = 0;
    this.probe.unregister();
  }

  /** True while `self` is the audited pool and the audit is on. */
  auditing(self: unknown): boolean {
    return this.active && self === this.pool;
  }

  // ── acquire / release / destroy ────────────────────────────────────────────────────────────────

  /**
   * `acquire(priority)`: takes the start time (and the caller's stack) and lets the pool queue its request.
   * The resource is observed where the pool hands it over (`dispatchWrapper`), synchronously; no handler is
   * chained onto the caller's promise unless the pool has an acquire timeout to report.
   *
   * `entry`: the prototype's dispatcher that calls the wrapper; the caller's stack starts below it.
   */
  private acquireWrapper(original: Method, entry: EntryFunction | undefined): Method {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    const wrapper = function (this: unknown, priority: unknown): unknown {
      if (!audit.auditing(this)) return original.call(this, priority);
      return audit.acquire(original, priority, entry ?? wrapper);
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    return wrapper;
  }

  /** `entry`: the outermost frame of the audit's own (the caller's stack is what lies below it). */
  private acquire(original: Method, priority: unknown, entry: EntryFunction): unknown {
    const { pool, probe } = this;
    const outer = this.current;
    let call: AcquireCall;
    try {
      call = outer === null ? this.spare : newCall();
      call.request = undefined;
      call.settled = false;
      call.outer = outer;
      call.early = rejectsAtOnce(pool);
      call.idle = pool._availableObjects.length;
      call.creates = this.creates;
      call.startedAt = probe.acquireStart();
      call.stack = this.leakDetection ? acquireStack(entry) : undefined;
    } catch (err) {
      this.fail(err);
      return original.call(pool, priority);
    }
    this.current = call;
    let promise: unknown;
    try {
      promise = original.call(pool, priority);
    } catch (err) {
      probe.acquireFailed(call.startedAt, false, false);
      throw err;
    } finally {
      this.current = outer;
    }
    try {
      const { request } = call;
      // An early rejection gets no handler from us: one would mark it handled, and an application that
      // ignores it must still see it unhandled.
      if (call.early) probe.acquireFailed(call.startedAt, false, false);
      else if (request !== undefined && !call.settled) this.wait(request, call, promise);
    } catch (err) {
      this.fail(err);
    }
    return promise;
  }

  /** A request that did not get a resource inside its `acquire()`: kept until it is handed one or fails. */
  private wait(request: object, call: AcquireCall, promise: unknown): void {
    const waiting = call === this.spare ? { ...call, outer: null } : call;
    waiting.outer = null;
    // Go's WaitCount: the acquire found nothing idle and started no resource of its own, so it waits
    // for another caller's release (or for a resource someone else is creating).
    waiting.queued = waiting.idle === 0 && this.creates === waiting.creates;
    this.waiting.set(request, waiting);
    // A queued request is only ever rejected by its acquire timeout (`lib/ResourceRequest.js`
    // `_fireTimeout`). It already carries the queue's own rejection handler (`lib/Queue.js` L22), so ours
    // changes nothing about unhandled rejections.
    if (this.pool._config.acquireTimeoutMillis !== undefined) {
      void (promise as PromiseLike<unknown>).then(undefined, (err: unknown) => {
        this.rejected(request, err);
      });
    }
  }

  private rejected(request: object, err: unknown): void {
    const waiting = this.waiting.get(request);
    if (waiting === undefined) return;
    this.waiting.delete(request);
    const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
    this.probe.acquireFailed(waiting.startedAt, waiting.queued || timedOut, timedOut);
  }

  /** Wraps the pool's queue of requests (an object of this pool alone) to learn which request is served. */
  private hookQueue(queue: WaitingQueue): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    this.restores.push(
      wrapInstanceMethod(queue, 'enqueue', (original) => {
        const enqueue = function (this: WaitingQueue, request: object, priority: unknown): void {
          if (this === queue && audit.current !== null) audit.current.request = request;
          original.call(this, request, priority);
        };
        return enqueue;
      }),
      wrapInstanceMethod(queue, 'dequeue', (original) => {
        const dequeue = function (this: WaitingQueue): object | undefined {
          const request = original.call(this);
          if (this === queue) audit.dequeued = request;
          return request;
        };
        return dequeue;
      }),
    );
  }

  /**
   * `_dispatchPooledResourceToNextWaitingClient(pooledResource)` (L273–290): the one place the pool lends a
   * resource (it returns true once the waiting request is resolved with it).
   */
  private dispatchWrapper(original: Method): Method {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    const wrapper = function (this: unknown, pooled: unknown): unknown {
      if (!audit.auditing(this)) return original.call(this, pooled);
      audit.dequeued = undefined;
      const lent = original.call(this, pooled);
      if (lent === true) audit.dispatched(audit.dequeued, pooled as PooledResource);
      return lent;
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    return wrapper;
  }

  private dispatched(request: unknown, pooled: PooledResource): void {
    try {
      if (typeof request !== 'object' || request === null) return;
      for (let call = this.current; call !== null; call = call.outer) {
        if (call.request === request) {
          // Served inside its own acquire(): it found an idle resource, so it did not queue.
          call.settled = true;
          this.acquired(
            pooled.obj,
            call.startedAt,
            call.idle === 0 && this.creates === call.creates,
            call.stack,
          );
          return;
        }
      }
      const waiting = this.waiting.get(request);
      // A request queued before the audit began is not followed.
      if (waiting === undefined) return;
      this.waiting.delete(request);
      this.acquired(pooled.obj, waiting.startedAt, waiting.queued, waiting.stack);
    } catch (err) {
      this.fail(err);
    }
  }

  private acquired(resource: unknown, startedAt: number, queued: boolean, stack: Error | undefined): void {
    const key = this.keyOf(resource);
    if (stack) withAcquireStack(stack, () => this.probe.acquired(key, startedAt, queued));
    else this.probe.acquired(key, startedAt, queued);
  }

  /**
   * `release(resource)`: the release is recorded before the pool runs it, because the pool may hand the
   * same resource to a waiting request inside the call (L529), which records an acquire.
   */
  private releaseWrapper(original: Method): Method {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    const wrapper = function (this: unknown, resource: unknown): unknown {
      if (audit.auditing(this)) audit.release(resource);
      return original.call(this, resource);
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    return wrapper;
  }

  private release(resource: unknown): void {
    try {
      if (this.pool._resourceLoans.has(resource)) this.probe.released(this.keyOf(resource));
    } catch (err) {
      this.fail(err);
    }
  }

  private destroy(original: Method, args: unknown[]): unknown {
    return this.pool._resourceLoans.has(args[0])
      ? this.within('destroy', original, args)
      : Reflect.apply(original, this.pool, args);
  }

  private within(context: DestroyContext, original: Method, args: unknown[]): unknown {
    const previous = this.context;
    this.context = context;
    try {
      return Reflect.apply(original, this.pool, args);
    } finally {
      this.context = previous;
    }
  }

  // ── create and destroy ─────────────────────────────────────────────────────────────────────────

  /**
   * A stand-in for the pool's factory (`pool._factory`, which the pool calls as `this._factory.create()`),
   * so that the user's factory object, which other pools may share, is left untouched. Every call goes to
   * the user's factory with the user's factory as `this`.
   */
  private standInFactory(factory: Factory): Factory {
    const standIn = Object.create(factory) as Factory;
    Object.defineProperty(standIn, 'create', {
      value: (...args: unknown[]): unknown =>
        this.active ? this.create(factory, args) : Reflect.apply(factory.create, factory, args),
    });
    Object.defineProperty(standIn, 'destroy', {
      value: (...args: unknown[]): unknown => {
        const result = Reflect.apply(factory.destroy, factory, args);
        // 'factoryDestroyError' without a listener: a rejected destroy (a `destroyTimeoutMillis` expiry is
        // generic-pool's own and is not seen here).
        if (this.active && isThenable(result)) void result.then(undefined, this.onDestroyError);
        return result;
      },
    });
    if (factory.validate !== undefined) {
      Object.defineProperty(standIn, 'validate', {
        value: (...args: unknown[]): unknown => Reflect.apply(factory.validate as Method, factory, args),
      });
    }
    return standIn;
  }

  private create(factory: Factory, args: unknown[]): unknown {
    this.creates++;
    const startedAt = this.probe.now();
    const result = Reflect.apply(factory.create, factory, args);
    try {
      // A rejection is what generic-pool reports as 'factoryCreateError' (Pool.js _createResource): read here,
      // so that the pool's listener counts stay the application's.
      if (isThenable(result))
        void result.then((resource) => this.opened(resource, startedAt), this.onCreateError);
      else this.opened(result, startedAt);
    } catch (err) {
      this.fail(err);
    }
    return result;
  }

  private opened(resource: unknown, connectStartedAt: number | undefined): void {
    let socket: Socket | null = null;
    try {
      const found = this.socketOf(resource);
      if (found instanceof Socket) socket = found;
    } catch {
      this.probe.count('socket-of-error');
    }
    const key = this.keyOf(resource);
    if (connectStartedAt === undefined) this.probe.opened(key, { socket });
    else this.probe.opened(key, { socket, connectStartedAt });
  }

  /** Around generic-pool's `_destroy`, the single choke point of every destroy. */
  private destroyed(original: Method, args: unknown[]): unknown {
    const pooled = args[0] as PooledResource;
    let closure: Closure;
    try {
      closure = this.closure(pooled);
    } catch (err) {
      this.fail(err);
      return Reflect.apply(original, this.pool, args);
    }
    const creates = this.creates;
    try {
      return Reflect.apply(original, this.pool, args);
    } finally {
      // `_destroy` ends with `_ensureMinimum()` (L150): a create started inside it replaces this resource.
      const refills = this.creates - creates;
      this.probe.closed(this.keyOf(pooled.obj), closure[0], closure[1]);
      this.primitiveKeys.delete(pooled.obj);
      if (refills > 0) {
        this.probe.count('min-refill', refills);
        if (closure[1] === 'idleTimeoutMillis') this.probe.count('idle-closed-below-min');
      }
    }
  }

  /** Why `_destroy` was called, read before it runs (it marks the resource invalid). */
  private closure(pooled: PooledResource): Closure {
    // Only a failed validation on borrow invalidates a resource before destroying it (L184–186).
    if (pooled.state === 'INVALID') return VALIDATION_FAILED;
    if (this.context === 'evict') {
      // The evictor has already taken it out of the idle list (L392): it saw one more.
      const seen = this.pool._availableObjects.length + 1;
      return ['idleTimeout', evictionRule(this.pool._config, pooled, seen, Date.now())];
    }
    if (this.context === 'destroy') return USER_DESTROY;
    // clear() destroys the idle resources once pending creates have settled, asynchronously (L619–636).
    if (this.cleared) return ['shutdown', this.pool._draining ? 'drain' : 'clear'];
    return UNKNOWN_DESTROY;
  }

  /** The object the probe knows a resource by: itself, or a stand-in for a primitive. */
  private keyOf(resource: unknown): object {
    if ((typeof resource === 'object' && resource !== null) || typeof resource === 'function') {
      return resource;
    }
    let key = this.primitiveKeys.get(resource);
    if (!key) {
      key = {};
      this.primitiveKeys.set(resource, key);
    }
    return key;
  }

  /** Auditing itself failed: the pool goes on unaudited, exactly as before. */
  private fail(err: unknown): void {
    this.detach();
    this.failed(err);
  }
}

/**
 * A wrapper that runs `audited` when called on the audited pool while the audit is on, and the original
 * otherwise (another receiver, or after `detach()` for anyone still holding the wrapper). It carries the
 * original's name.
 */
function wrap(
  audit: PoolAudit,
  original: Method,
  audited: (args: unknown[], wrapper: Method) => unknown,
): Method {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    if (!audit.auditing(this)) return Reflect.apply(original, this, args);
    return audited(args, wrapper);
  };
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return wrapper;
}

function newCall(): AcquireCall {
  return {
    request: undefined,
    startedAt: 0,
    stack: undefined,
    idle: 0,
    creates: 0,
    early: false,
    settled: false,
    queued: false,
    outer: null,
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
