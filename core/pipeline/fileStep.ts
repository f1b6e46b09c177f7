import { renderDbtNode, type DbtNodeResult, type DbtProjectContext, type DbtRenderOptions } from '../dbt/api';
import { WorkCancelled } from '../dbt/jinja/budget';
import { fnv1a } from '../dbt/builtins';
import type { Diagnostic } from '../model/entities';
import { IR_VERSION, parseSql } from '../sql/parseSql';
import type { Dialect, ParsedSql } from './contracts';

/**
 * The expensive per-file step (render + parse), a pure function of (file text, context, dialect).
 * Its result is cached by (content hash, cache key) and may be computed in a worker thread, so it
 * must be plain JSON and must never throw.
 */

/** Bump when the shape of `FileStepResult` or the way it is computed changes. */
export const PIPELINE_VERSION = 2;

/** Result of the per-file step for a dbt node file. */
export interface DbtFileResult {
  kind: 'dbt';
  node: DbtNodeResult;
  /**
   * `parseSql(node.rendered.lineageSql)`, diagnostics already shifted to source-file lines. The
   * result keeps `lineageSql` empty: the parse consumed it, and it was the largest string of every
   * cached and in-memory result (the compiled SQL, kept for display, is its twin).
   */
  parsed: ParsedSql;
  /** `sqlFingerprint` of the SQL that `parsed` came from (absent for disabled or failed nodes). */
  sqlHash?: string;
}

/** Result of the per-file step for a plain SQL file. */
export interface SqlFileResult {
  kind: 'sql';
  parsed: ParsedSql;
}

export type FileStepResult = DbtFileResult | SqlFileResult;

/** Cache key of dbt node results: changes with the code version, IR version, dialect and dbt context. */
export function dbtCacheKey(contextHash: string, dialect: Dialect): string {
  return `p${PIPELINE_VERSION}.ir${IR_VERSION}.${dialect}.dbt.${contextHash}`;
}

/** Cache key of plain SQL results. */
export function sqlCacheKey(dialect: Dialect): string {
  return `p${PIPELINE_VERSION}.ir${IR_VERSION}.${dialect}.sql`;
}

function crashDiagnostic(file: string, stage: string, err: unknown): Diagnostic {
  return { file, line: 1, column: 1, severity: 'error', code: 'internal-error', message: `${stage} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, extractor: 'pipeline' };
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
    return { kind: 'sql', parsed: parseSql(text, { dialect, file: path }) };
  } catch (err) {
    // parseSql must not throw; if it does, the file still gets a located diagnostic.
    return { kind: 'sql', parsed: emptyParsed([crashDiagnostic(path, 'SQL parsing', err)]) };
  }
}

/**
 * Fingerprint of what a dbt node's parse depends on: the rendered SQL, where it starts in the file
 * and the dialect (64 bits of hash plus the length).
 */
export function sqlFingerprint(sql: string, lineOffset: number, dialect: Dialect): string {
  const text = `${dialect}\u0000${lineOffset}\u0000${sql}`;
  return `${text.length}.${fnv1a(text)}`;
}

/** Renders a dbt node file (within `options.budget`) and parses its lineage SQL. Throws only `WorkCancelled`. */
export function extractDbtFile(ctx: DbtProjectContext, path: string, text: string, dialect: Dialect, options?: DbtRenderOptions): DbtFileResult | SqlFileResult {
  let node: DbtNodeResult;
  try {
    node = renderDbtNode(ctx, path, text, options);
  } catch (err) {
    if (WorkCancelled.is(err)) throw err;
    return { kind: 'sql', parsed: emptyParsed([crashDiagnostic(path, 'Jinja rendering', err)]) };
  }
  const sqlHash = node.entity.disabled ? undefined : sqlFingerprint(node.rendered.lineageSql, node.rendered.lineOffset, dialect);
  let parsed: ParsedSql;
  try {
    parsed = node.entity.disabled ? notParsed() : parseSql(node.rendered.lineageSql, { dialect, file: path });
  } catch (err) {
    parsed = emptyParsed([crashDiagnostic(path, 'SQL parsing', err)]);
  }
  const offset = node.rendered.lineOffset;
  if (offset !== 0) {
    parsed = {
      ...parsed,
      statements: parsed.statements.map((s) => ({ ...s, line: s.line + offset })),
      diagnostics: parsed.diagnostics.map((d) => ({ ...d, line: d.line + offset, ...(d.endLine !== undefined ? { endLine: d.endLine + offset } : {}) })),
    };
  }
  return { kind: 'dbt', node: withoutLineageSql(node), parsed, ...(sqlHash !== undefined ? { sqlHash } : {}) };
}

/**
 * The node as results keep it: `lineageSql` empty (the parse consumed it, and it was the largest
 * string of every cached and in-memory result; the compiled SQL, kept for display, is its twin).
 */
export function withoutLineageSql(node: DbtNodeResult): DbtNodeResult {
  return { ...node, rendered: { ...node.rendered, lineageSql: '' } };
}
