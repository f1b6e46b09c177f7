/**
 * Replaces the relation sentinels of rendered output (`\uE000<n>\uE001`, one per `ref()`,
 * `source()` or `this`) by text, keeping the SQL parseable wherever dbt's output is. dbt renders a
 * relation quoted per adapter (`"db"."schema"."orders"`), so `left join{{ ref('orders') }}` and
 * `{{ ref('orders') }}as o` still parse in the warehouse: the quote separates the tokens. Mallard
 * writes relations unquoted (`schema.orders`, `mallard__rel.r0`), so where the neighbouring
 * character would glue onto the name (a letter, digit, `_` or `$`) one space is put between them.
 * Inside string literals, quoted identifiers and comments nothing is added: there the text is data,
 * as in dbt's output. Only spaces are added, never line breaks, so every line stays where it is,
 * and the padding is part of the replacement, so a render map that maps each replacement to its
 * sentinel maps the spaces there too.
 */

/** A relation sentinel in rendered output. */
export const SENTINEL = /\uE000(\d+)\uE001/g;

const GLUES = /[\p{L}\p{N}_$]/u;

/**
 * A replacer for the matches of `SENTINEL` in `out` (`out.matchAll(SENTINEL)` or a mapped
 * replace over the same text): the relation's text, padded where it would glue onto a word.
 */
export function relationReplacer(out: string, text: (n: number) => string): (match: RegExpMatchArray) => string {
  const inCode = sentinelsInCode(out);
  return (m) => {
    const at = m.index ?? 0;
    const body = text(Number(m[1]));
    if (!inCode.has(at)) return body;
    const before = out[at - 1] ?? '';
    const after = out[at + m[0].length] ?? '';
    // After another relation, the previous one already added its trailing space.
    return `${GLUES.test(before) ? ' ' : ''}${body}${GLUES.test(after) || after === '\uE000' ? ' ' : ''}`;
  };
}

/** Substitutes every sentinel of `out` with `text(n)`, padded as `relationReplacer` does. */
export function substituteRelations(out: string, text: (n: number) => string): string {
  if (!out.includes('\uE000')) return out;
  const replace = relationReplacer(out, text);
  let result = '';
  let last = 0;
  for (const m of out.matchAll(SENTINEL)) {
    const at = m.index ?? 0;
    result += out.slice(last, at) + replace(m);
    last = at + m[0].length;
  }
  return result + out.slice(last);
}

/** Offsets of the sentinels that stand in SQL code (not in a string, quoted name or comment). */
function sentinelsInCode(out: string): Set<number> {
  const found = new Set<number>();
  let state: 'code' | "'" | '"' | '`' | 'line' | 'block' = 'code';
  for (let k = 0; k < out.length; k++) {
    const c = out[k] ?? '';
    const next = out[k + 1];
    if (c === '\uE000') {
      if (state === 'code') found.add(k);
      const close = out.indexOf('\uE001', k);
      if (close < 0) break;
      k = close;
    } else if (state === 'code') {
      if (c === "'" || c === '"' || c === '`') state = c;
      else if (c === '-' && next === '-') state = 'line';
      else if (c === '/' && next === '*') {
        state = 'block';
        k++;
      }
    } else if (state === 'line') {
      if (c === '\n') state = 'code';
    } else if (state === 'block') {
      if (c === '*' && next === '/') {
        state = 'code';
        k++;
      }
    } else if (c === '\\' && state === "'") k++;
    else if (c === state) state = 'code';
  }
  return found;
}
