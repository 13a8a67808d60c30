import type { TimingSummary } from '../types.js';

/** Buckets per doubling: about ±4.5 % resolution. */
const STEPS_PER_OCTAVE = 8;
/** Smallest value told apart, in ms (1 µs). */
const FLOOR_MS = 0.001;
/** 2^36 µs ≈ 19 hours: anything longer lands in the last bucket. */
const BUCKETS = 36 * STEPS_PER_OCTAVE + 1;

/** A fixed-size log-bucketed histogram of durations in ms: O(1) record, bounded memory. */
export class Histogram {
  private readonly buckets = new Uint32Array(BUCKETS);
  private total = 0;
  private largest = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return;
    let i = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log2(ms / FLOOR_MS) * STEPS_PER_OCTAVE);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.total++;
    if (ms > this.largest) this.largest = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The value at quantile `q` (0–1): the bucket's upper bound, never above the largest value seen. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i] as number;
      if (seen >= rank) return Math.min(this.largest, FLOOR_MS * 2 ** (i / STEPS_PER_OCTAVE));
    }
    return this.largest;
  }

  summary(): TimingSummary {
    return {
      count: this.total,
      p50: round3(this.quantile(0.5)),
      p99: round3(this.quantile(0.99)),
      max: round3(this.largest),
    };
  }
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
