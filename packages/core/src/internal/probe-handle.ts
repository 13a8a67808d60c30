import type { CloseReason, ConnectFailure, OpenedInfo, PoolProbe, PoolRegistration } from '../types.js';
import type { LedgerMember, PoolLedger } from './pool-ledger.js';

/**
 * One registration's probe. Each call is guarded: a failure inside auditing is reported once and the pool
 * goes on unaudited; nothing is thrown into the application.
 */
export class ProbeHandle implements PoolProbe, LedgerMember {
  private active = true;
  /** Still a member of its pool record (neither ended nor unregistered). */
  private member = true;
  readonly readPending: (() => number) | undefined;
  readonly probeServer: PoolRegistration['probeServer'];

  /**
   * @param leave called once when the registration leaves its record: `detached` true for
   *   `unregister()`, false for `ended()`
   * @param rejoin called when a registration that had ended opens a connection again
   */
  constructor(
    private readonly ledger: PoolLedger,
    private readonly clock: () => number,
    registration: PoolRegistration,
    private readonly leave: (handle: ProbeHandle, detached: boolean) => void,
    private readonly rejoin: (handle: ProbeHandle) => void,
    private readonly renameRecord: (name: string) => void,
  ) {
    this.readPending = registration.readPending;
    this.probeServer = registration.probeServer;
  }

  private get live(): boolean {
    return this.active && !this.ledger.broken;
  }

  now(): number {
    return this.clock();
  }

  opened(conn: object, info?: OpenedInfo): void {
    if (!this.live) return;
    // A pool that ended and then opened again (ioredis `connect()` after `quit()`) is a member again.
    if (!this.member) {
      this.member = true;
      this.rejoin(this);
    }
    try {
      this.ledger.onOpened(conn, info);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  acquireStart(): number {
    if (!this.live) return this.clock();
    try {
      return this.ledger.onAcquireStart();
    } catch (err) {
      this.ledger.fail(err);
      return 0;
    }
  }

  acquired(conn: object, startedAt: number, queued: boolean): void {
    if (!this.live) return;
    try {
      this.ledger.onAcquired(conn, startedAt, queued);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  used(conn: object): void {
    if (!this.live) return;
    try {
      this.ledger.onUsed(conn);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  connectFailed(failure: ConnectFailure): void {
    if (!this.live) return;
    try {
      this.ledger.onConnectFailed(failure);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  acquireFailed(startedAt: number, queued: boolean, timedOut: boolean): void {
    if (!this.live) return;
    try {
      this.ledger.onAcquireFailed(startedAt, queued, timedOut);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  released(conn: object): void {
    if (!this.live) return;
    try {
      this.ledger.onReleased(conn);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  closed(conn: object, reason?: CloseReason, detail?: string): void {
    if (!this.live) return;
    try {
      this.ledger.onClosed(conn, reason, detail);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  annotate(key: string, value: number | string | boolean): void {
    if (!this.live) return;
    try {
      this.ledger.onAnnotate(key, value);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  count(event: string, n = 1): void {
    if (!this.live) return;
    try {
      this.ledger.onCount(event, n);
    } catch (err) {
      this.ledger.fail(err);
    }
  }

  ended(): void {
    if (!this.member) return;
    this.member = false;
    this.leave(this, false);
  }

  rename(name: string): void {
    if (this.active) this.renameRecord(name);
  }

  unregister(): void {
    if (!this.active) return;
    this.active = false;
    if (!this.member) {
      // Ended first: leaving again now stops watching what the pool still had open.
      this.ledger.stopWatchingIfAlone();
      return;
    }
    this.member = false;
    this.leave(this, true);
  }
}

/** The probe of a disabled auditor: records nothing. */
export const NOOP_PROBE: PoolProbe = Object.freeze({
  now: () => 0,
  opened: () => undefined,
  acquireStart: () => 0,
  acquired: () => undefined,
  used: () => undefined,
  connectFailed: () => undefined,
  acquireFailed: () => undefined,
  released: () => undefined,
  closed: () => undefined,
  annotate: () => undefined,
  count: () => undefined,
  rename: () => undefined,
  ended: () => undefined,
  unregister: () => undefined,
});
