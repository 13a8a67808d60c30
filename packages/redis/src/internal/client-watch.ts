import type { Socket } from 'node:net';
import { endpointKey, wrapInstanceMethod } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';
import type { ClientSelf, NodeRedisClient } from './shapes.js';
import { socketOf } from './socket-of.js';

/** Why the next close of a watched client happens, as its owner reads it when the client is ended. */
export interface CloseIntent {
  readonly reason: CloseReason;
  readonly detail: string;
}

/** What a watch needs from the audit that owns it (a client's own audit, or its pool's). */
export interface WatchOwner {
  readonly probe: PoolProbe;
  /** Why `method` (`destroy`, `close`, `quit`) of this client is ending it now. */
  intentOf(method: string, watch: ClientWatch): CloseIntent;
  /** The client ended (`'end'`: closed by the application or its pool, no reconnect follows). */
  ended(watch: ClientWatch): void;
  /** Auditing failed: the owner detaches everything and reports once. */
  failed(err: unknown): void;
}

/** The wait an acquire from a pool had before its task was handed this client. */
interface PoolWait {
  readonly startedAt: number;
  readonly queued: boolean;
}

const bySocket = new WeakMap<Socket, ClientWatch>();

function onData(this: Socket): void {
  bySocket.get(this)?.drained(this);
}

function onClose(this: Socket, hadError: boolean): void {
  bySocket.get(this)?.socketClosed(this, hadError);
}

/** The methods whose call ends the client, with the detail a close by it is recorded with. */
const ENDING_METHODS = ['destroy', 'close', 'QUIT', 'quit'] as const;
/** The methods that write commands: each call is one use of the connection. */
const WRITING_METHODS = ['sendCommand', '_executePipeline', '_executeMulti'] as const;

/**
 * Watches one node-redis client: each socket it connects by (the first, and one per reconnect) is one
 * connection of the probe. A command written while ready makes the connection in use until no reply is
 * awaited; a command given before the client is ready waits in node-redis's queue (`offline-queued`).
 *
 * Hooks, all on the client's real instance (`_self`, which every object node-redis hands out for it inherits
 * from): `emit` (its `connect`, `ready`, `reconnecting`, `end` events are seen without adding a listener, so
 * listener counts stay the application's), `connect` (when the attempt started), the writing methods, and
 * the ending methods (why the socket closes).
 */
export class ClientWatch {
  private socket: Socket | null = null;
  /** Connections tracked so far: each after the first is a reconnect. */
  private connections = 0;
  private inUse = false;
  private ready = false;
  private connectStartedAt: number | undefined;
  private intent: CloseIntent | null = null;
  /** Set by the pool for the task it hands this client; taken by the next write. */
  private wait: PoolWait | null = null;
  private attached = false;
  private readonly restores: (() => void)[] = [];

  constructor(
    readonly client: NodeRedisClient,
    private readonly owner: WatchOwner,
  ) {}

  private get self(): ClientSelf {
    return this.client._self;
  }

  /**
   * Hooks the client. A client already connected is adopted with its connection as it stands, opened at
   * `connectStartedAt` when that is known (a pool member whose connect node-redis published), else without a
   * connect time.
   */
  attach(connectStartedAt?: number): void {
    const self = this.self;
    const seen = (event: string, args: readonly unknown[]): void => this.event(event, args);
    const connecting = (): void => this.connecting();
    const wrote = (): void => this.wrote();
    const ending = (method: string): void => this.ending(method);
    this.restores.push(
      wrapInstanceMethod(
        self,
        'emit',
        (original) =>
          function emit(this: ClientSelf, event: string | symbol, ...args: unknown[]): boolean {
            const listened = original.call(this, event, ...args);
            if (typeof event === 'string') seen(event, args);
            return listened;
          },
      ),
      wrapInstanceMethod(
        self,
        'connect',
        (original) =>
          function connect(this: ClientSelf): Promise<unknown> {
            connecting();
            return original.call(this);
          },
      ),
    );
    for (const key of WRITING_METHODS) {
      if (typeof self[key] !== 'function') continue;
      this.restores.push(
        wrapInstanceMethod(
          self,
          key,
          (original) =>
            function write(this: ClientSelf, ...args: unknown[]): unknown {
              const result = original.apply(this, args);
              wrote();
              return result;
            },
        ),
      );
    }
    for (const key of ENDING_METHODS) {
      if (typeof self[key] !== 'function') continue;
      this.restores.push(
        wrapInstanceMethod(self, key, (original) => {
          const ends: (...a: unknown[]) => unknown = original;
          return function end(this: ClientSelf, ...args: unknown[]): unknown {
            ending(key);
            return ends.apply(this, args);
          };
        }),
      );
    }
    this.attached = true;
    // A client audited while connected: its connection is adopted as it stands, with no connect time.
    if (self.isOpen) {
      this.connectStartedAt = connectStartedAt;
      this.track(connectStartedAt !== undefined);
    }
    this.ready = self.isReady;
  }

  /** Removes every hook; what was recorded stays. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const restore of this.restores.splice(0).reverse()) restore();
    if (this.socket) this.untrack(this.socket);
  }

  /** The pool hands this client a task that waited from `startedAt` (`queued`: for a client to be free). */
  handedTask(startedAt: number, queued: boolean): void {
    this.wait = { startedAt, queued };
  }

  /** `host:port` (or the Unix path) the client is configured for. */
  configuredEndpoint(): string {
    return configuredEndpoint(this.self);
  }

  // ── events ─────────────────────────────────────────────────────────────────────────────────────

  private connecting(): void {
    try {
      if (this.attached) this.connectStartedAt = this.owner.probe.now();
    } catch (err) {
      this.owner.failed(err);
    }
  }

  private event(event: string, args: readonly unknown[]): void {
    if (!this.attached) return;
    try {
      switch (event) {
        case 'connect':
          this.track(true);
          break;
        case 'ready':
          this.ready = true;
          break;
        case 'reconnecting':
          this.connectStartedAt = this.owner.probe.now();
          break;
        case 'error':
          this.errored(args[0]);
          break;
        case 'terminated':
          // node-redis 6: the server announced it ends this connection; the pool replaces the client.
          this.intent = { reason: 'remote', detail: 'terminated' };
          break;
        case 'end':
          this.owner.ended(this);
          break;
        default:
      }
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** An error before the socket connected is a failed attempt: nothing was opened. */
  private errored(error: unknown): void {
    if (this.connectStartedAt === undefined || this.socket !== null) return;
    this.connectStartedAt = undefined;
    this.owner.probe.connectFailed({ endpoint: this.configuredEndpoint(), error });
  }

  private ending(method: string): void {
    try {
      if (this.attached && this.intent === null) this.intent = this.owner.intentOf(method, this);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  // ── connections ────────────────────────────────────────────────────────────────────────────────

  private track(connected: boolean): void {
    const socket = socketOf(this.self);
    if (socket === undefined || socket === this.socket || socket.destroyed) return;
    if (this.socket) this.untrack(this.socket);
    this.socket = socket;
    this.inUse = false;
    this.ready = false;
    this.intent = null;
    const startedAt = connected ? this.connectStartedAt : undefined;
    this.connectStartedAt = undefined;
    if (this.connections++ > 0) this.owner.probe.count('reconnect');
    this.owner.probe.opened(
      socket,
      startedAt === undefined ? { socket } : { socket, connectStartedAt: startedAt },
    );
    bySocket.set(socket, this);
    // After node-redis's own 'data' listener (added before its 'connect' event): when ours runs, the replies
    // in the chunk have been taken off the queue.
    socket.on('data', onData);
    // Before the probe's own close watch: ours names the reason, the probe then reads the side.
    socket.prependListener('close', onClose);
  }

  private untrack(socket: Socket): void {
    bySocket.delete(socket);
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
  }

  private wrote(): void {
    try {
      const socket = this.socket;
      if (!this.attached || socket === null) return;
      if (!this.ready || !this.self.isOpen) {
        if (this.self.isOpen) this.owner.probe.count('offline-queued');
        return;
      }
      if (this.inUse) {
        this.owner.probe.used(socket);
        return;
      }
      this.inUse = true;
      const wait = this.wait;
      this.wait = null;
      const { probe } = this.owner;
      probe.acquired(socket, wait === null ? probe.now() : wait.startedAt, wait?.queued ?? false);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  drained(socket: Socket): void {
    try {
      if (!this.inUse || socket !== this.socket || this.self._getQueue().pendingCount !== 0) return;
      this.inUse = false;
      this.owner.probe.released(socket);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  socketClosed(socket: Socket, hadError: boolean): void {
    try {
      this.untrack(socket);
      if (socket === this.socket) {
        this.socket = null;
        this.inUse = false;
        this.ready = false;
      }
      const intent = this.intent;
      this.intent = null;
      if (intent !== null) {
        this.owner.probe.closed(socket, intent.reason, intent.detail);
        return;
      }
      // Nobody here asked for it: the probe reads the side (server FIN → remote, reset → error). An error after
      // the server's FIN (a write into the closed socket) is still the server closing.
      this.owner.probe.closed(socket, hadError && !socket.readableEnded ? 'error' : undefined);
    } catch (err) {
      this.owner.failed(err);
    }
  }
}

/** `host:port` or the Unix path of a client's options, with node-redis's defaults (`localhost:6379`). */
export function configuredEndpoint(self: Pick<ClientSelf, 'options'>): string {
  const { url, socket } = self.options ?? {};
  const path = socket?.['path'];
  if (typeof path === 'string' && path !== '') return path;
  let host = typeof socket?.['host'] === 'string' ? socket['host'] : undefined;
  let port = typeof socket?.['port'] === 'number' ? socket['port'] : undefined;
  if ((host === undefined || port === undefined) && typeof url === 'string') {
    try {
      const parsed = new URL(url);
      host ??= parsed.hostname.replace(/^\[|\]$/g, '') || undefined;
      port ??= parsed.port === '' ? undefined : Number(parsed.port);
    } catch {
      // An unparsable URL: node-redis itself refused it at createClient(); the defaults stand.
    }
  }
  return endpointKey(host ?? 'localhost', port ?? 6379);
}
