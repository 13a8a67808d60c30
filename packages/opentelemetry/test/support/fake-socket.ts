import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** Just enough of a connected `net.Socket` for core to read who closed first. */
export class FakeSocket extends EventEmitter {
  readonly connecting = false;
  destroyed = false;
  closed = false;

  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super();
  }

  get socket(): Socket {
    return this as unknown as Socket;
  }

  /** We sent the first FIN: the TIME_WAIT is ours. */
  closeLocally(): void {
    this.emit('finish');
    this.finishClose();
  }

  /** The server sent the first FIN. */
  closeRemotely(): void {
    this.emit('end');
    this.finishClose();
  }

  /** The connection was reset: no TIME_WAIT. */
  reset(): void {
    this.on('error', () => undefined);
    this.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    this.finishClose();
  }

  private finishClose(): void {
    this.destroyed = true;
    this.closed = true;
    this.emit('close', false);
  }
}
