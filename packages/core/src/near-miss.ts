/**
 * The candidate `word` was most likely meant to be, or `undefined` when none is close: a typo
 * (`maxIdel` → `maxIdle`, `nmae` → `name`), a case slip (`maxidle`), or a cut-short or over-long name
 * (`probeServer` → `probeServers`, `leakDetectionThreshold` → `leakDetectionThresholdMs`).
 *
 * Closeness is the optimal-string-alignment distance (insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1), compared without case; longer words allow more edits (1 up to 4 characters, 2 up
 * to 8, then 3). A word that is a prefix of a candidate (or the other way round) by at least four characters
 * is close too.
 */
export function nearMiss(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const allowed = lower.length <= 4 ? 1 : lower.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    if (other === lower) return candidate;
    let distance = editDistance(lower, other);
    const shorter = Math.min(lower.length, other.length);
    if (distance > allowed && shorter >= 4 && (other.startsWith(lower) || lower.startsWith(other))) {
      distance = allowed;
    }
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus swaps of adjacent characters). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 && !a.startsWith(b) && !b.startsWith(a)) {
    return Math.abs(a.length - b.length);
  }
  // Three rows suffice: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] as number) + 1);
      }
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] as number;
}
