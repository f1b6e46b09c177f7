/**
 * Levenshtein distance for fuzzy lookups: the catalog's entity search and the "did you mean" of
 * diagnostics (`didYouMean.ts`). Pure; shared by the extension and `core/`.
 */

/** Reused rows of the DP table; fuzzy lookup calls this ~100k times in a loop. */
let previous = new Int32Array(64);
let current = new Int32Array(64);

/**
 * Levenshtein distance with an early exit: returns `max + 1` as soon as the distance must exceed
 * `max`, which keeps fuzzy lookups over 100k names cheap.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (previous.length <= b.length) {
    previous = new Int32Array(b.length * 2 + 1);
    current = new Int32Array(b.length * 2 + 1);
  }
  let prev = previous;
  let cur = current;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      cur[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[b.length] as number, max + 1);
}
