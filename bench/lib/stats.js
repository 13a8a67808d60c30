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

module.exports = { quantileSorted, median, spread, round, roundSpread };
