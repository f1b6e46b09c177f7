import type { Dialect } from '../pipeline/contracts';
import type { Token } from './lexer';

/**
 * Rewrites the few constructs sqlparser-rs rejects into forms it accepts, without moving any
 * character: removed text becomes spaces, so the parser's error positions (and the spans that name
 * unaliased expressions) still point into the statement as written. `tokens` carry offsets relative
 * to `text`.
 */
export function preprocess(text: string, tokens: Token[], dialect: Dialect): string {
  const chars = text.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  repairEmptyLists(text, chars, tokens, blank);
  rewriteTypedEmptyArrays(chars, tokens, blank);
  if (dialect === 'bigquery') rewriteShifts(chars, tokens);
  if (dialect === 'transactsql') rewriteCompoundAssignments(tokens, blank);
  if (tokens[0]?.type === 'word' && tokens[0].text.toUpperCase() === 'INSERT') unwrapInsertQuery(tokens, blank);
  if (dialect === 'hive' || dialect === 'flinksql') blankStringEscapes(text, tokens, blank);
  blankCrossJoinWithOn(tokens, blank);
  return chars.join('');
}

/**
 * dbt macros that introspect the warehouse render nothing when the model is parsed without it
 * (`execute = false`), leaving `select , a`, `a, from`, `select from` or `, as id`. Repair those
 * without moving text: stray commas become spaces, an empty select list becomes `*` (such macros
 * list the relation's columns) and an empty aliased expression becomes `null`.
 */
function repairEmptyLists(text: string, chars: string[], tokens: Token[], blank: (from: number, to: number) => void): void {
  const isWord = (t: Token | undefined, ...w: string[]): boolean => !!t && t.type === 'word' && w.includes(t.text.toUpperCase());
  const isComma = (t: Token | undefined): boolean => !!t && t.type === 'punct' && t.text === ',';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (isWord(next, 'AS') && (isComma(t) || isWord(t, 'SELECT', 'DISTINCT'))) {
      writeInGap(text, chars, t.end, next?.offset ?? t.end, 'null');
    } else if (t.type === 'punct' && t.text === '(' && isComma(next)) {
      writeInGap(text, chars, t.end, next?.offset ?? t.end, 'null');
    } else if (isWord(t, 'SELECT', 'DISTINCT')) {
      if (isComma(next)) blank(next?.offset ?? 0, next?.end ?? 0);
      else if (isWord(t, 'SELECT') && isWord(next, 'FROM')) writeInGap(text, chars, t.end, next?.offset ?? t.end, '*');
    } else if (isComma(t) && (isWord(next, 'FROM') || isComma(next) || (next?.type === 'punct' && next.text === ')'))) {
      blank(t.offset, t.end);
    }
  }
}

/** Writes `value` into whitespace between two offsets, on one line, when there is room. */
function writeInGap(text: string, chars: string[], from: number, to: number, value: string): void {
  for (let i = from; i + value.length < to; i++) {
    const slice = text.slice(i, i + value.length + 2);
    if (/^[ \t]+$/.test(slice.slice(0, value.length + 1))) {
      for (let k = 0; k < value.length; k++) chars[i + 1 + k] = value[k] as string;
      return;
    }
  }
}

/**
 * BigQuery typed array literals `ARRAY<STRUCT<a INT64>>[…]`: sqlparser-rs reads the closing `>>`
 * as a shift. The type says nothing about lineage, so it becomes blank and the literal stays.
 */
function rewriteTypedEmptyArrays(chars: string[], tokens: Token[], blank: (from: number, to: number) => void): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'word' || t.text.toUpperCase() !== 'ARRAY' || !isPunct(tokens[i + 1], '<')) continue;
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      if (isPunct(tokens[j], '<')) depth++;
      else if (isPunct(tokens[j], '>') && --depth === 0) {
        const next = tokens[j + 1];
        if (isPunct(next, '[') && next?.offset === (tokens[j] as Token).end) blank(t.offset, (tokens[j] as Token).end);
        i = j;
        break;
      }
    }
  }
  void chars;
}

/** BigQuery `a << 2` / `a >> 2` (bit shifts its sqlparser-rs dialect lacks) → `a |  2`: same inputs. */
function rewriteShifts(chars: string[], tokens: Token[]): void {
  const generic = typeParameterTokens(tokens);
  for (let i = 1; i + 2 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1] as Token;
    const shift = (isPunct(t, '<') && isPunct(next, '<')) || (isPunct(t, '>') && isPunct(next, '>'));
    if (!shift || generic.has(i) || generic.has(i + 1) || next.offset !== t.end || isPunct(tokens[i + 2], '=')) continue;
    const prev = tokens[i - 1] as Token;
    if (!(prev.type === 'word' || prev.type === 'number' || prev.type === 'quoted' || isPunct(prev, ')'))) continue;
    chars[t.offset] = '|';
    chars[next.offset] = ' ';
    i++;
  }
}

/** Indexes of the `<` and `>` tokens of type parameters (`ARRAY<…>`, `STRUCT<…>`, `RANGE<…>`). */
function typeParameterTokens(tokens: Token[]): Set<number> {
  const out = new Set<number>();
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isPunct(t, '<') && (depth > 0 || /^(ARRAY|STRUCT|RANGE)$/i.test(tokens[i - 1]?.text ?? ''))) {
      depth++;
      out.add(i);
    } else if (depth > 0 && isPunct(t, '>')) {
      depth--;
      out.add(i);
    }
  }
  return out;
}

/** T-SQL `SET a += x` → `SET a = x`: the new value reads the same columns. */
function rewriteCompoundAssignments(tokens: Token[], blank: (from: number, to: number) => void): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1] as Token;
    if (t.type === 'punct' && ['+', '-', '*', '/', '|', '&', '%'].includes(t.text) && isPunct(next, '=') && next.offset === t.end) blank(t.offset, t.end);
  }
}

/** `INSERT INTO t (a, b) ((WITH … SELECT …))`: drop the parentheses around the whole query, which the parser rejects. */
function unwrapInsertQuery(tokens: Token[], blank: (from: number, to: number) => void): void {
  // Only right after the target (`INSERT [INTO|OVERWRITE] [TABLE] name [(cols)]`), never inside VALUES or a query.
  let i = 1;
  while (i < tokens.length && !isPunct(tokens[i], '(')) {
    const t = tokens[i] as Token;
    if (!(t.type === 'quoted' || isPunct(t, '.') || (t.type === 'word' && !['SELECT', 'WITH', 'VALUES', 'VALUE', 'SET', 'DEFAULT'].includes(t.text.toUpperCase())))) return;
    i++;
  }
  // Skip the column list when the first parenthesis holds names rather than a query.
  const afterOpen = tokens[i + 1];
  if (afterOpen && !isPunct(afterOpen, '(') && !['SELECT', 'WITH'].includes(afterOpen.text.toUpperCase())) {
    const close = matchingParen(tokens, i);
    if (close === undefined) return;
    i = close + 1;
  }
  let last = tokens.length - 1;
  for (;;) {
    const open = tokens[i];
    if (!isPunct(open, '(')) return;
    const close = matchingParen(tokens, i);
    if (close === undefined || close !== last) return;
    blank((open as Token).offset, (open as Token).end);
    blank((tokens[close] as Token).offset, (tokens[close] as Token).end);
    last = close - 1;
    i++;
  }
}

function matchingParen(tokens: Token[], open: number): number | undefined {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isPunct(tokens[j], '(')) depth++;
    else if (isPunct(tokens[j], ')') && --depth === 0) return j;
  }
  return undefined;
}

/**
 * Hive/Spark strings escape with backslashes (`'\\[x\\]'`), which sqlparser-rs's tokenizer reads
 * differently; string contents never matter for lineage, so each escape pair becomes two spaces.
 */
function blankStringEscapes(text: string, tokens: Token[], blank: (from: number, to: number) => void): void {
  for (const t of tokens) {
    if (t.type !== 'string') continue;
    for (let i = t.offset + 1; i < t.end - 1; i++) {
      if (text[i] === '\\') {
        blank(i, Math.min(i + 2, t.end - 1));
        i++;
      }
    }
  }
}

/** `a CROSS JOIN b ON …` (accepted by several engines, rejected by sqlparser-rs) is an inner join: `a JOIN b ON …`. */
function blankCrossJoinWithOn(tokens: Token[], blank: (from: number, to: number) => void): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'word' || t.text.toUpperCase() !== 'CROSS' || (tokens[i + 1] as Token).text.toUpperCase() !== 'JOIN') continue;
    let depth = 0;
    for (let j = i + 2; j < tokens.length; j++) {
      const u = tokens[j] as Token;
      if (isPunct(u, '(')) depth++;
      else if (isPunct(u, ')')) {
        if (--depth < 0) break;
      } else if (depth === 0 && u.type === 'word') {
        const w = u.text.toUpperCase();
        if (w === 'ON') blank(t.offset, t.end);
        if (['ON', 'JOIN', 'WHERE', 'GROUP', 'ORDER', 'UNION', 'LIMIT', 'HAVING', 'QUALIFY', 'WINDOW', 'USING'].includes(w)) break;
      } else if (depth === 0 && (isPunct(u, ',') || isPunct(u, ';'))) break;
    }
  }
}

function isPunct(t: Token | undefined, p: string): boolean {
  return !!t && t.type === 'punct' && t.text === p;
}
