import type { PoolProbe } from '@poolaudit/core';
import type { FakeClock } from './fake-clock.js';
import { FakeSocket } from './fake-socket.js';

/** A connection of `FakePool`: the key the probe knows it by, and its socket. */
export interface FakeConnection {
  readonly socket: FakeSocket;
}

/** Drives a real probe the way an adapter would, on a fake clock, with sockets that close on command. */
export class FakePool {
  constructor(
    private readonly probe: PoolProbe,
    private readonly clock: FakeClock,
  ) {}

  /** Opens a connection to `endpoint` (`host:port`) that took `connectMs` to establish. */
  open(host: string, port: number, connectMs = 0): FakeConnection {
    const conn = { socket: new FakeSocket(host, port) };
    const startedAt = this.clock.now();
    this.clock.advance(connectMs);
    this.probe.opened(conn, { socket: conn.socket.socket, connectStartedAt: startedAt });
    return conn;
  }

  /** Acquires `conn` after waiting `waitMs` (queued when > 0). */
  acquire(conn: FakeConnection, waitMs = 0): void {
    const startedAt = this.probe.acquireStart();
    this.clock.advance(waitMs);
    this.probe.acquired(conn, startedAt, waitMs > 0);
  }

  /** Releases `conn` after holding it `holdMs`. */
  release(conn: FakeConnection, holdMs = 0): void {
    this.clock.advance(holdMs);
    this.probe.released(conn);
  }

  /** A caller that starts waiting and is still waiting. */
  startWaiting(): number {
    return this.probe.acquireStart();
  }

  /** A caller that gave up after `waitMs`. */
  timeOut(waitMs: number): void {
    const startedAt = this.probe.acquireStart();
    this.clock.advance(waitMs);
    this.probe.acquireFailed(startedAt, true, true);
  }

  /** The pool closes `conn` for `reason`; its socket then closes from `side`. */
  close(
    conn: FakeConnection,
    reason: Parameters<PoolProbe['closed']>[1],
    side: 'local' | 'remote' | 'reset',
  ): void {
    this.probe.closed(conn, reason);
    if (side === 'local') conn.socket.closeLocally();
    else if (side === 'remote') conn.socket.closeRemotely();
    else conn.socket.reset();
  }
}
