import { renderDbtNode, type DbtNodeResult, type DbtProjectContext, type DbtRenderOptions } from '../dbt/api';
import { nodeRenderInputs } from '../dbt/renderInputs';
import { WorkCancelled } from '../dbt/jinja/budget';
import { fnv1a } from '../dbt/builtins';
import type { Diagnostic } from '../model/entities';
import { IR_VERSION, parseSql } from '../sql/parseSql';
import type { Dialect, ParsedSql, ParsedStatement } from './contracts';
import type { IrStatement } from '../sql/ir';
import { toSourceDiagnostics } from './renderedDiagnostics';
import { scanSqlNames, type SqlNameFacts } from './sqlNameScan';

/**
 * The expensive per-file step (render + parse), a pure function of (file text, context, dialect).
 * Its result is cached by (content hash, cache key) and may be computed in a worker thread, so it
 * must be plain JSON and must never throw.
 */

/** Bump when the shape of `FileStepResult` or the way it is computed changes. */
export const PIPELINE_VERSION = 4;

/** Result of the per-file step for a dbt node file. */
export interface DbtFileResult {
  kind: 'dbt';
  node: DbtNodeResult;
  /**
   * `parseSql(node.rendered.lineageSql)`, diagnostics already placed in the source file (line,
   * column and quotes, through the render map; see `renderedDiagnostics.ts`). The
   * result keeps `lineageSql` empty: the parse consumed it, and it was the largest string of every
   * cached and in-memory result (the compiled SQL, kept for display, is its twin).
   */
  parsed: ParsedSql;
  /** `sqlFingerprint` of the SQL that `parsed` came from (absent for disabled or failed nodes). */
  sqlHash?: string;
  /**
   * `nodeRenderInputs` of the context it was rendered with: the result holds under another context
   * with the same cache key (`sharedRenderHash`) when the node's inputs there are the same.
   */
  inputs?: string;
}

/** Result of the per-file step for a plain SQL file. */
export interface SqlFileResult {
  kind: 'sql';
  parsed: ParsedSql;
  /** Where the file's relation names are written and what changes their default schema (`sqlNameScan.ts`). */
  names?: SqlNameFacts;
}

export type FileStepResult = DbtFileResult | SqlFileResult;

/**
 * Cache key of dbt node results: changes with the code version, IR version, dialect and the shared
 * part of the dbt context (`sharedRenderHash`); a result also carries its node's `inputs`.
 */
export function dbtCacheKey(sharedHash: string, dialect: Dialect): string {
  return `p${PIPELINE_VERSION}.ir${IR_VERSION}.${dialect}.dbt.${sharedHash}`;
}

/** Whether a dbt result rendered under another context with the same cache key holds under `ctx`. */
export function inputsHold(ctx: DbtProjectContext, path: string, result: FileStepResult): boolean {
  return result.kind !== 'dbt' || (result.inputs !== undefined && nodeRenderInputs(ctx, path, result.node) === result.inputs);
}

/** Cache key of plain SQL results. */
export function sqlCacheKey(dialect: Dialect): string {
  return `p${PIPELINE_VERSION}.ir${IR_VERSION}.${dialect}.sql`;
}

/** A step that threw (our bug, not the project's: a warning). */
function crashDiagnostic(file: string, stage: string, err: unknown): Diagnostic {
  return { file, line: 1, column: 1, severity: 'warning', code: 'internal-error', message: `${stage} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, extractor: 'pipeline' };
}

/** The parse of a node that is not parsed (disabled, or only rendered): no statements, no problems. */
export function notParsed(): ParsedSql {
  return { irVersion: IR_VERSION, statements: [], diagnostics: [], fallback: false };
}

function emptyParsed(diagnostics: Diagnostic[]): ParsedSql {
  return { irVersion: IR_VERSION, statements: [], diagnostics, fallback: true };
}

/** Parses a plain SQL file. */
export function extractSqlFile(path: string, text: string, dialect: Dialect): SqlFileResult {
  try {
    const parsed = parseSql(text, { dialect, file: path });
    return { kind: 'sql', parsed, names: scanSqlNames(text, parsed, dialect) };
  } catch (err) {
    // parseSql must not throw; if it does, the file still gets a located diagnostic.
    return { kind: 'sql', parsed: emptyParsed([crashDiagnostic(path, 'SQL parsing', err)]) };
  }
}

/**
 * Fingerprint of what a dbt node's parse depends on: the rendered SQL, where it starts in the file,
 * the dialect, and the render map (the parse's diagnostics are placed in the source through it, so
 * an edit that moves Jinja but renders the same SQL must not reuse them); 64 bits of hash plus the
 * length.
 */
export function sqlFingerprint(sql: string, lineOffset: number, dialect: Dialect, map?: readonly number[]): string {
  const text = `${dialect}\u0000${lineOffset}\u0000${map ? map.join(',') : ''}\u0000${sql}`;
  return `${text.length}.${fnv1a(text)}`;
}

/**
 * Statements shifted by `lineOffset`, a failed statement's error (its lineage's "why") replaced by
 * its diagnostic's source-file message: `parseSql` reports one diagnostic per failed statement, in
 * order, and the raw message quotes the rendered SQL (placeholders the user never wrote).
 */
function withSourceErrors(statements: ParsedStatement[], diagnostics: readonly Diagnostic[], lineOffset: number): ParsedStatement[] {
  let failed = 0;
  return statements.map((s) => {
    const ir = (s.ir ?? {}) as IrStatement;
    const err = ir.err === undefined ? undefined : diagnostics[failed++]?.message;
    if (lineOffset === 0 && err === undefined) return s;
    return { ...s, line: s.line + lineOffset, ...(err !== undefined ? { ir: { ...ir, err } } : {}) };
  });
}

/** Renders a dbt node file (within `options.budget`) and parses its lineage SQL. Throws only `WorkCancelled`. */
export function extractDbtFile(ctx: DbtProjectContext, path: string, text: string, dialect: Dialect, options?: DbtRenderOptions, rendered?: DbtNodeResult): DbtFileResult | SqlFileResult {
  let node: DbtNodeResult;
  try {
    // `rendered`: the same render made elsewhere (another thread), handed over rather than repeated.
    node = rendered ?? renderDbtNode(ctx, path, text, options);
  } catch (err) {
    if (WorkCancelled.is(err)) throw err;
    return { kind: 'sql', parsed: emptyParsed([crashDiagnostic(path, 'Jinja rendering', err)]) };
  }
  const sqlHash = node.entity.disabled ? undefined : sqlFingerprint(node.rendered.lineageSql, node.rendered.lineOffset, dialect, node.rendered.lineageMap);
  let parsed: ParsedSql;
  try {
    parsed = node.entity.disabled ? notParsed() : parseSql(node.rendered.lineageSql, { dialect, file: path });
  } catch (err) {
    parsed = emptyParsed([crashDiagnostic(path, 'SQL parsing', err)]);
  }
  // Parse positions and quotes are in the rendered SQL; the user needs them in the source file.
  // The render map gives source lines itself; without one (older results) lines shift by the offset.
  const { lineOffset, lineageMap, lineageSql } = node.rendered;
  const shifted = lineageMap || lineOffset === 0 ? parsed.diagnostics : parsed.diagnostics.map((d) => ({ ...d, line: d.line + lineOffset }));
  const diagnostics = toSourceDiagnostics(shifted, lineageSql, lineageMap, text);
  parsed = { ...parsed, statements: withSourceErrors(parsed.statements, diagnostics, lineOffset), diagnostics };
  return { kind: 'dbt', node: withoutLineageSql(node), parsed, ...(sqlHash !== undefined ? { sqlHash } : {}), inputs: nodeRenderInputs(ctx, path, node) };
}

/**
 * The node as results keep it: `lineageSql` empty and without its map (the parse consumed both, and
 * it was the largest string of every cached and in-memory result; the compiled SQL, kept for
 * display, is its twin).
 */
export function withoutLineageSql(node: DbtNodeResult): DbtNodeResult {
  const { lineageMap: _map, ...rendered } = node.rendered;
  return { ...node, rendered: { ...rendered, lineageSql: '' } };
}
