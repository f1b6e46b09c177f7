/**
 * A line diff of two description texts for the docs panel's history (what a version changed):
 * the longest common subsequence of lines, as runs of kept, removed and added lines. Descriptions
 * are short; above `MAX_CELLS` compared line pairs the diff is simply "all removed, all added"
 * rather than a slow exact one.
 */

/** One line of a diff. */
export interface DiffLine {
  op: 'same' | 'del' | 'add';
  text: string;
}

const MAX_CELLS = 250_000;

function linesOf(text: string | null): string[] {
  return text === null || text === '' ? [] : text.replace(/\r\n?/g, '\n').split('\n');
}

/** The lines of `before` and `after` marked kept (`same`), removed (`del`) or added (`add`), in order. */
export function lineDiff(before: string | null, after: string | null): DiffLine[] {
  const a = linesOf(before);
  const b = linesOf(after);
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map((text): DiffLine => ({ op: 'del', text })), ...b.map((text): DiffLine => ({ op: 'add', text }))];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      out.push({ op: 'del', text: a[i++]! });
    } else {
      out.push({ op: 'add', text: b[j++]! });
    }
  }
  while (i < a.length) out.push({ op: 'del', text: a[i++]! });
  while (j < b.length) out.push({ op: 'add', text: b[j++]! });
  return out;
}
