import type { Dialect } from '../pipeline/contracts';
import type { Token } from './lexer';

/** A star modifier removed from the text before parsing, keyed by the star's ordinal among select-list stars. */
export interface StarModifier {
  ordinal: number;
  except?: string[];
  replace?: string[];
}

/** Result of pre-processing one statement. */
export interface Preprocessed {
  text: string;
  starModifiers: StarModifier[];
}

/**
 * Rewrites constructs node-sql-parser rejects into forms it accepts, without moving any
 * character: removed text becomes spaces, so parser error positions still point into the
 * original statement. Handles SAFE_CAST/TRY_CAST, GROUP BY ALL, `* EXCEPT/EXCLUDE/REPLACE (…)`,
 * IGNORE/RESPECT NULLS and Snowflake `col:path` semi-structured access.
 * `tokens` carry offsets relative to `text`.
 */
export function preprocess(text: string, tokens: Token[], dialect: Dialect): Preprocessed {
  const chars = text.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  const upper = (i: number): string => {
    const t = tokens[i];
    return t && t.type === 'word' ? t.text.toUpperCase() : '';
  };
  const punct = (i: number, p: string): boolean => tokens[i]?.type === 'punct' && tokens[i]?.text === p;
  const starModifiers: StarModifier[] = [];
  repairEmptyLists(text, chars, tokens, blank);
  let starOrdinal = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const u = upper(i);
    if ((u === 'SAFE_CAST' || (u === 'TRY_CAST' && dialect !== 'snowflake')) && punct(i + 1, '(')) {
      blank(tok.offset, tok.end - 4);
    } else if (u === 'GROUP' && upper(i + 1) === 'BY' && upper(i + 2) === 'ALL') {
      blank(tok.offset, (tokens[i + 2] as Token).end);
    } else if (u === 'WITHIN' && upper(i + 1) === 'GROUP' && punct(i + 2, '(') && !['mysql', 'mariadb'].includes(dialect)) {
      // LISTAGG(x, ',') WITHIN GROUP (ORDER BY y): only ordering, which lineage does not need.
      const close = matchingParen(tokens, i + 2);
      if (close !== undefined) blank(tok.offset, (tokens[close] as Token).end);
    } else if (u in TYPE_STANDINS && (punct(i - 1, ':') || upper(i - 1) === 'AS') && (tokens[i - 1]?.end ?? 0) <= tok.offset) {
      // Types some grammars lack (Snowflake VARIANT/OBJECT/ARRAY, TIMESTAMP_LTZ) → a known type of no greater length.
      if (punct(i - 1, ':') || isInsideCast(tokens, i)) writeOver(chars, tok.offset, tok.end, TYPE_STANDINS[u] as string);
    } else if (['TRANSIENT', 'SECURE', 'VOLATILE', 'MULTISET', 'UNLOGGED', 'MATERIALIZED'].includes(u) && ['CREATE', 'REPLACE', 'OR', 'TEMPORARY', 'TEMP', 'GLOBAL', 'LOCAL', 'SECURE'].includes(upper(i - 1))) {
      blank(tok.offset, tok.end);
    } else if (u === 'OVERWRITE' && upper(i - 1) === 'INSERT' && !['TABLE', 'DIRECTORY', 'LOCAL'].includes(upper(i + 1))) {
      // Spark `INSERT OVERWRITE t SELECT …` writes t like INSERT INTO.
      writeOver(chars, tok.offset, tok.end, 'INTO');
    } else if ((u === 'SAMPLE' || u === 'TABLESAMPLE') && (punct(i + 1, '(') || punct(i + 2, '('))) {
      // Row sampling and time travel (`AT (…)`, `BEFORE (…)` after a table) keep the same columns.
      const open = punct(i + 1, '(') ? i + 1 : i + 2;
      const close = matchingParen(tokens, open);
      if (close !== undefined) blank(tok.offset, (tokens[close] as Token).end);
    } else if ((u === 'AT' || u === 'BEFORE') && punct(i + 1, '(') && ['TIMESTAMP', 'OFFSET', 'STATEMENT', 'STREAM'].includes(upper(i + 2))) {
      const close = matchingParen(tokens, i + 1);
      if (close !== undefined) blank(tok.offset, (tokens[close] as Token).end);
    } else if ((u === 'SEMI' || u === 'ANTI') && upper(i - 1) === 'LEFT' && upper(i + 1) === 'JOIN') {
      // Hive/Spark LEFT SEMI / ANTI JOIN read the same columns as a LEFT JOIN.
      blank(tok.offset, tok.end);
    } else if (u === 'WITH' && upper(i + 1) === 'ORDINALITY') {
      blank(tok.offset, (tokens[i + 1] as Token).end);
    } else if (tok.type === 'punct' && ['+', '-', '*', '/', '|'].includes(tok.text) && punct(i + 1, '=') && tokens[i + 1]?.offset === tok.end && dialect === 'transactsql') {
      // T-SQL compound assignment `SET a += x` → `SET a = x`.
      blank(tok.offset, tok.end);
    } else if (u === 'INSERT' && i === 0) {
      unwrapInsertQuery(tokens, blank);
    } else if ((u === 'IGNORE' || u === 'RESPECT') && upper(i + 1) === 'NULLS') {
      blank(tok.offset, (tokens[i + 1] as Token).end);
    } else if (tok.type === 'punct' && tok.text === '*' && isSelectListStar(tokens, i)) {
      const mod: StarModifier = { ordinal: starOrdinal++ };
      let j = i + 1;
      while (['EXCEPT', 'EXCLUDE', 'REPLACE'].includes(upper(j))) {
        const which = upper(j);
        // `SELECT * EXCEPT SELECT …` is a set operation, not a modifier.
        if (which === 'EXCEPT' && !punct(j + 1, '(')) break;
        const { names, end } = readModifierList(tokens, j + 1, which === 'REPLACE');
        if (which === 'REPLACE') mod.replace = [...(mod.replace ?? []), ...names];
        else mod.except = [...(mod.except ?? []), ...names];
        blank((tokens[j] as Token).offset, (tokens[end - 1] as Token).end);
        j = end;
      }
      if (mod.except || mod.replace) starModifiers.push(mod);
    } else if (dialect === 'snowflake' && tok.type === 'punct' && tok.text === ':' && isPathColon(tokens, i)) {
      // `payload:customer.id[0]::string` → `payload` `::string`: the path becomes a transformation of the column.
      let j = i + 1;
      while (j < tokens.length) {
        const t = tokens[j] as Token;
        const prev = tokens[j - 1] as Token;
        if (t.offset !== prev.end) break;
        if (t.type === 'punct' && t.text === ':' && punct(j + 1, ':')) break;
        if (t.type === 'punct' && !['.', '[', ']', ':'].includes(t.text)) break;
        j++;
      }
      blank(tok.offset, (tokens[j - 1] as Token).end);
      i = j - 1;
    }
  }
  return { text: chars.join(''), starModifiers };
}

/** A `*` that is a select-list item (not multiplication, not `count(*)`). */
export function isSelectListStar(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  if (!prev) return false;
  if (prev.type === 'punct') {
    if (prev.text === ',') return true;
    if (prev.text === '.') return true;
    return false;
  }
  return prev.type === 'word' && ['SELECT', 'DISTINCT', 'ALL'].includes(prev.text.toUpperCase());
}

function isPathColon(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  const cur = tokens[i] as Token;
  if (!prev || !next) return false;
  if (next.type === 'punct' && next.text === ':') return false;
  if (prev.type === 'punct' && prev.text === ':') return false;
  // A path colon is glued to the column (`col:field`); a bind parameter follows whitespace or an operator.
  const gluedLeft = prev.end === cur.offset && (prev.type === 'word' || prev.type === 'quoted' || prev.text === ']' || prev.text === ')');
  return gluedLeft && (next.type === 'word' || next.type === 'quoted' || next.type === 'string');
}

/** Reads `( a, b )` or a bare name; for REPLACE reads `(expr AS name, …)` and returns the names. */
function readModifierList(tokens: Token[], start: number, isReplace: boolean): { names: string[]; end: number } {
  const first = tokens[start];
  if (!first) return { names: [], end: start };
  if (!(first.type === 'punct' && first.text === '(')) {
    return first.type === 'word' || first.type === 'quoted' ? { names: [first.text], end: start + 1 } : { names: [], end: start };
  }
  const names: string[] = [];
  let depth = 0;
  let lastName: string | undefined;
  let j = start;
  for (; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.type === 'punct' && t.text === '(') depth++;
    else if (t.type === 'punct' && t.text === ')') {
      depth--;
      if (depth === 0) {
        if (lastName) names.push(lastName);
        return { names, end: j + 1 };
      }
    } else if (depth === 1 && t.type === 'punct' && t.text === ',') {
      if (lastName) names.push(lastName);
      lastName = undefined;
    } else if (depth === 1 && (t.type === 'word' || t.type === 'quoted')) {
      // EXCEPT lists hold names; REPLACE items end with `AS name`, so the last name wins either way.
      if (!isReplace || t.text.toUpperCase() !== 'AS') lastName = t.text;
    }
  }
  return { names, end: j };
}

function matchingParen(tokens: Token[], open: number): number | undefined {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.type === 'punct' && t.text === '(') depth++;
    else if (t.type === 'punct' && t.text === ')' && --depth === 0) return j;
  }
  return undefined;
}

/** `INSERT INTO t (a, b) ((SELECT … UNION SELECT …))`: drop the parentheses around the whole query, which the grammars reject. */
function unwrapInsertQuery(tokens: Token[], blank: (from: number, to: number) => void): void {
  let i = 1;
  while (i < tokens.length && !(tokens[i]?.type === 'punct' && tokens[i]?.text === '(')) i++;
  // Skip the column list when the first parenthesis holds names rather than a query.
  const afterOpen = tokens[i + 1];
  if (afterOpen && !(afterOpen.type === 'punct' && afterOpen.text === '(') && !['SELECT', 'WITH'].includes(afterOpen.text.toUpperCase())) {
    const close = matchingParen(tokens, i);
    if (close === undefined) return;
    i = close + 1;
  }
  for (;;) {
    const open = tokens[i];
    if (!open || open.type !== 'punct' || open.text !== '(') return;
    const close = matchingParen(tokens, i);
    if (close === undefined || close !== lastIndex(tokens)) return;
    blank(open.offset, open.end);
    blank((tokens[close] as Token).offset, (tokens[close] as Token).end);
    tokens = tokens.slice(0, close);
    i++;
  }
}

function lastIndex(tokens: Token[]): number {
  return tokens.length - 1;
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

const TYPE_STANDINS: Record<string, string> = { VARIANT: 'text', OBJECT: 'text', ARRAY: 'text', TIMESTAMP_LTZ: 'timestamp', STRING: 'text' };

function writeOver(chars: string[], from: number, to: number, value: string): void {
  for (let i = from; i < to; i++) chars[i] = value[i - from] ?? ' ';
}

/** True when token i (after AS) is the type of a CAST/TRY_CAST( … AS type ). */
function isInsideCast(tokens: Token[], i: number): boolean {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as Token;
    if (t.type === 'punct' && t.text === ')') depth++;
    else if (t.type === 'punct' && t.text === '(') {
      if (depth === 0) return ['CAST', 'TRY_CAST', 'SAFE_CAST'].includes((tokens[j - 1]?.text ?? '').toUpperCase());
      depth--;
    }
  }
  return false;
}
