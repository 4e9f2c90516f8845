/**
 * Edit distance counting insertions, deletions, substitutions and swaps of neighbours, so that the common typo
 * "tabel" for "table" costs 1, not 2 (optimal string alignment distance).
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the swap rule looks two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      }
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key a mistyped `key` most likely meant, or undefined when none is close enough to be a useful hint.
 * Also catches a key written without its namespace ("snapshot.segments" for "dynamodb.snapshot.segments").
 */
export function closestKey(key: string, knownKeys: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase();
  // Allow about one typo per four characters, and at least two.
  const tolerance = Math.max(2, Math.floor(wanted.length / 4));
  let best: { key: string; distance: number } | undefined;
  for (const known of knownKeys) {
    const candidate = known.toLowerCase();
    if (candidate === wanted) return known; // differs only in case
    const distance = editDistance(wanted, candidate);
    if (distance <= tolerance && (!best || distance < best.distance)) best = { key: known, distance };
  }
  if (best) return best.key;
  for (const known of knownKeys) {
    if (known.toLowerCase().endsWith(`.${wanted}`)) return known;
  }
  return undefined;
}
