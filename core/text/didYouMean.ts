/**
 * "Did you mean …?" for names that match nothing (a ref to a model that does not exist, a column a
 * relation does not have): the closest known name, when it is close enough to be a likely typo.
 */
import { editDistance } from './editDistance';

/** Edits allowed for a name of this length: 1 up to 4 characters, 2 up to 8, else 3. */
function budget(length: number): number {
  return length <= 4 ? 1 : length <= 8 ? 2 : 3;
}

/**
 * The candidate closest to `name` (compared case-insensitively; a candidate differing only in case
 * counts as closest), or undefined when none is within a typo's distance. Ties go to the candidate
 * that sorts first, so the answer does not depend on the candidates' order.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const needle = name.toLowerCase();
  const max = budget(needle.length);
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(needle, c.toLowerCase(), max);
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= max ? best : undefined;
}
