import '../../setup/sqlEngine';
import type { ColumnSource, Dialect, ParsedSql, ResolvedStatement } from '../../../core/pipeline/contracts';
import { parseSql } from '../../../core/sql/parseSql';
import { resolveLineage } from '../../../core/sql/resolveLineage';

/** Compact, order-independent view of resolved lineage for assertions. */
export interface LineageView {
  kind: string;
  target?: string;
  reads: string[];
  /** Output column → sorted `relation.column:kind` strings. */
  cols: Record<string, string[]>;
  /** Output column names in order. */
  order: string[];
  indirect: string[];
  unresolved: string[];
  /** Sorted `relation.*` sources of unexpanded stars. */
  passThrough: string[];
}

/** `schema.name.column:kind`. */
export function sourceText(s: ColumnSource): string {
  return `${[s.relation.database, s.relation.schema, s.relation.name].filter(Boolean).join('.')}.${s.column}:${s.transform}`;
}

/** Renders a resolved statement as a LineageView. */
export function view(r: ResolvedStatement): LineageView {
  const v: LineageView = {
    kind: r.kind,
    reads: r.reads.map((x) => [x.database, x.schema, x.name].filter(Boolean).join('.')).sort(),
    cols: Object.fromEntries(r.columns.map((c) => [c.name, c.sources.map(sourceText).sort()])),
    order: r.columns.map((c) => c.name),
    indirect: r.indirect.map(sourceText).sort(),
    unresolved: r.unresolved.map((u) => `${u.column}|${u.name}|${u.reason}`).sort(),
    passThrough: (r.passThrough ?? []).map(sourceText).sort(),
  };
  if (r.target) v.target = [r.target.database, r.target.schema, r.target.name].filter(Boolean).join('.');
  return v;
}

/** Parses and resolves every statement of `sql` against a simple `name → columns` schema. */
export function lineage(sql: string, dialect: Dialect = 'postgresql', schema: Record<string, string[]> = {}): { parsed: ParsedSql; views: LineageView[]; resolved: ResolvedStatement[] } {
  const parsed = parseSql(sql, { dialect, file: 'test.sql' });
  const lookup = (rel: { database?: string; schema?: string; name: string }): string[] | undefined =>
    schema[[rel.database, rel.schema, rel.name].filter(Boolean).join('.').toLowerCase()] ?? schema[[rel.schema, rel.name].filter(Boolean).join('.').toLowerCase()] ?? schema[rel.name.toLowerCase()];
  const resolved = parsed.statements.map((s) => resolveLineage(s, lookup));
  return { parsed, views: resolved.map(view), resolved };
}

/** The single statement's view; throws when the SQL did not yield exactly one statement. */
export function one(sql: string, dialect: Dialect = 'postgresql', schema: Record<string, string[]> = {}): LineageView {
  const { parsed, views } = lineage(sql, dialect, schema);
  if (views.length !== 1 || !views[0]) throw new Error(`expected one statement, got ${views.length}: ${JSON.stringify(parsed.diagnostics)}`);
  if (parsed.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(parsed.diagnostics)}`);
  return views[0];
}
