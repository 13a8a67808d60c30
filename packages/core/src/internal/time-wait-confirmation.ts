import type { CloseLookup, ClosedBy } from '../types.js';
import { SecondWindow } from './second-window.js';

/** Kernel TCP state numbers (`include/net/tcp_states.h`) that a lookup answer is read by. */
const TIME_WAIT = 6;
const FIN_WAIT1 = 4;
const FIN_WAIT2 = 5;
const CLOSING = 11;
/** Closes kept for lookup at most; past it the oldest are dropped unlooked (about two windows at 470/s). */
const MAX_PENDING = 65_536;

/**
 * The kernel's verdict on one ledger's closes (a pool, a pool's endpoint, or a destination across pools):
 * per second of close, how many the kernel showed in TIME_WAIT and how many local closes left none.
 */
export class KernelVerdicts {
  readonly confirmed: SecondWindow;
  readonly resets: SecondWindow;
  /** Local closes not looked up yet. */
  unconfirmed = 0;

  constructor(windowSeconds: number) {
    this.confirmed = new SecondWindow(windowSeconds);
    this.resets = new SecondWindow(windowSeconds);
  }
}

/** What the kernel made of a close, in the verdicts' own figures at a given second. */
export interface KernelFootprint {
  readonly confirmed: number;
  readonly resets: number;
  readonly unconfirmed: number;
}

export function kernelFootprint(v: KernelVerdicts, second: number): KernelFootprint {
  return { confirmed: v.confirmed.sum(second), resets: v.resets.sum(second), unconfirmed: v.unconfirmed };
}

/** A closed connection's 4-tuple, waiting for the next host scan to say whether it became a TIME_WAIT socket. */
export class ClosedTuple {
  constructor(
    /** This end, `ip:port` (recorded at connect: a closed socket no longer knows it). */
    readonly local: string,
    readonly remote: string,
    /** Second of the close (auditor clock). */
    readonly second: number,
    readonly side: ClosedBy,
    /** The pool's, the pool endpoint's and the destination's verdicts. */
    readonly verdicts: readonly KernelVerdicts[],
  ) {}
}

/**
 * The auditor's queue of closes to confirm against the kernel's TIME_WAIT entries. Closes are queued only
 * while a host observer is attached (nothing to pay otherwise); each scan takes the queue, the observer
 * matches the 4-tuples against the table (a hash lookup per kernel entry, in its scan worker), and `settle`
 * books the answer into the verdicts of the close's second.
 */
export class TimeWaitConfirmation {
  /** True while a host observer is attached: closes are queued. */
  recording = false;
  /** True once a scan has answered since the observer was attached: footprints are the kernel's. */
  scanned = false;
  private pending: ClosedTuple[] = [];

  constructor(
    private readonly windowSeconds: number,
    private readonly clock: () => number,
  ) {}

  add(tuple: ClosedTuple): void {
    if (tuple.side === 'local') for (const v of tuple.verdicts) v.unconfirmed++;
    this.pending.push(tuple);
    if (this.pending.length > MAX_PENDING) this.drop(this.pending.splice(0, this.pending.length >> 1));
  }

  /** Stops queueing (the observer left); closes already queued stay unconfirmed until they age out. */
  stop(): void {
    this.recording = false;
    this.scanned = false;
    this.drop(this.pending);
    this.pending = [];
  }

  /** Takes the queued closes still inside the window, the newest of each 4-tuple, as a lookup. */
  lookup(): CloseLookup {
    const second = Math.floor(this.clock() / 1000);
    const taken = this.pending;
    this.pending = [];
    const newest = new Map<string, ClosedTuple>();
    const stale: ClosedTuple[] = [];
    for (const t of taken) {
      if (t.second <= second - this.windowSeconds) {
        stale.push(t);
        continue;
      }
      // With tcp_tw_reuse a new connect may take over a TIME_WAIT 4-tuple: the kernel then holds one socket
      // for both closes, and only the later one can be confirmed by it.
      const key = `${t.local}>${t.remote}`;
      const older = newest.get(key);
      if (older) stale.push(older);
      newest.set(key, t);
    }
    this.drop(stale);
    const tuples = [...newest.values()];
    return {
      local: tuples.map((t) => t.local),
      remote: tuples.map((t) => t.remote),
      settle: (states) => this.settle(tuples, states),
    };
  }

  private settle(tuples: readonly ClosedTuple[], states: ArrayLike<number> | null): void {
    if (states === null || states.length !== tuples.length) {
      // The scan failed: look them up next time.
      this.pending = tuples.concat(this.pending);
      return;
    }
    this.scanned = true;
    const second = Math.floor(this.clock() / 1000);
    const again: ClosedTuple[] = [];
    for (let i = 0; i < tuples.length; i++) {
      const t = tuples[i] as ClosedTuple;
      const state = states[i] ?? 0;
      // Our FIN is out but the peer's is not in yet: the socket becomes a TIME_WAIT one later.
      if (state === FIN_WAIT1 || state === FIN_WAIT2 || state === CLOSING) {
        again.push(t);
        continue;
      }
      if (t.side === 'local') for (const v of t.verdicts) v.unconfirmed--;
      // A verdict older than the window would land in a ring bucket that now holds a newer second.
      if (t.second <= second - this.windowSeconds) continue;
      if (state === TIME_WAIT) for (const v of t.verdicts) v.confirmed.add(t.second);
      else if (t.side === 'local' && state === 0) for (const v of t.verdicts) v.resets.add(t.second);
    }
    this.pending = again.concat(this.pending);
  }

  private drop(tuples: readonly ClosedTuple[]): void {
    for (const t of tuples) if (t.side === 'local') for (const v of t.verdicts) v.unconfirmed--;
  }
}
