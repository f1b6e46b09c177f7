import type { Token } from './lexer';

/**
 * Statements node-sql-parser has no grammar for (MERGE, DELETE … USING) are rewritten into an
 * equivalent SELECT whose FROM holds the target (first) and the sources, and whose outputs are
 * the written columns; the caller parses that SELECT and relabels it.
 */
export interface SyntheticStatement {
  kind: 'merge' | 'delete' | 'create_table';
  sql: string;
}

const upper = (t: Token | undefined): string => (t && t.type === 'word' ? t.text.toUpperCase() : '');
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.type === 'punct' && t.text === p;

/** Returns the SELECT rewrite of a MERGE or DELETE … USING statement, or undefined for other statements. */
export function synthesize(text: string, tokens: Token[]): SyntheticStatement | undefined {
  const first = upper(tokens[0]);
  if (first === 'MERGE') return synthesizeMerge(text, tokens);
  if (first === 'DELETE') return synthesizeDeleteUsing(text, tokens);
  if (first === 'CREATE') return synthesizeClone(text, tokens);
  return undefined;
}

/** Index of the first top-level token at or after `from` satisfying `pred`, or tokens.length. */
function findTop(tokens: Token[], from: number, pred: (t: Token) => boolean): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (depth === 0 && pred(t)) return i;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
  }
  return tokens.length;
}

const slice = (text: string, tokens: Token[], from: number, to: number): string => {
  const a = tokens[from];
  const b = tokens[to - 1];
  return a && b && to > from ? text.slice(a.offset, b.end) : '';
};

function synthesizeMerge(text: string, tokens: Token[]): SyntheticStatement | undefined {
  let i = 1;
  if (upper(tokens[i]) === 'INTO') i++;
  const usingAt = findTop(tokens, i, (t) => upper(t) === 'USING');
  const onAt = findTop(tokens, usingAt + 1, (t) => upper(t) === 'ON');
  const whenAt = findTop(tokens, onAt + 1, (t) => upper(t) === 'WHEN');
  if (usingAt >= tokens.length || onAt >= tokens.length) return undefined;
  const targetText = slice(text, tokens, i, usingAt);
  const sourceText = slice(text, tokens, usingAt + 1, onAt);
  const onText = slice(text, tokens, onAt + 1, whenAt);
  const outputs: string[] = [];
  let w = whenAt;
  while (w < tokens.length) {
    const next = findTop(tokens, w + 1, (t) => upper(t) === 'WHEN');
    const thenAt = findTop(tokens, w + 1, (t) => upper(t) === 'THEN');
    const action = upper(tokens[thenAt + 1]);
    if (action === 'UPDATE' && upper(tokens[thenAt + 2]) === 'SET') {
      outputs.push(...setItems(text, tokens, thenAt + 3, next));
    } else if (action === 'INSERT' && isPunct(tokens[thenAt + 2], '(')) {
      outputs.push(...insertItems(text, tokens, thenAt + 2, next));
    }
    w = next;
  }
  if (outputs.length === 0) outputs.push('1 AS mallard__none');
  return { kind: 'merge', sql: `SELECT ${outputs.join(', ')} FROM ${targetText} JOIN ${sourceText} ON ${onText || '1 = 1'}` };
}

/** `a = expr, t.b = expr` → `expr AS a`, `expr AS b`. */
function setItems(text: string, tokens: Token[], from: number, to: number): string[] {
  const items: string[] = [];
  let start = from;
  while (start < to) {
    const comma = Math.min(findTop(tokens, start, (t) => isPunct(t, ',')), to);
    const eq = findTop(tokens, start, (t) => isPunct(t, '='));
    if (eq < comma) {
      const column = tokens[eq - 1];
      const value = slice(text, tokens, eq + 1, comma);
      if (column && value) items.push(`${value} AS ${quoteName(column)}`);
    }
    start = comma + 1;
  }
  return items;
}

/** `(a, b) VALUES (x, y)` → `x AS a`, `y AS b`. */
function insertItems(text: string, tokens: Token[], open: number, to: number): string[] {
  const close = findTop(tokens, open + 1, (t) => isPunct(t, ')'));
  const columns = tokens.slice(open + 1, close).filter((t) => t.type === 'word' || t.type === 'quoted');
  if (upper(tokens[close + 1]) !== 'VALUES' || !isPunct(tokens[close + 2], '(')) return [];
  const valuesEnd = findTop(tokens, close + 3, (t) => isPunct(t, ')'));
  const values: string[] = [];
  let start = close + 3;
  while (start < Math.min(valuesEnd, to)) {
    const comma = Math.min(findTop(tokens, start, (t) => isPunct(t, ',')), valuesEnd);
    values.push(slice(text, tokens, start, comma));
    start = comma + 1;
  }
  return columns.flatMap((c, k) => (values[k] ? [`${values[k]} AS ${quoteName(c)}`] : []));
}

function quoteName(t: Token): string {
  return t.type === 'quoted' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text) ? `"${t.text.replace(/"/g, '""')}"` : t.text;
}

function synthesizeDeleteUsing(text: string, tokens: Token[]): SyntheticStatement | undefined {
  if (upper(tokens[1]) !== 'FROM') return undefined;
  const usingAt = findTop(tokens, 2, (t) => upper(t) === 'USING');
  if (usingAt >= tokens.length) return undefined;
  const whereAt = findTop(tokens, usingAt + 1, (t) => upper(t) === 'WHERE');
  const where = whereAt < tokens.length ? ` WHERE ${slice(text, tokens, whereAt + 1, tokens.length)}` : '';
  return { kind: 'delete', sql: `SELECT 1 FROM ${slice(text, tokens, 2, usingAt)}, ${slice(text, tokens, usingAt + 1, whereAt)}${where}` };
}

/** Snowflake/BigQuery `CREATE TABLE a CLONE b` copies every column of b: `SELECT * FROM b`. */
function synthesizeClone(text: string, tokens: Token[]): SyntheticStatement | undefined {
  const cloneAt = findTop(tokens, 1, (t) => upper(t) === 'CLONE');
  const tableAt = findTop(tokens, 1, (t) => upper(t) === 'TABLE');
  if (cloneAt >= tokens.length || tableAt >= cloneAt) return undefined;
  let nameAt = tableAt + 1;
  while (['IF', 'NOT', 'EXISTS'].includes(upper(tokens[nameAt]))) nameAt++;
  const target = slice(text, tokens, nameAt, cloneAt);
  // The clone source ends at a time-travel clause or the end of the statement.
  const end = findTop(tokens, cloneAt + 1, (t) => ['AT', 'BEFORE'].includes(upper(t)));
  const source = slice(text, tokens, cloneAt + 1, end);
  return target && source ? { kind: 'create_table', sql: `CREATE TABLE ${target} AS SELECT * FROM ${source}` } : undefined;
}
