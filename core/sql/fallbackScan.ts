import type { Dialect, RelationName, StatementKind } from '../pipeline/contracts';
import { relationFromParts } from './astNames';
import type { Token } from './lexer';
import { addUnique } from './irReads';

/** Table-level facts recovered from a statement the parsers rejected. */
export interface ScanResult {
  kind: StatementKind;
  target?: RelationName;
  reads: RelationName[];
}

const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  !!t && t.type === 'word' && words.includes(t.text.toUpperCase());
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.type === 'punct' && t.text === p;

/**
 * A tolerant scan over tokens: relations after FROM/JOIN/USING are reads, the relation after
 * INSERT INTO / CREATE TABLE|VIEW / UPDATE / MERGE INTO / DELETE FROM is the target, and names
 * defined as CTEs (`name AS (`) are not reads.
 */
export function fallbackScan(tokens: Token[], dialect: Dialect = 'postgresql'): ScanResult {
  const reads: RelationName[] = [];
  const ctes = new Set<string>();
  let target: RelationName | undefined;
  let kind: StatementKind = 'other';
  const relationalContext = relationalTokens(tokens);
  const first = tokens[0]?.text.toUpperCase() ?? '';
  if (first === 'SELECT' || first === 'WITH' || first === '(') kind = 'select';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    if (tok.type === 'word' || tok.type === 'quoted') {
      // `name AS (` and `name (a, b) AS (` define CTEs.
      const next = tokens[i + 1];
      if (isWord(next, 'AS') && isPunct(tokens[i + 2], '(') && (isWord(tokens[i - 1], 'WITH', 'RECURSIVE') || isPunct(tokens[i - 1], ','))) {
        ctes.add(tok.text.toLowerCase());
      }
    }
    if (tok.type !== 'word') continue;
    const u = tok.text.toUpperCase();
    let targetAt = -1;
    if (u === 'INSERT' || u === 'MERGE' || u === 'UPSERT') {
      kind = u === 'MERGE' ? 'merge' : 'insert';
      targetAt = skip(tokens, i + 1, ['INTO', 'OVERWRITE', 'TABLE', 'IGNORE']);
    } else if (u === 'CREATE' && target === undefined) {
      let j = skip(tokens, i + 1, ['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'TRANSIENT', 'VOLATILE', 'GLOBAL', 'LOCAL', 'EXTERNAL', 'MATERIALIZED', 'SECURE', 'UNLOGGED', 'RECURSIVE']);
      const objectKind = tokens[j]?.text.toUpperCase();
      if (objectKind === 'TABLE' || objectKind === 'VIEW') {
        kind = objectKind === 'TABLE' ? 'create_table' : 'create_view';
        j = skip(tokens, j + 1, ['IF', 'NOT', 'EXISTS']);
        targetAt = j;
      }
    } else if (u === 'COPY' && i === 0) {
      // COPY [INTO] t FROM <file or stage>: loads t from outside SQL.
      kind = 'insert';
      targetAt = skip(tokens, i + 1, ['INTO']);
      if (isPunct(tokens[targetAt], '@') || tokens[targetAt]?.type === 'string') targetAt = -1;
    } else if (u === 'UPDATE' && i === 0) {
      kind = 'update';
      targetAt = i + 1;
    } else if (u === 'DELETE') {
      kind = 'delete';
      targetAt = skip(tokens, i + 1, ['FROM']);
    } else if ((u === 'FROM' || u === 'JOIN' || u === 'USING' || u === 'CLONE' || u === 'LIKE') && (!isPunct(tokens[i + 1], '(') || (u !== 'USING' && tokens[i + 2]?.type !== 'punct' && !isWord(tokens[i + 2], 'SELECT', 'WITH', 'VALUES')))) {
      if (u === 'FROM' && isWord(tokens[i - 1], 'DELETE')) continue;
      if (u === 'FROM' && isWord(tokens[0], 'COPY')) continue;
      // `a IS [NOT] DISTINCT FROM b` compares values.
      if (u === 'FROM' && isWord(tokens[i - 1], 'DISTINCT') && isWord(tokens[i - 2], 'IS', 'NOT')) continue;
      // FROM inside a call (`EXTRACT(DOW FROM d)`, `SUBSTRING(s FROM 2)`, `TRIM(x FROM y)`) is no FROM clause.
      if (!relationalContext[i]) continue;
      // USING names a relation only in MERGE/DELETE (elsewhere: `USING JAR`, join columns); CLONE/LIKE only in CREATE.
      if (u === 'USING' && kind !== 'merge' && kind !== 'delete') continue;
      if ((u === 'CLONE' || u === 'LIKE') && kind !== 'create_table') continue;
      // `FROM a, b` lists several relations.
      const listed = new Set<string>();
      // `FROM (a JOIN b …)`: the parenthesised join's first relation.
      let j = isPunct(tokens[i + 1], '(') ? i + 2 : i + 1;
      for (;;) {
        const name = readName(tokens, j);
        if (!name) break;
        const rel = relationFromParts(name.parts);
        // `EXTERNAL_QUERY(…)`, `UNNEST(…)`, `generate_series(…)`: table functions, not relations.
        const call = isPunct(tokens[name.end], '(') && !(dialect === 'transactsql' && isWord(tokens[name.end + 1], ...TABLE_HINTS));
        // BigQuery/Redshift `FROM t, t.keywords`: the column `keywords` of `t`, unnested.
        const unnest = IMPLICIT_UNNEST.has(dialect) && name.parts.length >= 2 && listed.has((name.parts[0] as string).toLowerCase());
        const isCte = name.parts.length === 1 && !!rel && ctes.has(rel.name.toLowerCase());
        if (rel && !isCte && !call && !unnest && !isWord(tokens[j], 'SELECT', 'LATERAL', 'UNNEST')) addUnique(reads, rel);
        j = call ? (closingParen(tokens, name.end) ?? name.end) + 1 : name.end;
        if (rel) listed.add(rel.name.toLowerCase());
        if (isWord(tokens[j], 'AS')) j++;
        if (tokens[j]?.type === 'word' && !isKeyword(tokens[j] as Token)) {
          listed.add((tokens[j] as Token).text.toLowerCase());
          j++;
        }
        if (!isPunct(tokens[j], ',')) break;
        j++;
      }
    }
    if (targetAt >= 0 && target === undefined) {
      const name = readName(tokens, targetAt);
      if (name) target = relationFromParts(name.parts);
    }
  }
  // dbt placeholders (`mallard__rel.r0`) always stand for relations, wherever they appear.
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const name = tokens[i + 2];
    if (t.type === 'word' && t.text.toLowerCase() === 'mallard__rel' && isPunct(tokens[i + 1], '.') && name?.type === 'word') {
      const rel: RelationName = { schema: t.text, name: name.text };
      if (!(target && target.schema === rel.schema && target.name === rel.name)) addUnique(reads, rel);
      if (kind === 'other') kind = 'select';
    }
  }
  // Statements that write nothing we model (CACHE TABLE, CREATE FUNCTION …) report no reads either.
  const result: ScanResult = { kind, reads: kind === 'other' ? [] : reads };
  if (target) result.target = target;
  return result;
}

/** Dialects where `FROM t, t.arr` unnests the column `arr` of `t`. */
const IMPLICIT_UNNEST = new Set<Dialect>(['bigquery', 'redshift']);

/** T-SQL table hints written without WITH (`t (NOLOCK)`): a table, not a call. */
const TABLE_HINTS = ['NOLOCK', 'READUNCOMMITTED', 'UPDLOCK', 'HOLDLOCK', 'ROWLOCK', 'TABLOCK', 'TABLOCKX', 'PAGLOCK', 'NOWAIT', 'READPAST', 'XLOCK', 'INDEX'];

/**
 * For each token, whether a FROM/JOIN there can start a FROM clause: outside parentheses, or inside
 * a subquery `(SELECT …)` / `(WITH …)` or a parenthesised join `FROM (a JOIN b …)`, never inside a
 * call's arguments.
 */
function relationalTokens(tokens: Token[]): boolean[] {
  const out: boolean[] = [];
  const stack: boolean[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    out.push(stack.length === 0 || stack[stack.length - 1] === true);
    if (isPunct(t, '(')) {
      const next = tokens[i + 1];
      const prev = tokens[i - 1];
      // A call's argument list follows its name; a subquery, a join group or an expression group does not.
      const call = prev?.type === 'word' && !isWord(prev, ...NOT_CALLS);
      stack.push(isWord(next, 'SELECT', 'WITH') || !call);
    } else if (isPunct(t, ')')) stack.pop();
  }
  return out;
}

/** Words a `(` may follow without being a call's argument list. */
const NOT_CALLS = ['FROM', 'JOIN', 'AS', 'IN', 'EXISTS', 'ANY', 'ALL', 'SOME', 'LATERAL', 'UNION', 'INTERSECT', 'EXCEPT', 'MINUS', 'AND', 'OR', 'NOT', 'ON', 'WHERE', 'HAVING', 'SELECT', 'WHEN', 'THEN', 'ELSE', 'VALUES', 'RETURN', 'USING', 'INTO', 'TABLE', 'VIEW', 'WITH'];

function closingParen(tokens: Token[], open: number): number | undefined {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isPunct(tokens[j], '(')) depth++;
    else if (isPunct(tokens[j], ')') && --depth === 0) return j;
  }
  return undefined;
}

function skip(tokens: Token[], i: number, words: string[]): number {
  let j = i;
  while (isWord(tokens[j], ...words)) j++;
  return j;
}

const KEYWORDS = new Set(['WHERE', 'ON', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'FULL', 'CROSS', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'UNION', 'SELECT', 'SET', 'USING', 'WHEN', 'QUALIFY', 'WINDOW', 'NATURAL', 'LATERAL', 'INTERSECT', 'EXCEPT', 'VALUES', 'FROM', 'AS', 'WITH']);
function isKeyword(t: Token): boolean {
  return KEYWORDS.has(t.text.toUpperCase());
}

/** Reads a dotted name `a.b.c` starting at token i. */
function readName(tokens: Token[], i: number): { parts: string[]; end: number } | undefined {
  const first = tokens[i];
  if (!first || (first.type !== 'word' && first.type !== 'quoted') || (first.type === 'word' && isKeyword(first))) return undefined;
  const parts = [first.text];
  let j = i + 1;
  while (isPunct(tokens[j], '.') && (tokens[j + 1]?.type === 'word' || tokens[j + 1]?.type === 'quoted')) {
    parts.push((tokens[j + 1] as Token).text);
    j += 2;
  }
  // BigQuery writes `project.dataset.table` as one quoted name.
  const flat = parts.flatMap((p) => p.split('.')).filter((p) => p.length > 0);
  return { parts: flat, end: j };
}
