/**
 * Replaces the relation sentinels of rendered output (`\uE000<n>\uE001`, one per `ref()`,
 * `source()` or `this`) by text, keeping the SQL parseable wherever dbt's output is. dbt renders a
 * relation quoted per adapter (`"db"."schema"."orders"`), so `left join{{ ref('orders') }}` and
 * `{{ ref('orders') }}as o` still parse in the warehouse: the quote separates the tokens. Mallard
 * writes relations unquoted (`schema.orders`, `mallard__rel.r0`), so where the neighbouring
 * character would glue onto the name (a letter, digit, `_` or `$`) one space is put between them.
 * Inside string literals, quoted identifiers and comments nothing is added: there the text is data,
 * as in dbt's output. Only spaces are added, never line breaks, so every line stays where it is.
 */

const GLUES = /[\p{L}\p{N}_$]/u;

/** Substitutes every sentinel in `out` with `text(n)`, padded where it would glue onto a word. */
export function substituteRelations(out: string, text: (n: number) => string): string {
  if (!out.includes('\uE000')) return out;
  let result = '';
  let last = 0;
  let state: 'code' | "'" | '"' | '`' | 'line' | 'block' = 'code';
  for (let k = 0; k < out.length; k++) {
    const c = out[k] ?? '';
    if (c === '\uE000') {
      const close = out.indexOf('\uE001', k);
      if (close < 0) break;
      const before = out[k - 1] ?? '';
      const after = out[close + 1] ?? '';
      const code = state === 'code';
      // After another relation the previous one already added its trailing space.
      const padBefore = code && GLUES.test(before);
      const padAfter = code && (GLUES.test(after) || after === '\uE000');
      result += `${out.slice(last, k)}${padBefore ? ' ' : ''}${text(Number(out.slice(k + 1, close)))}${padAfter ? ' ' : ''}`;
      last = close + 1;
      k = close;
      continue;
    }
    const next = out[k + 1];
    if (state === 'code') {
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
  return result + out.slice(last);
}
