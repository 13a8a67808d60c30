import type { PoolLedger } from './pool-ledger.js';

/**
 * Pool records waiting to retire, in the order they became idle. Pushing and taking are O(1) amortized:
 * a service that creates and closes a pool per tenant or a client per request pays a constant amount per
 * pool, however many have come and gone.
 */
export class RetirementQueue {
  private ledgers: (PoolLedger | undefined)[] = [];
  private since: number[] = [];
  private head = 0;

  /** `ledger` just became idle (its `idleSince` is set). */
  push(ledger: PoolLedger): void {
    this.ledgers.push(ledger);
    this.since.push(ledger.idleSince);
  }

  /**
   * The next record idle for at least `horizonMs` at `now`, or undefined. Entries whose record became busy
   * again are dropped (it is queued anew when it next becomes idle).
   */
  due(now: number, horizonMs: number): PoolLedger | undefined {
    while (this.head < this.ledgers.length) {
      const ledger = this.ledgers[this.head] as PoolLedger;
      const since = this.since[this.head] as number;
      if (ledger.idleSince !== since) {
        this.take();
        continue;
      }
      if (now - since < horizonMs) return undefined;
      this.take();
      return ledger;
    }
    return undefined;
  }

  private take(): void {
    // The record taken is not held here any more, whatever happens to the array.
    this.ledgers[this.head] = undefined;
    this.head++;
    if (this.head === this.ledgers.length) {
      this.ledgers = [];
      this.since = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.ledgers.length) {
      // Compact once half the array is spent, so memory follows what is still queued.
      this.ledgers = this.ledgers.slice(this.head);
      this.since = this.since.slice(this.head);
      this.head = 0;
    }
  }
}
