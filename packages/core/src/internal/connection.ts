import type { Socket } from 'node:net';
import type { CloseReason } from '../types.js';
import type { WatchedConnection } from './socket-watch.js';

/**
 * Where a connection stands: `closing` means the pool has let it go and the ledger waits for its socket to
 * close to learn who closed first.
 */
export type ConnState = 'open' | 'closing' | 'done';

/** The ledger's record of one connection, from open to close. */
export class Connection implements WatchedConnection {
  endpoint: string | null;
  /** This end's `ip:port`, read at connect. */
  local: string | null = null;
  /** The peer's `ip:port` when `endpoint` groups connections otherwise (an inbound peer's address alone). */
  remote: string | null = null;
  peerClosedFirst = false;
  localClosedFirst = false;
  reset = false;
  state: ConnState = 'open';
  inUse = false;
  uses = 0;
  acquiredAt = 0;
  releasedAt: number;
  closeReason: CloseReason = 'other';
  /** The endpoint this connection was counted toward, once known. */
  countedAt: string | null = null;
  /** Called when a socket that was still connecting has connected (its endpoint is now known). */
  onConnected: ((conn: Connection) => void) | undefined = undefined;
  /** The acquiring stack, kept only while leak detection is on. */
  stack: string | undefined = undefined;

  constructor(
    readonly socket: Socket | null,
    endpoint: string | null,
    readonly openedAt: number,
    private readonly settle: (conn: Connection) => void,
  ) {
    this.endpoint = endpoint;
    this.releasedAt = openedAt;
  }

  onSocketConnect(): void {
    this.onConnected?.(this);
  }

  onSocketClose(): void {
    this.settle(this);
  }
}
