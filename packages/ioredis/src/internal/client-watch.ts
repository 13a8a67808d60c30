import type { Socket } from 'node:net';
import { endpointKey, wrapMethodOf } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';
import type { CommandLike, QueueLike, RedisInternals } from './shapes.js';

/** What a watched client is to its owner: a client of its own, a cluster node, or a slot-refresh connection. */
export type ClientRole = 'client' | 'node' | 'refresher';

/** Why the application (or ioredis itself) is about to close the connection. */
type CloseIntent = 'disconnect' | 'quit' | 'reconnect';

/** What a watch needs from the audit that owns it. */
export interface WatchOwner {
  readonly probe: PoolProbe;
  /** A cluster that owns this node is being disconnected (its nodes close for shutdown, not for a reset). */
  shuttingDown(): boolean;
  /** A connection of `watch` became ready (server settings may be read now). */
  ready(watch: ClientWatch): void;
  /** Auditing failed: the owner detaches everything and reports once. */
  failed(err: unknown): void;
  /** The client ended (status `end`: no reconnect will follow). */
  ended(watch: ClientWatch): void;
}

type SendCommand = RedisInternals['sendCommand'];
type Disconnect = RedisInternals['disconnect'];
type SetStatus = RedisInternals['setStatus'];

/** The watch of each socket being tracked (module-level handlers look it up: no closure per connection). */
const bySocket = new WeakMap<Socket, ClientWatch>();

function onData(this: Socket): void {
  bySocket.get(this)?.drained(this);
}

function onClose(this: Socket, hadError: boolean): void {
  bySocket.get(this)?.socketClosed(this, hadError);
}

/**
 * Watches one ioredis `Redis` instance: each TCP connection it makes (each `stream` after every (re)connect)
 * is one connection of the probe, keyed by the socket. Commands written and awaiting replies make it in use;
 * commands queued while offline are pending. Hooks: `setStatus` (what the client's status events tell),
 * `sendCommand` and `disconnect`, wrapped for this one instance by `wrapMethodOf`: the client keeps its own
 * keys and its listener counts (apps and ioredis' own tests count them), and a status is handled on the tick
 * its event is emitted, as a listener would.
 */
export class ClientWatch {
  /** The socket being tracked, or null before the first connect. */
  private stream: Socket | null = null;
  private inUse = false;
  private connections = 0;
  /** Set by the `disconnect` wrapper and by QUIT: why the next close happens. */
  intent: CloseIntent | null = null;
  private connectStartedAt: number | undefined = undefined;
  private readySeen: Socket | null = null;
  private failedStream: Socket | null = null;
  /** Commands queued while offline, with the time they were queued (read when they are finally written). */
  private readonly offlineSince = new WeakMap<CommandLike, number>();
  private offlineWaiting = 0;
  private oldestOfflineAt = 0;
  private attached = false;
  /** Undoes the `sendCommand`, `disconnect` and `setStatus` wrappers, in that order. */
  private readonly restores: (() => void)[] = [];

  constructor(
    readonly client: RedisInternals,
    readonly role: ClientRole,
    private readonly owner: WatchOwner,
  ) {}

  /** The probe this client records into. */
  get probe(): PoolProbe {
    return this.owner.probe;
  }

  /** The socket of the current connection, once tracked. */
  get currentStream(): Socket | null {
    return this.stream;
  }

  attach(): void {
    const { client } = this;
    this.restores.push(
      wrapMethodOf(client, 'sendCommand', (original) => wrapSendCommand(this, original)),
      wrapMethodOf(client, 'disconnect', (original) => wrapDisconnect(this, original)),
      wrapMethodOf(client, 'setStatus', (original) => wrapSetStatus(this, original)),
    );
    this.attached = true;
    // A client audited while connected: its connection is adopted as it stands.
    if (client.status === 'connect' || client.status === 'ready') this.track();
    if (client.status === 'ready') this.onReady();
  }

  /** Removes every hook; a status handler still queued does nothing. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const restore of this.restores.splice(0)) restore();
    if (this.stream) this.untrack(this.stream);
  }

  /** The client set `status`: handled on the next tick, right after its event's listeners. */
  statusSet(status: string): void {
    switch (status) {
      case 'connecting':
        process.nextTick(this.onConnecting);
        break;
      case 'connect':
        process.nextTick(this.onConnect);
        break;
      case 'ready':
        process.nextTick(this.onReady);
        break;
      case 'close':
        process.nextTick(this.onClientClose);
        break;
      case 'end':
        process.nextTick(this.onEnd);
        break;
      default:
    }
  }

  // ── connections ─────────────────────────────────────────────────────────────────────────────────

  /** Starts tracking `client.stream` if it is a new, connected socket. */
  private track(): void {
    const socket = this.client.stream;
    if (!socket || socket === this.stream || socket.connecting || socket.destroyed) return;
    if (this.stream) this.untrack(this.stream);
    this.stream = socket;
    this.inUse = false;
    this.intent = null;
    this.connections++;
    const { probe } = this.owner;
    probe.opened(
      socket,
      this.connectStartedAt === undefined ? { socket } : { socket, connectStartedAt: this.connectStartedAt },
    );
    this.connectStartedAt = undefined;
    if (this.connections > 1) probe.count('reconnect');
    bySocket.set(socket, this);
    // After ioredis' DataHandler (attached in its connect handler, before the 'connect' event we track
    // at): when our 'data' listener runs, the replies in the chunk have been taken off the command queue.
    socket.on('data', onData);
    // Prepended after the probe's own socket watch: ours runs first and names the reason before the probe
    // settles the side from what the socket saw.
    socket.prependListener('close', onClose);
  }

  private untrack(socket: Socket): void {
    bySocket.delete(socket);
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
  }

  /** A chunk of replies was read: the connection is idle once nothing awaits a reply. */
  drained(socket: Socket): void {
    if (!this.inUse || this.client.commandQueue.length !== 0) return;
    try {
      this.inUse = false;
      this.owner.probe.released(socket);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  socketClosed(socket: Socket, hadError: boolean): void {
    try {
      this.untrack(socket);
      if (socket === this.stream) this.inUse = false;
      const intent = this.intent;
      this.intent = null;
      // An error after the server's FIN (a write into the closed socket) is still the server closing.
      const reason = this.closeReason(intent, hadError && !socket.readableEnded);
      this.owner.probe.closed(socket, reason.reason, reason.detail);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  private closeReason(
    intent: CloseIntent | null,
    hadError: boolean,
  ): { reason: CloseReason | undefined; detail: string | undefined } {
    switch (intent) {
      case 'quit':
        return { reason: 'shutdown', detail: 'quit' };
      case 'reconnect':
        return { reason: 'other', detail: 'reconnect' };
      case 'disconnect':
        if (this.role === 'refresher') return { reason: 'other', detail: 'slots-refresh' };
        if (this.role === 'node' && !this.owner.shuttingDown()) {
          return { reason: 'other', detail: 'node-removed' };
        }
        return { reason: 'shutdown', detail: 'disconnect' };
      default:
        // Nobody here asked for it: the probe reads the side (server FIN → remote, reset → error).
        return { reason: hadError ? 'error' : undefined, detail: undefined };
    }
  }

  // ── commands ────────────────────────────────────────────────────────────────────────────────────

  /** Called by the `sendCommand` wrapper after the original ran; never throws. */
  afterSend(
    command: CommandLike,
    offline: QueueLike,
    offlineBefore: number,
    written: QueueLike,
    writtenBefore: number,
  ): void {
    try {
      if (command.name === 'quit' && this.intent === null) this.intent = 'quit';
      const { probe } = this.owner;
      if (written.length > writtenBefore) {
        const socket = this.stream;
        // The handshake (AUTH or ioredis 6's HELLO, SELECT, CLIENT SETINFO, the INFO ready check) runs
        // before 'ready' (lib/redis/event_handler.ts connectHandler): only commands written once ready count.
        if (socket === null || socket !== this.client.stream || this.client.status !== 'ready') return;
        let startedAt: number | undefined;
        if (this.offlineWaiting > 0) {
          startedAt = this.offlineSince.get(command);
          if (startedAt !== undefined) {
            this.offlineSince.delete(command);
            this.offlineWaiting--;
          }
        }
        if (startedAt === undefined && this.inUse) {
          // One more command on a connection already awaiting replies: a use, with no clock read.
          probe.used(socket);
          return;
        }
        this.inUse = true;
        // A command that waited offline waited for the connection to come up, not for a free one: its wait
        // goes into the wait timings but not into WaitCount, which would read as pool saturation.
        probe.acquired(socket, startedAt ?? probe.now(), false);
      } else if (offline.length > offlineBefore) {
        const startedAt = probe.acquireStart();
        probe.count('offline-queued');
        if (this.offlineWaiting === 0) this.oldestOfflineAt = startedAt;
        this.offlineWaiting++;
        this.offlineSince.set(command, startedAt);
      }
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** Commands that left the offline queue without being written were rejected (flushed on end or retries). */
  private settleOffline(): void {
    const lost = this.offlineWaiting - this.client.offlineQueue.length;
    for (let i = 0; i < lost; i++) this.owner.probe.acquireFailed(this.oldestOfflineAt, false, false);
    if (lost > 0) this.offlineWaiting -= lost;
  }

  // ── client events ───────────────────────────────────────────────────────────────────────────────

  private readonly onConnecting = (): void => {
    if (!this.attached) return;
    try {
      this.connectStartedAt = this.owner.probe.now();
    } catch (err) {
      this.owner.failed(err);
    }
  };

  private readonly onConnect = (): void => {
    if (!this.attached) return;
    try {
      this.track();
    } catch (err) {
      this.owner.failed(err);
    }
  };

  private readonly onReady = (): void => {
    if (!this.attached) return;
    try {
      if (this.stream === null || this.readySeen === this.stream) return;
      this.readySeen = this.stream;
      this.owner.ready(this);
    } catch (err) {
      this.owner.failed(err);
    }
  };

  private readonly onClientClose = (): void => {
    if (!this.attached) return;
    try {
      // A socket that never connected: a failed connect attempt, not a connection.
      const socket = this.client.stream;
      if (socket && socket !== this.stream && socket !== this.failedStream) {
        this.failedStream = socket;
        // The socket keeps the error it was destroyed with; ioredis' own 'error' event is not listened to
        // (a listener would silence its "Unhandled error event" line).
        this.owner.probe.connectFailed({ endpoint: this.configuredEndpoint(), error: socket.errored });
      }
      this.connectStartedAt = undefined;
      if (this.offlineWaiting > 0) this.settleOffline();
    } catch (err) {
      this.owner.failed(err);
    }
  };

  /** Where the client is configured to connect (`host:port`), or null for a unix socket or sentinels. */
  private configuredEndpoint(): string | null {
    const { host, port, path, sentinels } = this.client.options;
    if (typeof path === 'string' && path !== '') return path;
    if (Array.isArray(sentinels) && sentinels.length > 0) return null;
    return endpointKey(typeof host === 'string' ? host : 'localhost', typeof port === 'number' ? port : 6379);
  }

  private readonly onEnd = (): void => {
    if (!this.attached) return;
    try {
      if (this.offlineWaiting > 0) this.settleOffline();
      this.owner.ended(this);
    } catch (err) {
      this.owner.failed(err);
    }
  };
}

/**
 * The instance's `sendCommand`: the original is always called with the caller's `this` and arguments, and
 * the bookkeeping after it catches everything, so the application sees exactly what it would unaudited.
 */
function wrapSendCommand(watch: ClientWatch, original: SendCommand): SendCommand {
  return function sendCommand(this: RedisInternals, command: CommandLike, stream?: unknown): unknown {
    const offline = watch.client.offlineQueue;
    const offlineBefore = offline.length;
    const written = watch.client.commandQueue;
    const writtenBefore = written.length;
    const result = original.call(this, command, stream);
    watch.afterSend(command, offline, offlineBefore, written, writtenBefore);
    return result;
  };
}

/** The instance's `setStatus`: the original, then the status noted for the watch (which never throws). */
function wrapSetStatus(watch: ClientWatch, original: SetStatus): SetStatus {
  return function setStatus(this: RedisInternals, status: string, arg?: unknown): void {
    original.call(this, status, arg);
    watch.statusSet(status);
  };
}

/** The instance's `disconnect`: notes whether a reconnect was asked for, then calls the original. */
function wrapDisconnect(watch: ClientWatch, original: Disconnect): Disconnect {
  return function disconnect(this: RedisInternals, ...args: [reconnect?: boolean]): void {
    watch.intent = args[0] === true ? 'reconnect' : 'disconnect';
    original.apply(this, args);
  };
}
