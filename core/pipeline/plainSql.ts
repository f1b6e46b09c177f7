import { emptyFacts, type Column, type Entity, type Facts, type ModelEdge, type Provenance, type UnresolvedRef } from '../model/entities';
import { columnId } from '../model/ids';
import { resolveLineage } from '../sql/resolveLineage';
import type { ParsedStatement, RelationName, ResolvedStatement } from './contracts';
import { edgesFromResolved, isCompleteSchema, mergeColumns } from './columnFacts';
import { dedupeDiagnostics } from './assembleDbt';
import { qualifiedText } from './nameResolution';
import { buildRelations, type PlainSqlFile, type PlainSqlOptions, type Relation, type StatementContext } from './plainRelations';
import { referencedColumns, remaindersOf, type OpenEntity, type StarRemainder } from './referencedColumns';
import { append, topoSort } from './topo';

export type { PlainSqlFile, PlainSqlOptions } from './plainRelations';

/**
 * Facts of the plain SQL files of a workspace (everything outside dbt projects): each statement's
 * target — written, or named by its file's target rule when the file ends with a bare query — becomes
 * a `table`/`view` entity, the relations it reads become table entities (declared by DDL elsewhere in
 * the workspace when possible, inferred otherwise; names resolved by `plainRelations.ts`), with `sql`
 * model edges and column edges resolved in dependency order.
 */

/** Statements whose output columns are named by their query (CREATE … AS SELECT, a bare SELECT). */
const NAMED_OUTPUT: ReadonlySet<ParsedStatement['kind']> = new Set(['create_table', 'create_view', 'select']);

/** Assembles facts for the plain SQL files of one project (named after the workspace folder). */
export function assemblePlainSql(project: string, files: readonly PlainSqlFile[], options: PlainSqlOptions = {}): Facts {
  const facts = emptyFacts();
  const { relations, diagnostics, lookup } = buildRelations(project, files, options);
  const writers = [...relations.values()].filter((r) => r.writes.length > 0);
  const byId = new Map([...relations.values()].map((r) => [r.id, r]));
  // A statement reads its own target only when the names are really equal: no edge to itself.
  const ups = (id: string): string[] => (byId.get(id)?.writes ?? []).flatMap((w) => w.reads.map((x) => x?.id ?? '')).filter((x) => x !== '' && x !== id);
  const { order, cyclic } = topoSort(writers.map((w) => w.id), ups);
  const outputs = new Map<string, string[]>();
  const columnsIn = (ctx: StatementContext) => (rel: RelationName): string[] | undefined => {
    const r = lookup(ctx, rel);
    if (!r) return undefined;
    if (r.declared.length > 0) return r.declared.map((c) => c.name);
    return outputs.get(r.id);
  };
  // Columns each written relation's own statements compute, and the stars they pass through.
  const computed = new Map<string, string[]>();
  const remainders = new Map<string, StarRemainder[]>();
  const modelEdges = new Map<string, ModelEdge>();
  for (const id of [...order, ...cyclic]) {
    const r = byId.get(id);
    if (!r) continue;
    const inferred: string[] = [];
    const remainder: StarRemainder[] = [];
    let complete = true;
    for (const w of r.writes) {
      const provenance: Provenance = { file: w.file.path, line: w.stmt.line, column: 0, extractor: 'sql-lineage', confidence: 0.9 };
      for (const from of w.reads) {
        if (!from || from.id === r.id) continue;
        const key = `${from.id}>${r.id}`;
        if (!modelEdges.has(key)) modelEdges.set(key, { from: from.id, to: r.id, level: 'model', kind: 'sql', provenance: { ...provenance, extractor: 'sql-reads' } });
      }
      append(facts.unresolved, ambiguousRefs(r, w, provenance));
      let resolved: ResolvedStatement;
      try {
        resolved = resolveLineage(w.stmt, columnsIn(w));
      } catch {
        continue;
      }
      // A CREATE TABLE with a column list declares its columns; only queries infer them.
      const declares = (w.stmt.declaredColumns?.length ?? 0) > 0;
      if (!declares) for (const c of resolved.columns) if (!inferred.some((x) => x.toLowerCase() === c.name.toLowerCase())) inferred.push(c.name);
      // A star over a relation of unknown columns leaves this relation's output incomplete: it must
      // not expand a downstream `*`, and names read through it resolve to the star's relation.
      if (!declares && !isCompleteSchema(resolved)) complete = false;
      // INSERT … SELECT * maps the star's columns by position, not by name: it passes no name through.
      if (!declares && NAMED_OUTPUT.has(w.stmt.kind)) append(remainder, remaindersOf(resolved.passThrough, (p) => lookup(w, p.relation)?.id));
      const edges = edgesFromResolved(r.id, resolved, (rel) => lookup(w, rel)?.id, provenance, (t) => t);
      append(facts.columnEdges, edges.columnEdges);
      append(facts.unresolved, edges.unresolved);
    }
    if (inferred.length > 0) computed.set(r.id, inferred);
    if (inferred.length > 0 && complete) outputs.set(r.id, inferred);
    if (remainder.length > 0) remainders.set(r.id, remainder);
  }
  const open = new Map<string, OpenEntity>();
  for (const r of relations.values()) {
    const entity = entityOf(project, r);
    facts.entities.push(entity);
    const declared: Column[] = r.declared.map((c, i) => ({ id: columnId(r.id, c.name), entityId: r.id, name: c.name, ...(c.type ? { type: c.type } : {}), description: '', tags: [], tests: [], meta: {}, position: i, origin: 'declared', provenance: r.provenance }));
    const inferred = computed.get(r.id);
    const provenance: Provenance = { ...r.provenance, extractor: 'sql-lineage', confidence: 0.9 };
    const columns = mergeColumns(entity, inferred, declared, provenance);
    append(facts.columns, columns);
    const remainder = remainders.get(r.id) ?? [];
    if ((r.declared.length > 0 || outputs.has(r.id)) && remainder.length === 0) continue;
    // With a remainder, the statement's own `star-without-schema` entry already says what is unknown.
    const note = remainder.length > 0 ? undefined : `The columns of ${r.id} are not declared by DDL in the workspace and no statement computes them; only the columns referenced by SQL are known.`;
    open.set(r.id, { id: r.id, columns, computed: new Set(inferred?.map((n) => n.toLowerCase())), remainder, provenance: { ...r.provenance, confidence: 0.5 }, ...(note ? { note } : {}) });
  }
  // Downstream first: writers in reverse dependency order, then the relations that are only read.
  const openOrder = [...[...order, ...cyclic].reverse(), ...[...relations.values()].filter((r) => r.writes.length === 0).map((r) => r.id).sort()];
  for (const extra of referencedColumns(open, openOrder, [...facts.columnEdges]).values()) {
    append(facts.columns, extra.columns);
    append(facts.columnEdges, extra.columnEdges);
    append(facts.unresolved, extra.unresolved);
  }
  facts.modelEdges = [...modelEdges.values()];
  facts.diagnostics = dedupeDiagnostics([...files.flatMap((f) => f.parsed.diagnostics), ...diagnostics]);
  return facts;
}

/** The catalog entity of a relation; a target named by a rule says which (`meta.targetRule`). */
function entityOf(project: string, r: Relation): Entity {
  const entity: Entity = { id: r.id, kind: r.kind, name: r.name, project, path: r.provenance.file, description: '', tags: [], meta: { ...r.meta }, owners: [], tests: [], disabled: false, provenance: r.provenance };
  if (r.schema !== undefined) entity.schema = r.schema;
  if (r.database !== undefined) entity.database = r.database;
  return entity;
}

/** "Why is this edge missing" for the ambiguous names a writing statement reads. */
function ambiguousRefs(r: Relation, w: StatementContext, provenance: Provenance): UnresolvedRef[] {
  return w.ambiguous.map((a) => ({
    target: r.id,
    name: a.name,
    reason: 'unknown-relation',
    detail: `"${a.name}" could be ${a.candidates.map((c) => qualifiedText(c)).sort().join(' or ')}; qualify it so Mallard knows which.`,
    provenance,
  }));
}
