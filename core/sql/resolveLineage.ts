import type { ColumnSource, ParsedStatement, PassThroughSource, ResolvedStatement, ResolveLineageFn, SchemaLookup } from '../pipeline/contracts';
import { relationText } from './astNames';
import type { IrStatement } from './ir';
import { dedupeSources, lookupColumns, type QueryResult, type ResolveState, type ScopeColumn } from './lineageScope';
import { resolveQuery } from './resolveQuery';

/**
 * Resolves one parsed statement's IR against a schema into column-level lineage.
 * Never throws: names it cannot resolve are reported in `unresolved` with a reason.
 * A star over a relation without a schema does not stop lineage: every name read through it
 * resolves to that relation. What of it reaches the output unexpanded is listed in `passThrough`
 * with a `star-without-schema` entry, so the pass-through stays visible without inventing a column
 * named `*`; a star whose remainder never reaches the output (`with s as (select * from t) select
 * s.id from s`) leaves the output complete and is not reported.
 */
export const resolveLineage: ResolveLineageFn = (parsed, schema): ResolvedStatement => {
  const out: ResolvedStatement = { kind: parsed.kind, reads: parsed.reads, columns: [], indirect: [], unresolved: [] };
  if (parsed.target) out.target = parsed.target;
  const ir = parsed.ir !== null && typeof parsed.ir === 'object' && !Array.isArray(parsed.ir) ? (parsed.ir as IrStatement) : undefined;
  if (!ir) return out;
  if (ir.err !== undefined) {
    out.unresolved.push({ column: '*', name: parsed.target ? relationText(parsed.target) : '*', reason: 'parse-error', detail: ir.err });
    return out;
  }
  if (!ir.q) {
    out.columns = (parsed.declaredColumns ?? []).map((c) => ({ name: c.name, sources: [] }));
    return out;
  }
  const state: ResolveState = { schema, unresolved: out.unresolved, indirect: [], currentColumn: '*' };
  let result: QueryResult;
  try {
    result = resolveQuery(ir.q, new Map(), undefined, state, true);
  } catch (err) {
    // Deeply nested input can exhaust the stack; report instead of throwing.
    out.unresolved.push({ column: '*', name: '*', reason: 'unsupported', detail: `Lineage could not be resolved: ${err instanceof Error ? err.message : String(err)}` });
    return out;
  }
  out.columns = targetColumns(parsed, ir, result, schema);
  if (result.opaque.length > 0) {
    out.passThrough = result.opaque;
    for (const star of result.opaque) out.unresolved.push({ column: '*', name: '*', reason: 'star-without-schema', detail: remainderDetail(star, out.columns.length > 0) });
  }
  out.indirect = dedupeSources(state.indirect);
  return out;
};

/** Says what an unexpanded star leaves unknown. */
function remainderDetail(star: PassThroughSource, named: boolean): string {
  const except = star.except ? ` except ${star.except.join(', ')}` : '';
  const known = named ? 'only the columns named in the query or referenced downstream are known' : 'only the columns referenced downstream are known';
  return `The columns of ${relationText(star.relation)} are unknown, so * passes them through unexpanded${except}; ${known}.`;
}

/**
 * Names the output columns as the target sees them. Columns stay positional (`select a.x, b.x` has
 * two outputs named x); only MERGE/UPDATE, whose WHEN branches may each set the same target column,
 * merge repeated names.
 */
function targetColumns(parsed: ParsedStatement, ir: IrStatement, result: QueryResult, schema: SchemaLookup): ResolvedStatement['columns'] {
  let columns: ScopeColumn[] = result.columns;
  const positional = positionalNames(parsed, ir, result, schema);
  if (positional) columns = columns.map((c, i) => ({ name: positional[i] ?? c.name, sources: c.sources }));
  const mergeRepeated = parsed.kind === 'merge' || parsed.kind === 'update';
  const out: ResolvedStatement['columns'] = [];
  for (const col of columns) {
    const existing = mergeRepeated ? out.find((m) => m.name.toLowerCase() === col.name.toLowerCase()) : undefined;
    if (existing) existing.sources = dedupeSources([...existing.sources, ...col.sources]);
    else out.push({ name: col.name, sources: dedupeSources(col.sources as ColumnSource[]) });
  }
  return out;
}

/** INSERT (a, b) / CREATE VIEW v (a, b) name by position; INSERT without a list uses the target's schema. */
function positionalNames(parsed: ParsedStatement, ir: IrStatement, result: QueryResult, schema: SchemaLookup): string[] | undefined {
  if (ir.cols && parsed.kind !== 'merge' && parsed.kind !== 'update') return ir.cols;
  if (parsed.kind === 'insert' && parsed.target && result.opaque.length === 0) {
    const cols = lookupColumns(parsed.target, schema);
    // Only a full-width match maps safely by position.
    if (cols && cols.length === result.columns.length) return cols;
  }
  return undefined;
}
