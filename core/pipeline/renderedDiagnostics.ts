import { offsetOf, sourcePosition, type SourcePosition } from '../dbt/renderMap';
import type { Diagnostic } from '../model/entities';

/**
 * Moves diagnostics found in a dbt node's rendered SQL (parse errors) to the node's source file:
 * the position through the render map, never past the end of the source line, and the message's
 * quote only when the quoted text really is in the file there. Rendered SQL may hold placeholders
 * (`mallard__rel.r0`), macro output or folded loop output that the user never wrote.
 */

/** Jinja tags quoted whole up to this length; longer ones are named without a quote. */
const MAX_TAG_QUOTE = 60;

/** Maps diagnostics of `rendered` (positions in it) to `source` using `map` (see `RenderMap`). */
export function toSourceDiagnostics(diagnostics: readonly Diagnostic[], rendered: string, map: readonly number[] | undefined, source: string): Diagnostic[] {
  const starts = lineStarts(source);
  return diagnostics.map((d) => {
    const pos: SourcePosition = map ? sourcePosition(rendered, map, offsetOf(rendered, d.line, d.column)) : { line: d.line, column: d.column, exact: true };
    const { line, column, offset } = clampTo(source, starts, pos.line, pos.column);
    const { endLine: _l, endColumn: _c, ...rest } = d;
    // Unbalanced parentheses in Jinja output may come from our approximation of a macro, not the user.
    const severity = d.severity === 'error' && d.code === 'sql-parse' && !pos.exact ? 'warning' : d.severity;
    return { ...rest, line, column, severity, message: requote(d.message, source, offset, pos.exact) };
  });
}

/** Offsets where each line of `text` starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Clamps a position into the file: a line that exists, a column at most one past the line's end. */
function clampTo(source: string, starts: readonly number[], line: number, column: number): { line: number; column: number; offset: number } {
  const l = Math.min(Math.max(1, line), starts.length);
  const start = starts[l - 1] as number;
  const next = starts[l];
  let end = next === undefined ? source.length : next - 1;
  if (end > start && source.charCodeAt(end - 1) === 13) end--;
  const c = Math.min(Math.max(1, column), end - start + 1);
  return { line: l, column: c, offset: start + c - 1 };
}

/** The `{{ … }}` / `{% … %}` tag starting at `offset`, when there is one. */
function tagAt(source: string, offset: number): string | undefined {
  const open = source.slice(offset, offset + 2);
  if (open !== '{{' && open !== '{%') return undefined;
  const close = source.indexOf(open === '{{' ? '}}' : '%}', offset + 2);
  return close < 0 ? undefined : source.slice(offset, close + 2);
}

/** The word (or single non-blank character) of the source at `offset`. */
function wordAt(source: string, offset: number): string {
  return /^[\p{L}\p{N}_$@#]+|^\S/u.exec(source.slice(offset, offset + 200))?.[0] ?? '';
}

/**
 * Says which Jinja produced the SQL at a position that is Jinja output: the tag when it is short,
 * else the macro it calls or the block it opens (both as written in the file).
 */
function renderedFrom(source: string, offset: number): string {
  const tag = tagAt(source, offset);
  if (tag === undefined) return 'the SQL rendered from the Jinja here';
  if (tag.length <= MAX_TAG_QUOTE && !tag.includes('\n')) return `the SQL rendered from "${tag}"`;
  const head = /^\{([{%])-?\s*([A-Za-z_][\w.]*)/.exec(tag);
  if (head?.[1] === '%') return `the SQL rendered by the "${head[2] ?? ''}" block here`;
  return head ? `the SQL rendered by "${head[2] ?? ''}" here` : 'the SQL rendered from the Jinja here';
}

/**
 * Rewrites a parse message so that what it quotes is in the file at `offset`. The parser quotes the
 * rendered SQL; where that is the source text (`exact`) a quote is kept when it matches the file,
 * else replaced by the word the file has there; in Jinja output the tag that produced it is named.
 */
export function requote(message: string, source: string, offset: number, exact: boolean): string {
  const paren = /^Syntax error: ("\)" without a matching "\("|"\(" is never closed)$/.exec(message);
  if (paren) {
    if (exact && source[offset] === paren[1]?.[1]) return message;
    return exact ? 'Syntax error: unbalanced parentheses' : `Syntax error: unbalanced parentheses in ${renderedFrom(source, offset)}`;
  }
  // The quote runs to the `"` that ends the phrase (it may itself be `"`, a quoted identifier's start)
  // and may span lines: a quoted identifier the rendering left open swallows the rest of the SQL,
  // placeholders (`mallard__rel.r0`) included.
  const near = /near "([\s\S]*?)"(?=; |$)/.exec(message);
  if (near) {
    const quoted = near[1] ?? '';
    if (exact && quoted !== '' && source.startsWith(quoted, offset)) return message;
    const word = exact ? wordAt(source, offset) : '';
    const instead = exact ? (word === '' ? 'here' : `near "${word}"`) : renderedFrom(source, offset);
    return message.replace(near[0], instead);
  }
  if (exact) return message;
  // Before the consequence ("; no column lineage …"), so the cause reads as one phrase.
  const cut = message.indexOf('; ');
  const where = ` (in ${renderedFrom(source, offset)})`;
  return cut < 0 ? `${message}${where}` : `${message.slice(0, cut)}${where}${message.slice(cut)}`;
}
