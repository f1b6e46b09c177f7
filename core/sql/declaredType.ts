import { firstTokenAtOrAfter, tokensOf } from './itemText';
import type { Token } from './lexer';
import { obj, spanStart, type RsContext } from './rsAst';

/**
 * The declared type of a `CREATE TABLE` column as written (`varchar(20)` → `VARCHAR(20)`): the
 * text after the column name up to its first constraint or the end of the definition. sqlparser-rs
 * keeps no position for a type, but it does for the column name.
 */

/** Words that start a column constraint or option, ending the type. */
const OPTION_WORDS = new Set([
  'NOT', 'NULL', 'DEFAULT', 'PRIMARY', 'REFERENCES', 'UNIQUE', 'CHECK', 'CONSTRAINT', 'COLLATE', 'COMMENT', 'GENERATED', 'IDENTITY',
  'AUTO_INCREMENT', 'AUTOINCREMENT', 'OPTIONS', 'MASKING', 'ENCODE', 'DISTKEY', 'SORTKEY', 'AS', 'ON', 'TAG', 'WITH', 'CHARACTER', 'CHARSET',
]);

/** The type written after the column name whose `Ident` is `name`, upper-cased, without inner spaces. */
export function declaredType(ctx: RsContext, name: unknown): string | undefined {
  const end = spanEnd(ctx, obj(name)?.span);
  if (end === undefined) return undefined;
  const tokens = tokensOf(ctx.text, ctx);
  let i = firstTokenAtOrAfter(tokens, end);
  if (i < 0) return undefined;
  const first = i;
  let depth = 0;
  let last = -1;
  for (; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type === 'punct' && (t.text === '(' || t.text === '<')) depth++;
    else if (t.type === 'punct' && (t.text === ')' || t.text === '>')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && ((t.type === 'punct' && t.text === ',') || (t.type === 'word' && i > first && OPTION_WORDS.has(t.text.toUpperCase())))) break;
    last = i;
  }
  const from = tokens[first];
  const to = tokens[last];
  if (!from || !to || last < first) return undefined;
  const text = ctx.text.slice(from.offset, to.end).replace(/\s+/g, ' ').trim();
  // The base type in capitals (`decimal(10, 2)` → `DECIMAL(10,2)`), parameters as written.
  return text.replace(/^[A-Za-z_][\w ]*?(?=\(|<|$)/, (m) => m.toUpperCase()).replace(/\s*,\s*/g, ',').replace(/\(\s+|\s+\)/g, (m) => m.trim());
}

function spanEnd(ctx: RsContext, span: unknown): number | undefined {
  const end = obj(obj(span)?.end);
  if (typeof end?.line !== 'number' || typeof end.column !== 'number' || end.line < 1) return undefined;
  return spanStart(ctx, { start: end });
}
