/**
 * Rendered text that remembers where each run of it came from in the template, so a position in
 * the rendered SQL (a parse error, an unknown column) can be reported at the source file's spot.
 * Literal template text maps character for character (`exact`); the output of a `{{ … }}` or
 * `{% … %}` tag maps to the tag's start. Replacements (line folding, relation sentinels) keep the
 * map right: replaced text maps to where the replaced text came from.
 */

/** A run of rendered text starting at `at` that comes from template offset `src`. */
export interface Run {
  at: number;
  src: number;
  /** True when the run is the template text itself; else every offset of it maps to `src`. */
  exact: boolean;
}

/** Rendered text with its runs (sorted by `at`; the first starts at 0 when the text is not empty). */
export class MappedText {
  text = '';
  readonly runs: Run[] = [];

  /** A text that comes entirely from one template offset (exact: it is the template text there). */
  static of(text: string, src: number, exact: boolean): MappedText {
    const m = new MappedText();
    m.add(text, src, exact);
    return m;
  }

  /** Appends `text` coming from `src`. */
  add(text: string, src: number, exact: boolean): void {
    if (text === '') return;
    this.mark(this.text.length, src, exact);
    this.text += text;
  }

  /** Appends another mapped text. */
  append(other: MappedText): void {
    if (other.text === '') return;
    const base = this.text.length;
    for (const r of other.runs) this.mark(base + r.at, r.src, r.exact);
    this.text += other.text;
  }

  /** The template offset of rendered offset `offset` (clamped into the text). */
  srcAt(offset: number): number {
    const r = this.runs[runIndex(this.runs, offset)];
    if (!r) return 0;
    return r.exact ? r.src + (Math.min(offset, this.text.length) - r.at) : r.src;
  }

  /** Starts a run at `at` unless it merely continues the previous run. */
  private mark(at: number, src: number, exact: boolean): void {
    const last = this.runs[this.runs.length - 1];
    if (last) {
      if (last.at === at) {
        this.runs.pop();
        this.mark(at, src, exact);
        return;
      }
      if (last.exact === exact && (exact ? last.src + (at - last.at) === src : last.src === src)) return;
    }
    this.runs.push({ at, src, exact });
  }

  /** Appends the part `[from, to)` of `source` (a mapped text) with its mapping. */
  appendSlice(source: MappedText, from: number, to: number): void {
    if (to <= from) return;
    const base = this.text.length;
    let i = runIndex(source.runs, from);
    const first = source.runs[i];
    if (first) this.mark(base, first.exact ? first.src + (from - first.at) : first.src, first.exact);
    for (i++; i < source.runs.length; i++) {
      const r = source.runs[i] as Run;
      if (r.at >= to) break;
      this.mark(base + r.at - from, r.src, r.exact);
    }
    this.text += source.text.slice(from, to);
  }
}

/** Index of the run that holds `offset` (the last run starting at or before it). */
export function runIndex(runs: readonly Run[], offset: number): number {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((runs[mid] as Run).at <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * `text.replace(re, fn)` on a mapped text (`re` must be global). Text between matches keeps its
 * mapping; a replacement maps (inexactly) to where its match started.
 */
export function replaceMapped(m: MappedText, re: RegExp, fn: (match: RegExpMatchArray) => string): MappedText {
  const out = new MappedText();
  let last = 0;
  for (const match of m.text.matchAll(re)) {
    const start = match.index ?? 0;
    out.appendSlice(m, last, start);
    out.add(fn(match), m.srcAt(start), false);
    last = start + match[0].length;
  }
  out.appendSlice(m, last, m.text.length);
  return out;
}

/**
 * `fitLines` on a mapped text: makes `piece` span exactly `lines` line breaks, appending missing
 * ones (mapped to `src`, the node's start) or folding extra ones into spaces after dropping `--`
 * comments that would swallow the folded SQL.
 */
export function fitLinesMapped(piece: MappedText, lines: number, src: number): MappedText {
  let have = 0;
  for (let i = 0; i < piece.text.length; i++) if (piece.text.charCodeAt(i) === 10) have++;
  if (have === lines) return piece;
  if (have < lines) {
    const out = new MappedText();
    out.append(piece);
    out.add('\n'.repeat(lines - have), src, false);
    return out;
  }
  const folded = replaceMapped(replaceMapped(piece, /--[^\n]*/g, () => ''), /\r?\n/g, () => ' ');
  folded.add('\n'.repeat(lines), src, false);
  return folded;
}
