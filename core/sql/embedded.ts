import type { Token } from './lexer';

/** A statement found inside a procedural block or an unterminated T-SQL batch; token indexes into the outer statement. */
export interface EmbeddedStatement {
  from: number;
  to: number;
  /** The query of `FOR <loopVar> IN (…)`: each row is bound to `loopVar` in the loop's body. */
  loopVar?: string;
  /** Index (in the returned list) of the loop query whose variable this statement's body sees. */
  bodyOf?: number;
}

const STRONG = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const WEAK = new Set(['SELECT', 'WITH', 'CREATE']);
const BLOCK_PREFIX = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP', 'DO', 'REPEAT']);

const word = (t: Token | undefined): string => (t && t.type === 'word' ? t.text.toUpperCase() : '');
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.type === 'punct' && t.text === p;

/**
 * Finds the DML/query statements inside a statement the grammars rejected as a whole: the body of
 * CREATE PROCEDURE … BEGIN … END (BigQuery, Oracle, T-SQL) or T-SQL batches without semicolons.
 * A statement starts at INSERT/UPDATE/DELETE/MERGE at parenthesis depth 0 (except MERGE's own
 * WHEN … THEN actions and ON DELETE), or at SELECT/WITH/CREATE right after `;`, BEGIN, THEN, ELSE,
 * LOOP or DO; it ends at the next `;`, the next start, or a block END.
 */
export function findEmbeddedStatements(tokens: Token[]): EmbeddedStatement[] {
  const starts: number[] = [];
  let depth = 0;
  let caseDepth = 0;
  let inMerge = false;
  const ends = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth = Math.max(0, depth - 1);
    if (depth > 0) continue;
    const u = word(t);
    const prev = tokens[i - 1];
    const prevWord = word(prev);
    if (isPunct(t, ';')) {
      ends.add(i);
      inMerge = false;
      continue;
    }
    if (u === 'CASE') caseDepth++;
    if (u === 'END') {
      if (caseDepth > 0) caseDepth--;
      else ends.add(i);
      continue;
    }
    const afterBlock = i === 0 || isPunct(prev, ';') || BLOCK_PREFIX.has(prevWord);
    const mergeAction = inMerge && prevWord === 'THEN';
    // CREATE starts a statement only for tables and views, not for the enclosing PROCEDURE/FUNCTION.
    if (u === 'CREATE' && !createsRelation(tokens, i)) continue;
    if ((STRONG.has(u) && prevWord !== 'ON' && prevWord !== 'FOR' && !mergeAction) || (WEAK.has(u) && afterBlock && !mergeAction)) {
      starts.push(i);
      inMerge = u === 'MERGE';
      caseDepth = 0;
    }
  }
  // BigQuery `FOR row IN (SELECT …) DO … END FOR`: the loop's query reads tables, its body sees `row`.
  const loops: { name: string; query: number; body: number; end: number }[] = [];
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (word(tokens[i]) !== 'FOR' || tokens[i + 1]?.type !== 'word' || word(tokens[i + 2]) !== 'IN' || !isPunct(tokens[i + 3], '(')) continue;
    if (!['SELECT', 'WITH'].includes(word(tokens[i + 4]))) continue;
    const close = matchingParen(tokens, i + 3);
    if (close === undefined) continue;
    starts.push(i + 4);
    ends.add(close);
    let end = close + 1;
    while (end < tokens.length && !(word(tokens[end]) === 'END' && word(tokens[end + 1]) === 'FOR')) end++;
    loops.push({ name: (tokens[i + 1] as Token).text, query: i + 4, body: close + 1, end });
  }
  starts.sort((a, b) => a - b);
  const out: EmbeddedStatement[] = [];
  starts.forEach((from, k) => {
    const nextStart = starts[k + 1] ?? tokens.length;
    let to = nextStart;
    for (let j = from + 1; j < nextStart; j++) {
      if (ends.has(j)) {
        to = j;
        break;
      }
    }
    if (to > from) out.push({ from, to });
  });
  for (const loop of loops) {
    const query = out.findIndex((p) => p.from === loop.query);
    if (query < 0) continue;
    (out[query] as EmbeddedStatement).loopVar = loop.name;
    for (const part of out) if (part.from >= loop.body && part.from < loop.end) part.bodyOf = query;
  }
  return out;
}

/** Statements that carry no lineage; when the grammars reject them they are skipped without a diagnostic. */
export function isNonLineageCommand(tokens: Token[]): boolean {
  const first = word(tokens[0]);
  // The end of a script block (`END FOR`, `END IF`, `END WHILE`, `END LOOP`) left by the statement split.
  if (first === 'END' && tokens.length <= 2) return true;
  if (['SET', 'SHOW', 'DESC', 'DESCRIBE', 'EXPLAIN', 'USE', 'ADD', 'CACHE', 'UNCACHE', 'REFRESH', 'ANALYZE', 'VACUUM', 'GRANT', 'REVOKE', 'COMMIT', 'ROLLBACK', 'START', 'MSCK', 'OPTIMIZE', 'COMMENT', 'LIST', 'RESET', 'CLEAR', 'PRINT', 'GO'].includes(first)) return true;
  if (first === 'CREATE' || first === 'DROP') {
    const head = tokens.slice(1, 6).map(word);
    const objectAt = head.findIndex((w) => !['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'IF', 'NOT', 'EXISTS'].includes(w));
    return ['FUNCTION', 'MACRO'].includes(head[objectAt] ?? '') || (first === 'DROP' && !['TABLE', 'VIEW'].includes(head[objectAt] ?? ''));
  }
  return false;
}

/**
 * `COPY [INTO] t FROM '<file>'|@stage …` (Azure Synapse, dialects whose parser lacks it): t is
 * loaded from files, so it is written and nothing is read. The target's name parts, or undefined.
 */
export function fileLoadTarget(tokens: Token[]): string[] | undefined {
  if (word(tokens[0]) !== 'COPY') return undefined;
  let i = word(tokens[1]) === 'INTO' ? 2 : 1;
  const parts: string[] = [];
  while (tokens[i]?.type === 'word' || tokens[i]?.type === 'quoted') {
    parts.push((tokens[i] as Token).text);
    if (!isPunct(tokens[i + 1], '.')) break;
    i += 2;
  }
  const from = tokens[i + 1];
  const source = tokens[i + 2];
  if (parts.length === 0 || word(from) !== 'FROM' || !(source?.type === 'string' || isPunct(source, '@'))) return undefined;
  return parts;
}

function matchingParen(tokens: Token[], open: number): number | undefined {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isPunct(tokens[j], '(')) depth++;
    else if (isPunct(tokens[j], ')') && --depth === 0) return j;
  }
  return undefined;
}

function createsRelation(tokens: Token[], i: number): boolean {
  let j = i + 1;
  while (['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'TRANSIENT', 'GLOBAL', 'LOCAL', 'MATERIALIZED', 'SECURE'].includes(word(tokens[j]))) j++;
  return word(tokens[j]) === 'TABLE' || word(tokens[j]) === 'VIEW';
}
