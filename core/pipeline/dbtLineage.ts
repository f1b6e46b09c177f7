import type { DbtManifest, DbtProjectContext } from '../dbt/api';
import type { Column, Diagnostic, Entity, Facts, Provenance } from '../model/entities';
import { resolveLineage } from '../sql/resolveLineage';
import type { ParsedSql, ParsedStatement, RelationName, ResolvedStatement } from './contracts';
import { edgesFromResolved, isCompleteSchema, mergeColumns, newIdInterner, type EntityColumnFacts } from './columnFacts';
import type { DbtFileResult } from './fileStep';
import { addReferencedColumns, type ReferencedMemo } from './dbtReferenced';
import { remaindersOf, type OpenEntity } from './referencedColumns';
import { locateUnresolved, unknownColumnDiagnostics } from './columnDiagnostics';
import { append, topoSort, type TopoResult } from './topo';

/**
 * Column lineage of a dbt project, computed in dependency order so `SELECT *` expands from the
 * upstream model's computed output columns (SQLMesh's idea). Results are memoized per entity by
 * (parsed IR identity, upstream schemas, declared columns), so after a single-file change only that
 * model and the downstream models whose input schemas changed are resolved again.
 */

export const PLACEHOLDER_SCHEMA = 'mallard__rel';

/** Prefix of the placeholder target of a ref/source that resolves to no node (see `DbtNodeResult.rendered`). */
const UNRESOLVED_PREFIX = 'unresolved.';

interface MemoEntry {
  result: DbtFileResult;
  path: string;
  /** The placeholder keys of `result`, sorted (the order of `upstream`). */
  keys: string[];
  /** Upstream schemas (by placeholder key order) the entry was resolved against, compared by identity. */
  upstream: (string[] | undefined)[];
  /** Declared columns the entry merged, compared by identity. */
  dec: readonly Column[];
  /** The schema this entity exposes downstream (kept as the same array while its content is equal). */
  schemaValue: string[] | undefined;
  /** True when `schemaValue` was inferred from the SQL (all columns), not taken from a YAML list. */
  complete: boolean;
  facts: EntityColumnFacts;
  /** Set when the entity's columns are not known in full (see `referencedColumns`). */
  open?: OpenEntity;
  /** Diagnostics of the lineage itself (clear unknown columns). */
  diagnostics: Diagnostic[];
}

/** Per-project memo kept by the caller between runs; start with `newLineageMemo()`. */
export interface LineageMemo {
  entries: Map<string, MemoEntry>;
  /** Declared column names per entity, reused while the declared Column objects are the same. */
  declaredNames?: Map<string, { cols: readonly Column[]; names: string[] }>;
  /** The dbt module's facts of the last run and what they were assembled from. */
  base?: { ctx: DbtProjectContext; manifest: DbtManifest | undefined; facts: Facts };
  /** Declared columns by entity of the last run (see `assembleDbt`). */
  declared?: Map<string, Column[]>;
  /** Entities with their compiled SQL of the last run, by id (see `assembleDbt`). */
  withSql?: Map<string, { from: Entity; sql: string | undefined; out: Entity }>;
  /** The dependency order of the last run and the file results it was computed from. */
  topo?: { results: ReadonlyMap<string, DbtFileResult>; sorted: TopoResult };
  /**
   * Set by a caller that drops the statements of file results once they are resolved (the scanner
   * keeps them in its parse cache, not in memory): returns the full parsed SQL of such a result when
   * its lineage must be resolved again (an upstream schema changed).
   */
  reloadParsed?: (result: DbtFileResult) => ParsedSql | undefined;
  /** Columns added by downstream references in the last run, per entity. */
  referenced?: ReferencedMemo;
}

export function newLineageMemo(): LineageMemo {
  return { entries: new Map() };
}

/** Output of `resolveDbtLineage`. */
export interface DbtLineageResult {
  /** Column facts per SQL-bearing entity id. */
  byEntity: Map<string, EntityColumnFacts>;
  /** Cycle and unknown-column diagnostics. */
  diagnostics: Diagnostic[];
  /** Entity ids whose lineage was resolved in this run (not served from the memo). */
  recomputed: Set<string>;
}

function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Picks the statement that defines a model: the last SELECT-like statement, else the last one. */
export function modelStatement(parsed: ParsedSql): ParsedStatement | undefined {
  const stmts = parsed.statements;
  for (let i = stmts.length - 1; i >= 0; i--) if (stmts[i]?.kind === 'select') return stmts[i];
  return stmts[stmts.length - 1];
}

/** Groups columns by entity id, in position order. */
export function columnsByEntity(columns: readonly Column[]): Map<string, Column[]> {
  const map = new Map<string, Column[]>();
  for (const c of columns) {
    const list = map.get(c.entityId);
    if (list) list.push(c);
    else map.set(c.entityId, [c]);
  }
  for (const list of map.values()) list.sort((a, b) => a.position - b.position);
  return map;
}

function placeholderTarget(rel: RelationName, placeholders: Record<string, string>): string | undefined {
  if (rel.schema?.toLowerCase() !== PLACEHOLDER_SCHEMA) return undefined;
  return placeholders[rel.name] ?? placeholders[rel.name.toLowerCase()];
}

/**
 * Resolves column lineage for every enabled dbt node in `results`. `declared` holds the columns the
 * dbt assembly declared (YAML, seeds), `entities` the assembled entities by id.
 */
export function resolveDbtLineage(results: readonly DbtFileResult[], entities: ReadonlyMap<string, Entity>, declared: ReadonlyMap<string, Column[]>, memo: LineageMemo): DbtLineageResult {
  const byId = new Map<string, DbtFileResult>();
  for (const r of results) if (!r.node.entity.disabled) byId.set(r.node.entity.id, r);
  const { order, cyclic, cycles } = dependencyOrder(byId, memo);
  const schema = new Map<string, string[] | undefined>();
  const declaredNames = (memo.declaredNames ??= new Map());
  // Stable arrays for declared schemas, so identity comparisons below hold across runs.
  const declaredOf = (id: string): string[] | undefined => {
    const dec = declared.get(id);
    if (!dec || dec.length === 0) return undefined;
    const hit = declaredNames.get(id);
    if (hit && sameRefs(hit.cols, dec)) return hit.names;
    const names = dec.map((c) => c.name);
    declaredNames.set(id, { cols: dec, names });
    return names;
  };
  const columnsOf = (id: string): string[] | undefined => (schema.has(id) ? schema.get(id) : declaredOf(id));
  const byEntity = new Map<string, EntityColumnFacts>();
  const recomputed = new Set<string>();
  const lineageDiagnostics: Diagnostic[] = [];
  // Entities whose schema lists all their columns: inferred from SQL, or a seed's CSV header.
  const complete = new Set<string>();
  const knownFully = (target: string): boolean => complete.has(target) || target.startsWith('seed.') || columnsOf(target) === undefined;
  // A placeholder of a ref/source that resolves to nothing targets `unresolved.<relation>`: say the relation.
  const nameOf = (id: string): string => entities.get(id)?.name ?? (id.startsWith(UNRESOLVED_PREFIX) ? id.slice(UNRESOLVED_PREFIX.length) : id);
  // Shared by every entity resolved in this run: an edge's `from` is an upstream column's id.
  const intern = newIdInterner();
  for (const id of [...order, ...cyclic]) {
    const result = byId.get(id);
    if (!result) continue;
    const entity = entities.get(id) ?? result.node.entity;
    const placeholders = result.node.rendered.placeholders;
    const dec = declared.get(id) ?? [];
    const cached = memo.entries.get(id);
    // Identity checks only: the same file result, path, upstream schema arrays and declared columns.
    // (Checked before allocating anything: after a one-file edit almost every entity is a hit.)
    if (cached && cached.result === result && cached.path === entity.path && sameRefs(cached.dec, dec) && cached.keys.every((k, i) => cached.upstream[i] === columnsOf(placeholders[k] ?? ''))) {
      schema.set(id, cached.schemaValue);
      if (cached.complete) complete.add(id);
      byEntity.set(id, cached.facts);
      append(lineageDiagnostics, cached.diagnostics);
      continue;
    }
    const keys = cached && cached.result === result ? cached.keys : Object.keys(placeholders).sort();
    const upstream = keys.map((k) => columnsOf(placeholders[k] ?? ''));
    recomputed.add(id);
    const parsed = result.parsed.statements.length === 0 && memo.reloadParsed ? (memo.reloadParsed(result) ?? result.parsed) : result.parsed;
    const stmt = modelStatement(parsed);
    const provenance: Provenance = { file: entity.path, line: stmt?.line ?? 1, column: 0, extractor: 'sql-lineage', confidence: 0.9 };
    let resolved: ResolvedStatement | undefined;
    if (stmt) {
      try {
        resolved = resolveLineage(stmt, (rel) => {
          const target = placeholderTarget(rel, placeholders);
          return target === undefined ? undefined : columnsOf(target);
        });
      } catch {
        // resolveLineage must not throw; treat a crash like an unparsable statement.
        resolved = undefined;
      }
    }
    const rename = (text: string): string => text.replace(/mallard__rel\.(r\d+)/gi, (m, key: string) => {
      const target = placeholders[key];
      return target === undefined ? m : nameOf(target);
    });
    let facts: EntityColumnFacts;
    let outputColumns: string[] | undefined;
    let remainder: OpenEntity['remainder'] = [];
    let diagnostics: Diagnostic[] = [];
    if (resolved) {
      // An unknown column is only clear when no upstream schema came from a (possibly partial) YAML list.
      if (keys.every((k) => knownFully(placeholders[k] ?? ''))) diagnostics = unknownColumnDiagnostics(entity.path, resolved, result.node.rendered, stmt?.line ?? 1, rename);
      const names = resolved.columns.map((c) => c.name);
      outputColumns = isCompleteSchema(resolved) ? names : undefined;
      // Columns first, so edges into and out of this entity reuse the columns' id strings.
      const columns = mergeColumns(entity, names.length > 0 ? names : undefined, dec, provenance, intern);
      const edges = edgesFromResolved(id, resolved, (rel) => placeholderTarget(rel, placeholders), provenance, rename, intern);
      facts = { columns, ...edges, unresolved: locateUnresolved(edges.unresolved, result.node.rendered) };
      // A star over a ref that matches no node passes through nothing the catalog has.
      remainder = remaindersOf(resolved.passThrough, (s) => {
        const target = placeholderTarget(s.relation, placeholders);
        return target !== undefined && entities.has(target) ? target : undefined;
      });
    } else {
      // A Python model has no SQL to read: that is a limit of lineage, not a parse error.
      const python = /\.py$/i.test(entity.path);
      const reason = python ? 'a Python model: its columns are the ones YAML declares; column lineage is not derived from Python code' : (result.parsed.diagnostics[0]?.message ?? 'the model has no SQL statement');
      facts = { columns: [...dec], columnEdges: [], unresolved: [{ target: id, name: entity.name, reason: python ? 'unsupported' : 'parse-error', detail: rename(reason), provenance }] };
    }
    let schemaValue = outputColumns ?? declaredOf(id);
    // Keep the previous array when the content is unchanged, so downstream entries stay valid.
    if (cached && schemaValue && cached.schemaValue && schemaValue.length === cached.schemaValue.length && schemaValue.every((c, i) => c === cached.schemaValue?.[i])) schemaValue = cached.schemaValue;
    schema.set(id, schemaValue);
    if (outputColumns) complete.add(id);
    const entry: MemoEntry = { result, path: entity.path, keys, upstream, dec, schemaValue, complete: outputColumns !== undefined, facts, diagnostics };
    if (schemaValue === undefined || remainder.length > 0) {
      const computed = new Set(resolved?.columns.map((c) => c.name.toLowerCase()));
      // A statement with an unexpanded star already says what is unknown (`star-without-schema`).
      const note = resolved?.passThrough?.length ? undefined : `The output columns of ${id} could not be computed from its SQL; only the columns referenced downstream are known.`;
      entry.open = { id, columns: facts.columns, computed, remainder, provenance: { ...provenance, confidence: 0.5 }, ...(note ? { note } : {}) };
    }
    memo.entries.set(id, entry);
    byEntity.set(id, facts);
    append(lineageDiagnostics, diagnostics);
  }
  addReferencedColumns({ order: [...order, ...cyclic], byId, entities, declaredOf, byEntity, recomputed, memo, intern, openOf: (id) => memo.entries.get(id)?.open });
  for (const id of memo.entries.keys()) if (!byId.has(id)) memo.entries.delete(id);
  const diagnostics: Diagnostic[] = cycles.map((cycle) => cycleDiagnostic(cycle, byId, entities, nameOf));
  append(diagnostics, lineageDiagnostics);
  return { byEntity, diagnostics, recomputed };
}

/**
 * The nodes a node depends on, as dbt counts them: its `ref()`, `source()` and `-- depends_on:`
 * targets. Not its placeholders: `{{ this }}` (an incremental model reading itself) is a placeholder
 * of the node itself but no dependency, and counting it made every such model a "cycle".
 */
function upstreamsOf(result: DbtFileResult | undefined): string[] {
  const out: string[] = [];
  for (const d of result?.node.dependencies ?? []) if (d.target !== undefined) out.push(d.target);
  return out;
}

/**
 * A cycle (in flow order: each node refs the one before it, the first refs the last) reported where
 * the first node refs the last, as an error: dbt refuses to run a project with a cycle.
 */
function cycleDiagnostic(cycle: readonly string[], byId: ReadonlyMap<string, DbtFileResult>, entities: ReadonlyMap<string, Entity>, nameOf: (id: string) => string): Diagnostic {
  const first = byId.get(cycle[0] ?? '');
  const closing = first?.node.dependencies.find((d) => d.target === cycle[cycle.length - 1]);
  const file = first?.node.path ?? entities.get(cycle[0] ?? '')?.path ?? '';
  const loop = [...cycle, cycle[0] ?? ''].map(nameOf).join(' → ');
  const at = closing ? `the ${closing.kind === 'source' ? 'source' : 'ref'} '${closing.written}' here closes it; ` : '';
  return { file, line: closing?.line ?? 1, column: closing?.column ?? 1, severity: 'error', code: 'dependency-cycle', message: `Dependency cycle: ${loop} (${at}dbt refuses to run a project with a cycle)`, extractor: 'pipeline' };
}

/**
 * `topoSort` of the enabled nodes, reused from the previous run while every node is the same file
 * result or has the same upstreams (an edit inside a model's SELECT keeps the order).
 */
function dependencyOrder(byId: ReadonlyMap<string, DbtFileResult>, memo: LineageMemo): TopoResult {
  const prev = memo.topo;
  if (prev && prev.results.size === byId.size) {
    // Same nodes in the same order (topoSort is stable for a given input order), same upstreams.
    let same = true;
    const before = prev.results.entries();
    for (const [id, r] of byId) {
      const [oldId, old] = before.next().value ?? [];
      if (oldId !== id || (old !== r && !sameRefs(upstreamsOf(old), upstreamsOf(r)))) {
        same = false;
        break;
      }
    }
    if (same) {
      memo.topo = { results: byId, sorted: prev.sorted };
      return prev.sorted;
    }
  }
  const sorted = topoSort([...byId.keys()], (id) => upstreamsOf(byId.get(id)));
  memo.topo = { results: byId, sorted };
  return sorted;
}
