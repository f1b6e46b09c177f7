/**
 * The serialized form of a `MappedText` kept on a rendered node (plain JSON, cached with it), and
 * the lookup that turns a position in rendered SQL into a position in the node's source file.
 * Rendering keeps lines aligned, but not columns: a `{{ ref('x') }}` becomes a placeholder of
 * another length, and a loop's output folded onto one line can be far longer than the source line.
 */
import type { LineIndex } from './jinja/lexer';
import type { MappedText } from './jinja/mappedText';

/**
 * Runs of rendered text, four numbers each: rendered offset where the run starts, 1-based source
 * line and column it comes from, and 1 when the run is the source text itself (0: Jinja output,
 * every offset of the run maps to its tag).
 */
export type RenderMap = number[];

/** A position in the source file. */
export interface SourcePosition {
  line: number;
  column: number;
  /** True when the rendered text at this position is the source text (not Jinja output). */
  exact: boolean;
}

/** Serializes a mapped text, with source offsets turned into lines and columns. */
export function toRenderMap(m: MappedText, lines: LineIndex): RenderMap {
  const out: RenderMap = [];
  for (const r of m.runs) {
    const at = lines.at(r.src);
    out.push(r.at, at.line, at.column, r.exact ? 1 : 0);
  }
  return out;
}

/** The map of a rendering that kept every character in place (Python models, unparsable templates). */
export function identityMap(): RenderMap {
  return [0, 1, 1, 1];
}

/**
 * The source position of `offset` in `rendered` (the text the map was built for). Inside an exact
 * run the rendered text equals the source text, so lines and columns advance with it.
 */
export function sourcePosition(rendered: string, map: readonly number[], offset: number): SourcePosition {
  const runs = map.length >> 2;
  if (runs === 0) return { line: 1, column: 1, exact: false };
  const off = Math.max(0, Math.min(offset, rendered.length));
  let lo = 0;
  let hi = runs - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((map[mid * 4] as number) <= off) lo = mid;
    else hi = mid - 1;
  }
  const at = map[lo * 4] as number;
  let line = map[lo * 4 + 1] as number;
  let column = map[lo * 4 + 2] as number;
  const exact = map[lo * 4 + 3] === 1;
  if (!exact) return { line, column, exact };
  for (let i = at; i < off; i++) {
    if (rendered.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column, exact };
}

/** Offset of a 1-based line and column in `text` (clamped into the line and the text). */
export function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return text.length;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(start + Math.max(0, column - 1), lineEnd);
}
