import type { Dialect, ParsedSql, ParsedStatement, ParseSqlFn } from '../pipeline/contracts';
import { splitCreateAs } from './createAs';
import { relationFromParts } from './astNames';
import { fileLoadTarget, findEmbeddedStatements, isNonLineageCommand } from './embedded';
import { fallbackScan } from './fallbackScan';
import { isSetOp, isSubqueryRef, type IrQuery, type IrRef, type IrStatement } from './ir';
import { collectReads } from './irReads';
import { lineColumnAt, lineIndex, tokenize, type LexOptions, type Token } from './lexer';
import { describeEngineError, engineErrorOffset, type StatementError } from './parseErrors';
import { preprocess } from './preprocess';
import { obj, offsetAt, rsContext, variant } from './rsAst';
import { firstSelect } from './rsQuery';
import { BLOCK_STATEMENTS, statementToIr, type StatementFacts } from './rsStatement';
import { ENGINE_CHAIN, engineParse, type EngineDialect } from './sqlEngine';
import { splitStatements } from './splitStatements';

/** Version of the lineage IR produced by `parseSql`; bump when the IR shape changes so caches are invalidated. */
export const IR_VERSION = 3;

const EXTRACTOR = 'sql-parser';

/** Statements nested this deep inside blocks are not split further (a block inside a block inside …). */
const MAX_BLOCK_DEPTH = 4;

/**
 * Parses a SQL file (one or more statements) into a schema-free lineage IR per statement, with
 * datafusion-sqlparser-rs (`sqlEngine.ts`). Never throws: a statement the parser rejects yields a
 * diagnostic with its exact position and table-level facts from a tolerant scan (`fallback: true`);
 * the other statements are unaffected.
 */
export const parseSql: ParseSqlFn = (sql, options): ParsedSql => {
  const lex: LexOptions = {
    bracketIdentifiers: options.dialect === 'transactsql',
    hashComments: ['mysql', 'mariadb', 'bigquery', 'hive'].includes(options.dialect),
    doubleQuotedStrings: ['mysql', 'mariadb', 'bigquery', 'hive', 'flinksql'].includes(options.dialect),
  };
  const result: ParsedSql = { irVersion: IR_VERSION, statements: [], diagnostics: [], fallback: false };
  const file: FileState = { result, position: lineIndex(sql), options };
  for (const slice of splitStatements(sql, lex)) {
    addStatement(file, slice.offset, slice.text, slice.tokens.map((t) => ({ ...t, offset: t.offset - slice.offset, end: t.end - slice.offset })), 0);
  }
  return result;
};

/** What every statement of one file shares. */
interface FileState {
  result: ParsedSql;
  position: (offset: number) => { line: number; column: number };
  options: { dialect: Dialect; file: string };
}

type Outcome = { facts: { facts: StatementFacts; offset: number }[] } | { block: true } | { error: StatementError };

/** A `FOR name IN (query)` loop variable, visible to the statements of the loop's body. */
interface LoopBinding {
  name: string;
  query: IrQuery;
}

/** Parses one statement at `offset` of the file and records its facts, its parts, or its diagnostic. */
function addStatement(file: FileState, offset: number, text: string, tokens: Token[], depth: number, loop?: LoopBinding): StatementFacts[] {
  const outcome = parseStatement(text, tokens, file.options.dialect);
  const { result, position } = file;
  if ('facts' in outcome) {
    for (const { facts, offset: at } of outcome.facts) {
      if (loop) bindLoopVariable(facts, loop);
      result.statements.push({ ...facts, line: position(offset + at).line });
    }
    return outcome.facts.map((f) => f.facts);
  }
  if ('error' in outcome && isNonLineageCommand(tokens)) {
    result.statements.push({ kind: 'other', reads: [], line: position(offset).line, ir: {} satisfies IrStatement });
    return [];
  }
  const embedded = depth < MAX_BLOCK_DEPTH ? findEmbeddedStatements(tokens) : [];
  const whole = embedded.length === 1 && embedded[0]?.from === 0 && embedded[0].to === tokens.length;
  if (embedded.length > 0 && !whole) {
    // A script block, a procedure body or a T-SQL batch: the statements inside it one by one.
    const loops = new Map<number, LoopBinding>();
    embedded.forEach((part, index) => {
      const partTokens = tokens.slice(part.from, part.to);
      const first = partTokens[0] as Token;
      const last = partTokens[partTokens.length - 1] as Token;
      const shifted = partTokens.map((t) => ({ ...t, offset: t.offset - first.offset, end: t.end - first.offset }));
      const binding = part.bodyOf === undefined ? loop : (loops.get(part.bodyOf) ?? loop);
      const facts = addStatement(file, offset + first.offset, text.slice(first.offset, last.end), shifted, depth + 1, binding);
      const query = (facts[0]?.ir as IrStatement | undefined)?.q;
      if (part.loopVar && query) loops.set(index, { name: part.loopVar, query });
    });
    return [];
  }
  if ('block' in outcome) {
    result.statements.push({ kind: 'other', reads: [], line: position(offset).line, ir: {} satisfies IrStatement });
    return [];
  }
  const load = fileLoadTarget(tokens);
  const loaded = load ? relationFromParts(load) : undefined;
  if (loaded) {
    result.statements.push({ kind: 'insert', target: loaded, reads: [], line: position(offset).line, ir: {} satisfies IrStatement });
    return [];
  }
  const { error } = outcome;
  const start = position(offset);
  const line = start.line + error.line - 1;
  const column = error.line === 1 ? start.column + error.column - 1 : error.column;
  result.diagnostics.push({ file: file.options.file, line, column, severity: error.invalid ? 'error' : 'warning', code: 'sql-parse', message: error.message, extractor: EXTRACTOR });
  const scan = fallbackScan(tokens, file.options.dialect);
  const statement: ParsedStatement = { kind: scan.kind, reads: scan.reads, line: start.line, ir: { err: error.message } satisfies IrStatement };
  if (scan.target) statement.target = scan.target;
  result.statements.push(statement);
  result.fallback = true;
  return [];
}

/**
 * A statement of a `FOR r IN (query) DO …` body that reads `r.x`: the loop query joins its first
 * SELECT under the name `r` (one row per iteration), so `r.x` resolves to the query's column.
 */
function bindLoopVariable(facts: StatementFacts, loop: LoopBinding): void {
  const ir = facts.ir as IrStatement;
  if (!ir.q || !readsQualifier(ir.q, loop.name.toLowerCase())) return;
  firstSelect(ir.q).f.push({ q: loop.query, as: loop.name });
  facts.reads = collectReads(ir.q);
}

/** True when a query reads a column qualified by `name` (`name.x`) anywhere. */
function readsQualifier(query: IrQuery, name: string): boolean {
  const refs = (list: IrRef[]): boolean => list.some((r) => (isSubqueryRef(r) ? readsQualifier(r.q, name) : r.t?.toLowerCase() === name || !!r.t?.toLowerCase().startsWith(`${name}.`)));
  if (query.w?.some((c) => readsQualifier(c.q, name))) return true;
  if (isSetOp(query)) return query.qs.some((q) => readsQualifier(q, name));
  return refs(query.x) || query.o.some((o) => refs(o.r)) || query.f.some((f) => (f.q ? readsQualifier(f.q, name) : refs(f.fn ?? [])));
}

function parseStatement(text: string, tokens: Token[], dialect: Dialect): Outcome {
  try {
    // Unbalanced parentheses are invalid in every dialect: an error at the parenthesis itself.
    const unbalanced = unbalancedParenthesis(text, tokens);
    if (unbalanced) return { error: unbalanced };
    const outcome = parseWithEngine(text, tokens, dialect);
    if ('error' in outcome) return retryCreateAs(text, tokens, dialect) ?? outcome;
    return outcome;
  } catch (err) {
    // A bug in IR building must not lose the file: report it like a parse failure.
    return { error: { line: 1, column: 1, message: `Could not analyse statement: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/**
 * Runs the dialect's sqlparser-rs dialects in order (`ENGINE_CHAIN`) on the pre-processed text;
 * the error reported is the first dialect's, positioned in the statement as written.
 */
function parseWithEngine(text: string, tokens: Token[], dialect: Dialect): Outcome {
  const pre = preprocess(text, tokens, dialect);
  const chain = ENGINE_CHAIN[dialect] ?? ENGINE_CHAIN.postgresql;
  let firstError: string | undefined;
  for (const engineDialect of chain) {
    const parsed = engineParse(pre, engineDialect);
    if ('error' in parsed) {
      firstError ??= parsed.error;
      // A missing engine or a crashed one fails the same way in every dialect.
      if (parsed.trapped || parsed.error.startsWith('the SQL parser is not loaded')) break;
      continue;
    }
    return convert(parsed.ast, text, dialect);
  }
  const refined = refineError(pre, tokens, firstError ?? '', chain[0] ?? 'generic');
  return { error: describeEngineError(refined.error, text, tokens, refined.shift) };
}

/**
 * sqlparser-rs retries a parenthesised FROM item as a join after it fails as a subquery, and then
 * reports where the retry failed, not the subquery's own error (`FROM (SELECT day, … FROM FROM t)`
 * is reported at `day,`). The innermost `(SELECT …)` around the position is parsed alone, and its
 * error, when it has one, is the real one.
 */
function refineError(pre: string, tokens: Token[], error: string, dialect: EngineDialect): { error: string; shift: number } {
  let current = { error, shift: 0 };
  for (let depth = 0; depth < 8; depth++) {
    const at = engineErrorOffset(current.error, pre, current.shift);
    if (typeof at !== 'number') return current;
    const group = enclosingSubquery(tokens, at, current.shift);
    if (!group) return current;
    const inner = engineParse(pre.slice(group.from, group.to), dialect);
    if (!('error' in inner) || inner.trapped || typeof engineErrorOffset(inner.error, pre.slice(0, group.to), group.from) !== 'number') return current;
    current = { error: inner.error, shift: group.from };
  }
  return current;
}

/** The innermost `( SELECT|WITH … )` holding `offset`, starting after `after`, as a text range. */
function enclosingSubquery(tokens: Token[], offset: number, after: number): { from: number; to: number } | undefined {
  const open: number[] = [];
  let best: { from: number; to: number } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'punct') continue;
    if (t.text === '(') open.push(i);
    else if (t.text === ')') {
      const o = open.pop();
      const first = o === undefined ? undefined : tokens[o + 1];
      if (o === undefined || !first || first.offset <= after || !['SELECT', 'WITH'].includes(first.text.toUpperCase())) continue;
      if (first.offset <= offset && offset <= t.offset && (!best || first.offset >= best.from)) best = { from: first.offset, to: t.offset };
    }
  }
  return best;
}

/** AST statements → facts, each with its offset in the statement (a T-SQL batch parses as several). */
function convert(asts: unknown[], text: string, dialect: Dialect): Outcome {
  const facts: { facts: StatementFacts; offset: number }[] = [];
  for (const ast of asts) {
    const [tag, payload] = variant(ast) ?? [''];
    if (BLOCK_STATEMENTS.has(tag)) return { block: true };
    const unload = tag === 'Unload' ? obj(payload)?.query_text : undefined;
    if (typeof unload === 'string') {
      // Redshift `UNLOAD ('select …') TO 's3://…'`: the quoted query's reads, exported to files.
      const inner = parseWithEngine(unload, tokenize(unload), dialect);
      if ('facts' in inner) for (const f of inner.facts) facts.push({ facts: { ...f.facts, kind: 'select' }, offset: 0 });
      continue;
    }
    const ctx = rsContext(text, dialect);
    facts.push({ facts: statementToIr(ast, ctx), offset: asts.length > 1 ? statementOffset(ast, ctx) : 0 });
  }
  return { facts };
}

/** Where a statement of a multi-statement parse starts: its first positioned token. */
function statementOffset(ast: unknown, ctx: ReturnType<typeof rsContext>): number {
  let best = Number.POSITIVE_INFINITY;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key === 'span') {
          const start = (child as { start?: { line?: number; column?: number } }).start;
          if (start?.line && start.column) best = Math.min(best, offsetAt(ctx, start.line, start.column));
        } else visit(child);
      }
    }
  };
  visit(ast);
  return Number.isFinite(best) ? best : 0;
}


/** CREATE … AS <query> with a header the parser rejects: parse the query alone and label it. */
function retryCreateAs(text: string, tokens: Token[], dialect: Dialect): Outcome | undefined {
  const parts = splitCreateAs(tokens);
  const queryStart = parts ? tokens[parts.queryAt] : undefined;
  if (!parts || !queryStart) return undefined;
  const queryTokens = tokens.slice(parts.queryAt).map((t) => ({ ...t, offset: t.offset - queryStart.offset, end: t.end - queryStart.offset }));
  const query = parseStatement(text.slice(queryStart.offset), queryTokens, dialect);
  const facts = 'facts' in query && query.facts.length === 1 ? query.facts[0]?.facts : undefined;
  if (!facts || facts.kind !== 'select') return undefined;
  const ir = facts.ir as IrStatement;
  if (parts.cols) ir.cols = parts.cols;
  return { facts: [{ facts: { ...facts, kind: parts.kind, target: parts.target }, offset: 0 }] };
}

/** The first parenthesis without a partner, as a positioned error. */
function unbalancedParenthesis(text: string, tokens: Token[]): StatementError | undefined {
  const open: Token[] = [];
  for (const t of tokens) {
    if (t.type !== 'punct') continue;
    if (t.text === '(') open.push(t);
    else if (t.text === ')' && open.pop() === undefined) {
      const at = lineColumnAt(text, t.offset);
      return { ...at, message: 'Syntax error: ")" without a matching "("', invalid: true };
    }
  }
  const first = open[0];
  if (!first) return undefined;
  const at = lineColumnAt(text, first.offset);
  return { ...at, message: 'Syntax error: "(" is never closed', invalid: true };
}
