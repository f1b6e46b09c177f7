import type { Diagnostic } from '../model/entities';
import type { Dialect, ParsedSql, ParsedStatement, ParseSqlFn } from '../pipeline/contracts';
import { asNode, buildQuery, type AstContext, type AstNode } from './astToIr';
import { astify, GRAMMAR_CHAIN } from './dialectParsers';
import { splitCreateAs } from './createAs';
import { findEmbeddedStatements, isNonLineageCommand } from './embedded';
import { fallbackScan } from './fallbackScan';
import type { IrStatement } from './ir';
import { collectReads } from './irReads';
import { lineColumnAt, lineIndex, tokenize, type LexOptions, type Token } from './lexer';
import { preprocess } from './preprocess';
import { splitStatements } from './splitStatements';
import { statementToIr, type StatementFacts } from './statementToIr';
import { synthesize } from './synthetic';

/** Version of the lineage IR produced by `parseSql`; bump when the IR shape changes so caches are invalidated. */
export const IR_VERSION = 2;

const EXTRACTOR = 'sql-parser';

/** After a grammar took this long to reject a statement, the other grammars are not tried. */
const SLOW_FAILURE_MS = 250;

/** A parse failure relative to one statement's text. */
interface StatementError {
  line: number;
  column: number;
  message: string;
  /** True when the parser reported a position. */
  located?: boolean;
  /**
   * True when the text is invalid SQL in every dialect (unbalanced parentheses): an error. Otherwise
   * only our grammars reject it, and they have gaps (72–96 % of real files parse), so it is a warning.
   */
  invalid?: boolean;
}

/** Said of every statement no grammar accepts: what the user loses. */
const NO_LINEAGE = 'no column lineage for this statement';

/**
 * Parses a SQL file (one or more statements) into a schema-free lineage IR per statement.
 * Never throws: a statement the parsers reject yields a diagnostic with its exact position and
 * table-level facts from a tolerant scan (`fallback: true`); the other statements are unaffected.
 */
export const parseSql: ParseSqlFn = (sql, options): ParsedSql => {
  const lex: LexOptions = {
    bracketIdentifiers: options.dialect === 'transactsql',
    hashComments: ['mysql', 'mariadb', 'bigquery', 'hive'].includes(options.dialect),
  };
  const result: ParsedSql = { irVersion: IR_VERSION, statements: [], diagnostics: [], fallback: false };
  const position = lineIndex(sql);
  for (const slice of splitStatements(sql, lex)) {
    const tokens = slice.tokens.map((t) => ({ ...t, offset: t.offset - slice.offset, end: t.end - slice.offset }));
    const outcome = parseStatement(slice.text, tokens, options.dialect);
    if ('error' in outcome && isNonLineageCommand(tokens)) {
      result.statements.push({ kind: 'other', reads: [], line: position(slice.offset).line, ir: {} satisfies IrStatement });
      continue;
    }
    const embedded = 'error' in outcome ? findEmbeddedStatements(tokens) : [];
    if ('error' in outcome && embedded.length > 0 && !(embedded.length === 1 && embedded[0]?.from === 0)) {
      // A procedure body or a T-SQL batch: analyse the statements inside it one by one.
      for (const part of embedded) {
        const partTokens = tokens.slice(part.from, part.to);
        const first = partTokens[0] as Token;
        const last = partTokens[partTokens.length - 1] as Token;
        addStatement(result, position, slice.offset + first.offset, slice.text.slice(first.offset, last.end), partTokens.map((t) => ({ ...t, offset: t.offset - first.offset, end: t.end - first.offset })), options);
      }
      continue;
    }
    addOutcome(result, position, slice.offset, tokens, outcome, options);
  }
  return result;
};

/** Parses one statement at `offset` of the file and records it. */
function addStatement(result: ParsedSql, position: Position, offset: number, text: string, tokens: Token[], options: { dialect: Dialect; file: string }): void {
  addOutcome(result, position, offset, tokens, parseStatement(text, tokens, options.dialect), options);
}

/** Records a statement's facts, or its diagnostic plus the fallback scan. */
function addOutcome(result: ParsedSql, position: Position, offset: number, tokens: Token[], outcome: Outcome, options: { dialect: Dialect; file: string }): void {
  const start = position(offset);
  if (!('error' in outcome)) {
    for (const facts of outcome.facts) result.statements.push({ ...facts, line: start.line });
    return;
  }
  const { error } = outcome;
  const line = start.line + error.line - 1;
  const column = error.line === 1 ? start.column + error.column - 1 : error.column;
  result.diagnostics.push({ file: options.file, line, column, severity: error.invalid ? 'error' : 'warning', code: 'sql-parse', message: error.message, extractor: EXTRACTOR });
  const scan = fallbackScan(tokens);
  const statement: ParsedStatement = { kind: scan.kind, reads: scan.reads, line: start.line, ir: { err: error.message } satisfies IrStatement };
  if (scan.target) statement.target = scan.target;
  result.statements.push(statement);
  result.fallback = true;
}

type Position = ReturnType<typeof lineIndex>;

type Outcome = { facts: StatementFacts[] } | { error: StatementError };

function parseStatement(text: string, tokens: Token[], dialect: Dialect): Outcome {
  try {
    // node-sql-parser's grammars backtrack exponentially inside nested parentheses that never
    // close (seconds at depth 12); unbalanced text is reported at the parenthesis without parsing.
    const unbalanced = unbalancedParenthesis(text, tokens);
    if (unbalanced) return { error: unbalanced };
    const dmlAt = leadingWithDml(tokens);
    if (dmlAt !== undefined) return parseWithDml(text, tokens, dmlAt, dialect);
    const synthetic = synthesize(text, tokens);
    if (synthetic) {
      const pre = preprocess(synthetic.sql, tokenize(synthetic.sql), dialect);
      const parsed = tryGrammars(pre.text, dialect);
      const ast = 'asts' in parsed ? parsed.asts[0] : undefined;
      if (ast) {
        const facts = statementToIr(ast, { text: synthetic.sql, starModifiers: pre.starModifiers, starOrdinal: 0 });
        return { facts: [synthetic.kind === 'create_table' ? facts : relabelSynthetic(facts, synthetic.kind)] };
      }
    }
    const pre = preprocess(text, tokens, dialect);
    const parsed = tryGrammars(pre.text, dialect, text);
    if ('error' in parsed) return retryCreateAs(text, tokens, dialect) ?? parsed;
    const ctx: AstContext = { text, starModifiers: pre.starModifiers, starOrdinal: 0 };
    return { facts: parsed.asts.map((ast) => statementToIr(ast, ctx)) };
  } catch (err) {
    // A bug in IR building must not lose the file: report it like a parse failure.
    return { error: { line: 1, column: 1, message: `Could not analyse statement: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** CREATE … AS <query> with a header no grammar accepts: parse the query alone and label it. */
function retryCreateAs(text: string, tokens: Token[], dialect: Dialect): Outcome | undefined {
  const parts = splitCreateAs(tokens);
  const queryStart = parts ? tokens[parts.queryAt] : undefined;
  if (!parts || !queryStart) return undefined;
  const queryTokens = tokens.slice(parts.queryAt).map((t) => ({ ...t, offset: t.offset - queryStart.offset, end: t.end - queryStart.offset }));
  const query = parseStatement(text.slice(queryStart.offset), queryTokens, dialect);
  const facts = 'facts' in query ? query.facts[0] : undefined;
  if (!facts || facts.kind !== 'select') return undefined;
  const ir = facts.ir as IrStatement;
  if (parts.cols) ir.cols = parts.cols;
  return { facts: [{ ...facts, kind: parts.kind, target: parts.target }] };
}

/** Index of the DML keyword in `WITH … INSERT|UPDATE|DELETE|MERGE …`, which most grammars reject. */
function leadingWithDml(tokens: Token[]): number | undefined {
  if (tokens[0]?.type !== 'word' || tokens[0].text.toUpperCase() !== 'WITH') return undefined;
  let depth = 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type === 'punct' && t.text === '(') depth++;
    else if (t.type === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && t.type === 'word') {
      const u = t.text.toUpperCase();
      if (u === 'SELECT') return undefined;
      if (u === 'INSERT' || u === 'UPDATE' || u === 'DELETE' || u === 'MERGE') return i;
    }
  }
  return undefined;
}

/** Parses the DML on its own and the CTE list as `WITH … SELECT 1`, then puts the CTEs in front of the DML's query. */
function parseWithDml(text: string, tokens: Token[], dmlAt: number, dialect: Dialect): Outcome {
  const offset = (tokens[dmlAt] as Token).offset;
  const dmlTokens = tokens.slice(dmlAt).map((t) => ({ ...t, offset: t.offset - offset, end: t.end - offset }));
  const dml = parseStatement(text.slice(offset), dmlTokens, dialect);
  if ('error' in dml) {
    const base = lineColumnAt(text, offset);
    const { line, column } = dml.error;
    return { error: { ...dml.error, line: base.line + line - 1, column: line === 1 ? base.column + column - 1 : column } };
  }
  const cteText = `${text.slice(0, offset)} SELECT 1`;
  const pre = preprocess(cteText, tokenize(cteText), dialect);
  const parsed = tryGrammars(pre.text, dialect, text.slice(0, offset));
  if ('error' in parsed) return parsed;
  const withAst = parsed.asts[0];
  const cteQuery = withAst ? buildQuery(withAst, { text: cteText, starModifiers: pre.starModifiers, starOrdinal: 0 }) : undefined;
  const facts = dml.facts.map((f) => {
    const ir = f.ir as IrStatement;
    if (ir.q && cteQuery?.w) {
      ir.q.w = [...cteQuery.w, ...(ir.q.w ?? [])];
      return { ...f, reads: collectReads(ir.q) };
    }
    return f;
  });
  return { facts };
}

/** The first parenthesis without a partner, as a positioned error. */
function unbalancedParenthesis(text: string, tokens: Token[]): StatementError | undefined {
  const open: Token[] = [];
  for (const t of tokens) {
    if (t.type !== 'punct') continue;
    if (t.text === '(') open.push(t);
    else if (t.text === ')' && open.pop() === undefined) {
      const at = lineColumnAt(text, t.offset);
      return { ...at, message: 'Syntax error: ")" without a matching "("', located: true, invalid: true };
    }
  }
  const first = open[0];
  if (!first) return undefined;
  const at = lineColumnAt(text, first.offset);
  return { ...at, message: 'Syntax error: "(" is never closed', located: true, invalid: true };
}

/**
 * Tries the dialect's grammar chain; the error reported is the dialect's own grammar's. `written` is
 * the statement as written (`text` may be a preprocessed rewrite at the same positions): an error
 * quotes only what is written there.
 */
function tryGrammars(text: string, dialect: Dialect, written = text): { asts: AstNode[] } | { error: StatementError } {
  let firstError: StatementError | undefined;
  let firstLocated: StatementError | undefined;
  // An unknown dialect (a typo in settings) still parses, with the PostgreSQL chain.
  const started = Date.now();
  for (const grammar of GRAMMAR_CHAIN[dialect] ?? GRAMMAR_CHAIN.postgresql) {
    // A grammar that needed long to fail backtracked heavily; its relatives would too.
    if (firstError && Date.now() - started > SLOW_FAILURE_MS) break;
    try {
      const ast = astify(text, grammar);
      const asts = (Array.isArray(ast) ? ast : [ast]).map(asNode).filter((a): a is AstNode => a !== undefined);
      return { asts };
    } catch (err) {
      const described = describeError(err, written);
      firstError ??= described;
      // Some grammar errors (Trino's "invalid column clause") carry no position; prefer one that does.
      if (described.located) firstLocated ??= described;
    }
  }
  const error = firstLocated ?? firstError ?? { line: 1, column: 1, message: `Could not parse this statement; ${NO_LINEAGE}` };
  return { error: { line: error.line, column: error.column, message: error.message } };
}

/** Turns a peg.js SyntaxError (or any error) into a short, positioned reason quoting `text` (as written). */
function describeError(err: unknown, text: string): StatementError {
  const e = asNode(err) ?? {};
  const start = asNode(asNode(e.location)?.start);
  const line = typeof start?.line === 'number' && start.line >= 1 ? start.line : 1;
  const column = typeof start?.column === 'number' && start.column >= 1 ? start.column : 1;
  const offset = typeof start?.offset === 'number' ? start.offset : -1;
  const found = e.found;
  let message: string;
  if (Array.isArray(e.expected) || 'found' in e) {
    // peg.js reports one character; show the whole word the user sees at that position.
    const near = offset >= 0 ? (/^[\p{L}\p{N}_$@#]+|^\S/u.exec(text.slice(offset))?.[0] ?? '') : '';
    message = found === null || found === undefined || near === '' ? `Could not parse: the statement ends unexpectedly; ${NO_LINEAGE}` : `Could not parse near "${near}"; ${NO_LINEAGE}`;
  } else {
    message = `Could not parse: ${err instanceof Error ? err.message : String(err)}; ${NO_LINEAGE}`;
  }
  return { line, column, message, located: start !== undefined };
}

/** MERGE and DELETE … USING were parsed as a SELECT over (target, sources…); restore the statement's meaning. */
function relabelSynthetic(facts: StatementFacts, kind: 'merge' | 'delete' | 'create_table'): StatementFacts {
  const ir = facts.ir as IrStatement;
  const q = ir.q;
  const out: StatementFacts = { kind, reads: [], ir };
  if (q && 'f' in q) {
    const targetSource = q.f[0];
    if (targetSource?.rel) {
      targetSource.tg = true;
      out.target = targetSource.rel;
    }
    if (kind === 'merge') {
      q.o = q.o.filter((o) => o.n !== 'mallard__none');
      ir.cols = q.o.map((o) => o.n);
    } else {
      q.o = [];
    }
  }
  out.reads = collectReads(q);
  return out;
}
