import { emptyFacts, type Column, type Entity, type Facts, type ModelEdge, type Provenance } from '../model/entities';
import { columnId, relationId } from '../model/ids';
import { resolveLineage } from '../sql/resolveLineage';
import type { ParsedSql, ParsedStatement, RelationName, ResolvedStatement } from './contracts';
import { edgesFromResolved, isCompleteSchema, mergeColumns } from './columnFacts';
import { dedupeDiagnostics } from './assembleDbt';
import { referencedColumns, remaindersOf, type OpenEntity, type StarRemainder } from './referencedColumns';
import { append, topoSort } from './topo';

/**
 * Facts of the plain SQL files of a workspace (everything outside dbt projects): each statement's
 * target becomes a `table`/`view` entity, the relations it reads become table entities (declared by
 * DDL elsewhere in the workspace when possible, inferred otherwise), with `sql` model edges and
 * column edges resolved in dependency order.
 */

/** One parsed plain SQL file. */
export interface PlainSqlFile {
  path: string;
  parsed: ParsedSql;
}

interface Relation {
  id: string;
  name: string;
  qualified: string;
  kind: 'table' | 'view';
  /** True when created by DDL in the workspace, false when only read (inferred). */
  defined: boolean;
  provenance: Provenance;
  writes: { file: string; stmt: ParsedStatement }[];
  declared: { name: string; type?: string }[];
}

/** Statements whose output columns are named by their query (CREATE … AS SELECT, a bare SELECT). */
const NAMED_OUTPUT: ReadonlySet<ParsedStatement['kind']> = new Set(['create_table', 'create_view', 'select']);

const qualify = (r: RelationName): string => [r.database, r.schema, r.name].filter((p) => p !== undefined && p !== '').join('.');

/** Assembles facts for the plain SQL files of one project (named after the workspace folder). */
export function assemblePlainSql(project: string, files: readonly PlainSqlFile[]): Facts {
  const facts = emptyFacts();
  const relations = new Map<string, Relation>();
  const byName = new Map<string, Relation[]>();
  const define = (rel: RelationName, file: string, stmt: ParsedStatement): Relation => {
    const qualified = qualify(rel).toLowerCase();
    let r = relations.get(qualified);
    const creates = stmt.kind === 'create_table' || stmt.kind === 'create_view';
    if (!r) {
      r = { id: relationId(project, qualified), name: rel.name, qualified, kind: 'table', defined: false, provenance: { file, line: stmt.line, column: 0, extractor: 'sql-ddl', confidence: 0.9 }, writes: [], declared: [] };
      relations.set(qualified, r);
      const key = rel.name.toLowerCase();
      byName.set(key, [...(byName.get(key) ?? []), r]);
    }
    if (creates && !r.defined) {
      r.defined = true;
      r.kind = stmt.kind === 'create_view' ? 'view' : 'table';
      r.provenance = { file, line: stmt.line, column: 0, extractor: 'sql-ddl', confidence: 1 };
      if (stmt.declaredColumns && stmt.declaredColumns.length > 0) r.declared = stmt.declaredColumns;
    }
    return r;
  };
  for (const f of files) for (const s of f.parsed.statements) if (s.target) define(s.target, f.path, s).writes.push({ file: f.path, stmt: s });
  const lookup = (rel: RelationName): Relation | undefined => {
    const exact = relations.get(qualify(rel).toLowerCase());
    if (exact) return exact;
    const same = byName.get(rel.name.toLowerCase()) ?? [];
    return same.length === 1 ? same[0] : undefined;
  };
  // Relations that are only read become inferred table entities.
  const readOnly = (rel: RelationName, file: string, line: number): Relation => {
    const found = lookup(rel);
    if (found) return found;
    const qualified = qualify(rel).toLowerCase();
    const r: Relation = { id: relationId(project, qualified), name: rel.name, qualified, kind: 'table', defined: false, provenance: { file, line, column: 0, extractor: 'sql-reads', confidence: 0.5 }, writes: [], declared: [] };
    relations.set(qualified, r);
    byName.set(rel.name.toLowerCase(), [...(byName.get(rel.name.toLowerCase()) ?? []), r]);
    return r;
  };
  for (const f of files) for (const s of f.parsed.statements) for (const read of s.reads) readOnly(read, f.path, s.line);
  const writers = [...relations.values()].filter((r) => r.writes.length > 0);
  const writerById = new Map(writers.map((w) => [w.id, w]));
  const ups = (id: string): string[] => {
    const r = writerById.get(id);
    return r ? r.writes.flatMap((w) => w.stmt.reads.map((x) => lookup(x)?.id ?? '')).filter((x) => x !== id) : [];
  };
  const writerIds = writers.map((w) => w.id);
  const { order, cyclic } = topoSort(writerIds, ups);
  const byId = new Map([...relations.values()].map((r) => [r.id, r]));
  const outputs = new Map<string, string[]>();
  const columnsOf = (rel: RelationName): string[] | undefined => {
    const r = lookup(rel);
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
      const provenance: Provenance = { file: w.file, line: w.stmt.line, column: 0, extractor: 'sql-lineage', confidence: 0.9 };
      for (const read of w.stmt.reads) {
        const from = lookup(read);
        if (!from || from.id === r.id) continue;
        const key = `${from.id}>${r.id}`;
        if (!modelEdges.has(key)) modelEdges.set(key, { from: from.id, to: r.id, level: 'model', kind: 'sql', provenance: { ...provenance, extractor: 'sql-reads' } });
      }
      let resolved: ResolvedStatement;
      try {
        resolved = resolveLineage(w.stmt, columnsOf);
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
      if (!declares && NAMED_OUTPUT.has(w.stmt.kind)) append(remainder, remaindersOf(resolved.passThrough, (p) => lookup(p.relation)?.id));
      const edges = edgesFromResolved(r.id, resolved, (rel) => lookup(rel)?.id, provenance, (t) => t);
      append(facts.columnEdges, edges.columnEdges);
      append(facts.unresolved, edges.unresolved);
    }
    if (inferred.length > 0) computed.set(r.id, inferred);
    if (inferred.length > 0 && complete) outputs.set(r.id, inferred);
    if (remainder.length > 0) remainders.set(r.id, remainder);
  }
  const open = new Map<string, OpenEntity>();
  for (const r of relations.values()) {
    const entity: Entity = { id: r.id, kind: r.kind, name: r.name, project, path: r.provenance.file, description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, provenance: r.provenance };
    const parts = r.qualified.split('.');
    if (parts.length >= 2) entity.schema = parts[parts.length - 2];
    if (parts.length >= 3) entity.database = parts[parts.length - 3];
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
  facts.diagnostics = dedupeDiagnostics(files.flatMap((f) => f.parsed.diagnostics));
  return facts;
}
