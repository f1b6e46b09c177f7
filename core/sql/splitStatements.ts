import { tokenize, type LexOptions, type Token } from './lexer';

/** One statement of a multi-statement file, with its position in the file. */
export interface StatementSlice {
  /** Statement text (without the terminating semicolon). */
  text: string;
  /** 0-based offset of `text` in the file. */
  offset: number;
  /** Tokens of the statement; offsets are relative to the file. */
  tokens: Token[];
}

/**
 * Splits a SQL file into statements at top-level semicolons (and T-SQL `GO` lines), so that one
 * statement the parser rejects does not lose the others. Semicolons inside strings, comments,
 * dollar-quoted bodies, `BEGIN … END` blocks and BigQuery `FOR … DO … END FOR` / `WHILE … DO …
 * END WHILE` loops do not split.
 */
export function splitStatements(sql: string, lex: LexOptions = {}): StatementSlice[] {
  const tokens = tokenize(sql, lex);
  const slices: StatementSlice[] = [];
  let current: Token[] = [];
  let depth = 0;
  /** Open `FOR … DO` / `WHILE … DO` blocks (BigQuery scripting), closed by `END FOR` / `END WHILE`. */
  let loops = 0;
  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) {
      slices.push({ text: sql.slice(first.offset, last.end), offset: first.offset, tokens: current });
    }
    current = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const upper = tok.type === 'word' ? tok.text.toUpperCase() : '';
    if (tok.type === 'punct' && tok.text === ';' && depth === 0 && loops === 0) {
      flush();
      continue;
    }
    if (upper === 'GO' && lex.bracketIdentifiers && isAloneOnLine(sql, tok)) {
      flush();
      continue;
    }
    // BEGIN … END blocks (procedures, T-SQL batches) keep their inner semicolons; a bare
    // `BEGIN;` / `BEGIN TRANSACTION` is a statement of its own and does not open a block.
    if (upper === 'BEGIN') {
      const next = tokens[i + 1];
      const nextUpper = next?.type === 'word' ? next.text.toUpperCase() : '';
      if (next && !(next.type === 'punct' && next.text === ';') && !['TRANSACTION', 'TRAN', 'WORK'].includes(nextUpper)) depth++;
    } else if (upper === 'CASE' && depth > 0) {
      depth++;
    } else if (upper === 'DO' && depth === 0 && ['FOR', 'WHILE'].includes(current[0]?.type === 'word' ? current[0].text.toUpperCase() : '')) {
      loops++;
    } else if (upper === 'END' && loops > 0 && depth === 0 && ['FOR', 'WHILE'].includes(tokens[i + 1]?.type === 'word' ? (tokens[i + 1] as Token).text.toUpperCase() : '')) {
      loops--;
    } else if (upper === 'END' && depth > 0) {
      // END IF / END LOOP / END WHILE close blocks whose openers were not counted.
      const next = tokens[i + 1];
      const closes = next?.type === 'word' ? next.text.toUpperCase() : '';
      if (!['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR'].includes(closes)) depth--;
    }
    current.push(tok);
  }
  flush();
  return slices;
}

function isAloneOnLine(sql: string, tok: Token): boolean {
  const lineStart = sql.lastIndexOf('\n', tok.offset - 1) + 1;
  const lineEnd = sql.indexOf('\n', tok.end);
  return sql.slice(lineStart, tok.offset).trim() === '' && sql.slice(tok.end, lineEnd < 0 ? undefined : lineEnd).trim() === '';
}
