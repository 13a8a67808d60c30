'use strict';
/** Small statistics helpers shared by the benchmark sections. */

/** The value at quantile `q` (0–1) of an already sorted array (nearest rank). */
function quantileSorted(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Median, min and max of a list of numbers. */
function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Rounds to `digits` decimals (for output only; figures are computed unrounded). */
function round(n, digits = 2) {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function roundSpread(s, digits = 2) {
  return { median: round(s.median, digits), min: round(s.min, digits), max: round(s.max, digits) };
}

/** A small seeded PRNG (mulberry32): the same run gives the same interval. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The median of `values` with a percentile bootstrap interval: `resamples` samples of the same size drawn
 * with replacement, the median of each, and the (1 − confidence)/2 and (1 + confidence)/2 quantiles of those
 * medians. Seeded, so the same figures give the same interval.
 */
function bootstrapMedian(values, { resamples = 4000, confidence = 0.95, seed = 20 } = {}) {
  const n = values.length;
  if (n === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const sample = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)];
    medians[r] = median(sample);
  }
  medians.sort();
  const tail = (1 - confidence) / 2;
  return {
    median: median(values),
    low: quantileSorted(medians, tail),
    high: quantileSorted(medians, 1 - tail),
    min: Math.min(...values),
    max: Math.max(...values),
    n,
  };
}

/**
 * PASS only when the whole interval clears the target, MISS when the whole interval misses it, UNSURE when the
 * interval straddles it: a verdict the noise cannot flip. `direction` 'atLeast' (≥ target) or 'atMost'.
 */
function intervalVerdict(interval, target, direction) {
  if (!Number.isFinite(interval.low) || !Number.isFinite(interval.high)) return 'UNSURE';
  if (direction === 'atLeast') {
    if (interval.low >= target) return 'PASS';
    if (interval.high < target) return 'MISS';
    return 'UNSURE';
  }
  if (interval.high <= target) return 'PASS';
  if (interval.low > target) return 'MISS';
  return 'UNSURE';
}

function roundInterval(s, digits = 2) {
  const out = {};
  for (const [k, v] of Object.entries(s)) out[k] = k === 'n' ? v : round(v, digits);
  return out;
}

module.exports = {
  quantileSorted,
  median,
  spread,
  round,
  roundSpread,
  seededRandom,
  bootstrapMedian,
  intervalVerdict,
  roundInterval,
};
