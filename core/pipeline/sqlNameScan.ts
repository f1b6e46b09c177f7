import { lineIndex, tokenize, type LexOptions, type Token } from '../sql/lexer';
import type { Dialect, ParsedSql } from './contracts';

/**
 * The name facts of a plain SQL file that its parse does not keep, read from the tokens in the
 * per-file step (cached with the parse): where each relation a statement reads is written (so an
 * ambiguous name is reported at its own line and column), the column each statement starts at, and
 * the statements that change the default schema of unqualified names — `USE`, `SET search_path`,
 * `SET SCHEMA`, BigQuery's `SET @@dataset_id` / `@@dataset_project_id`. The parser records those as
 * statements of kind `other` without their operands, hence this scan.
 */

/** Where a name is written: 1-based line and column, and the text as written. */
export interface NamePosition {
  line: number;
  column: number;
  text: string;
}

/** A statement that changes the default database and/or schema of the statements after it. */
export interface ScopeChange {
  /** 1-based line of the statement. */
  line: number;
  database?: string;
  schema?: string;
}

/** What `scanSqlNames` finds in one file. */
export interface SqlNameFacts {
  scopes: ScopeChange[];
  /** Per statement of the parse (same order), per read (same order): where it is written, or null. */
  readAt: (NamePosition | null)[][];
  /** Per statement of the parse: the column of the first token on its line (where it starts). */
  columns: number[];
}

const upper = (t: Token | undefined): string => (t && t.type === 'word' ? t.text.toUpperCase() : '');
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.type === 'punct' && t.text === p;
const isName = (t: Token | undefined): t is Token => !!t && (t.type === 'word' || t.type === 'quoted');

/** The lexer options `parseSql` uses for the dialect. */
function lexOptions(dialect: Dialect): LexOptions {
  return { bracketIdentifiers: dialect === 'transactsql', hashComments: ['mysql', 'mariadb', 'bigquery', 'hive'].includes(dialect) };
}

/** A dotted name starting at token `i`: its parts (a quoted `p.d.t` splits) and the index after it. */
function dottedName(tokens: readonly Token[], i: number): { parts: string[]; next: number } | undefined {
  const first = tokens[i];
  if (!first || (first.type !== 'word' && first.type !== 'quoted' && first.type !== 'string')) return undefined;
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j] as Token;
    parts.push(...(t.type === 'word' ? [t.text] : t.text.split('.')));
    j++;
    if (!isPunct(tokens[j], '.') || !isName(tokens[j + 1])) break;
    j++;
  }
  return { parts: parts.filter((p) => p !== ''), next: j };
}

/** `USE …`: what it sets depends on what the dialect calls a database. */
function useStatement(tokens: readonly Token[], i: number, dialect: Dialect): Omit<ScopeChange, 'line'> | undefined {
  const kw = upper(tokens[i + 1]);
  // Snowflake's `USE ROLE r`, `USE WAREHOUSE w`, `USE SECONDARY ROLES …` (but `USE warehouse;` names a database).
  if (['ROLE', 'WAREHOUSE', 'SECONDARY'].includes(kw) && isName(tokens[i + 2])) return undefined;
  const keyword = ['DATABASE', 'SCHEMA', 'CATALOG'].includes(kw) && isName(tokens[i + 2]) ? kw : '';
  const name = dottedName(tokens, keyword ? i + 2 : i + 1);
  if (!name || name.parts.length === 0) return undefined;
  const [a, b] = name.parts;
  if (name.parts.length >= 2) return { database: a as string, schema: b as string };
  const one = a as string;
  if (keyword === 'CATALOG') return { database: one };
  if (keyword === 'SCHEMA') return { schema: one };
  // Snowflake and T-SQL databases hold schemas; MySQL's and Hive's databases are schemas, and so
  // is Trino's one-part `USE schema`.
  if (dialect === 'snowflake' || dialect === 'transactsql') return { database: one };
  return { schema: one };
}

/** `SET search_path …`, `SET [CURRENT] SCHEMA …`, `SET @@dataset_id = …`. */
function setStatement(tokens: readonly Token[], i: number): Omit<ScopeChange, 'line'> | undefined {
  let j = i + 1;
  const what = upper(tokens[j]);
  let sets: 'schema' | 'database' | undefined;
  if (what === 'SEARCH_PATH' || what === 'SCHEMA' || what === 'CURRENT_SCHEMA' || what === '@@DATASET_ID') sets = 'schema';
  else if (what === '@@DATASET_PROJECT_ID') sets = 'database';
  else if (what === 'CURRENT' && upper(tokens[j + 1]) === 'SCHEMA') {
    sets = 'schema';
    j++;
  }
  if (!sets) return undefined;
  j++;
  if (upper(tokens[j]) === 'TO' || isPunct(tokens[j], '=')) j++;
  // `SET search_path TO "$user", public`: the user's own schema is not a name we can know.
  while (tokens[j] && /^\$user$/i.test(tokens[j]?.text ?? '') && isPunct(tokens[j + 1], ',')) j += 2;
  const value = dottedName(tokens, j);
  const name = value?.parts[value.parts.length - 1];
  if (!name || /^\$user$/i.test(name)) return undefined;
  return sets === 'database' ? { database: name } : { schema: name };
}

/** Scans a plain SQL file's tokens for name positions and scope changes. Never throws. */
export function scanSqlNames(text: string, parsed: ParsedSql, dialect: Dialect): SqlNameFacts {
  const tokens = tokenize(text, lexOptions(dialect));
  const at = lineIndex(text);
  const scopes: ScopeChange[] = [];
  const occurrences = new Map<string, { offset: number; end: number; line: number }[]>();
  const firstOnLine = new Map<number, number>();
  let start = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const pos = at(t.offset);
    if (!firstOnLine.has(pos.line)) firstOnLine.set(pos.line, pos.column);
    if (start) {
      const word = upper(t);
      const change = word === 'USE' ? useStatement(tokens, i, dialect) : word === 'SET' ? setStatement(tokens, i) : undefined;
      if (change) scopes.push({ line: pos.line, ...change });
    }
    start = isPunct(t, ';');
    if (!isName(t) || (i > 0 && isPunct(tokens[i - 1], '.'))) continue;
    const name = dottedName(tokens, i);
    if (!name) continue;
    const key = name.parts.join('.').toLowerCase();
    const last = tokens[name.next - 1] as Token;
    const list = occurrences.get(key) ?? [];
    list.push({ offset: t.offset, end: last.end, line: pos.line });
    occurrences.set(key, list);
  }
  const readAt = parsed.statements.map((s) =>
    s.reads.map((r) => {
      const key = [r.database, r.schema, r.name].filter((p) => p !== undefined && p !== '').join('.').toLowerCase();
      const hit = occurrences.get(key)?.find((o) => o.line >= s.line);
      if (!hit) return null;
      return { ...at(hit.offset), text: text.slice(hit.offset, hit.end) };
    }),
  );
  const columns = parsed.statements.map((s) => firstOnLine.get(s.line) ?? 1);
  return { scopes, readAt, columns };
}
