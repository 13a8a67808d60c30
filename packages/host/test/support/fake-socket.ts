import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { PoolProbe } from '@poolaudit/core';

/** Enough of a connected `net.Socket` for the auditor to read who closed first. */
export class FakeSocket extends EventEmitter {
  connecting = false;
  destroyed = false;
  closed = false;
  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super();
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }

  /** This side sends its FIN first, then the socket closes: one TIME_WAIT here. */
  closeLocally(probe: PoolProbe, conn: object): void {
    this.emit('finish');
    probe.closed(conn, 'idleTimeout');
    this.destroyed = true;
    this.closed = true;
    this.emit('close', false);
  }
}

/** Opens `n` connections toward `host:port` and closes each one from this side. */
export function localCloses(probe: PoolProbe, host: string, port: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const socket = new FakeSocket(host, port);
    const conn = {};
    probe.opened(conn, { socket: socket.asSocket() });
    socket.closeLocally(probe, conn);
  }
}

/** Opens a connection toward `host:port` and leaves it open. */
export function openConnection(probe: PoolProbe, host: string, port: number): object {
  const conn = {};
  probe.opened(conn, { socket: new FakeSocket(host, port).asSocket() });
  return conn;
}
