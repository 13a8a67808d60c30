/**
 * Per-second buckets over the last `length` seconds, in a ring. Adding is O(1) and allocation-free;
 * reading walks the ring once. A bucket is reused when its second has left the window.
 */
export class SecondWindow {
  private readonly values: Float64Array;
  private readonly seconds: Float64Array;

  constructor(readonly length: number) {
    this.values = new Float64Array(length);
    this.seconds = new Float64Array(length).fill(-1);
  }

  /** Adds `n` to the bucket of `second`. */
  add(second: number, n = 1): void {
    const i = second % this.length;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.values[i] = n;
    } else {
      this.values[i] = (this.values[i] as number) + n;
    }
  }

  /** Keeps the largest value seen in the bucket of `second`. */
  max(second: number, value: number): void {
    const i = second % this.length;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.values[i] = value;
    } else if (value > (this.values[i] as number)) {
      this.values[i] = value;
    }
  }

  /** Sum over the window ending at `now` (inclusive). */
  sum(now: number): number {
    let total = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.inWindow(i, now)) total += this.values[i] as number;
    }
    return total;
  }

  /** Largest bucket in the window ending at `now`. */
  peak(now: number): number {
    let best = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.inWindow(i, now) && (this.values[i] as number) > best) best = this.values[i] as number;
    }
    return best;
  }

  /** Seconds of the window with a non-zero bucket. */
  activeSeconds(now: number): number {
    let active = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.inWindow(i, now) && (this.values[i] as number) > 0) active++;
    }
    return active;
  }

  private inWindow(i: number, now: number): boolean {
    const s = this.seconds[i] as number;
    return s > now - this.length && s <= now;
  }
}
