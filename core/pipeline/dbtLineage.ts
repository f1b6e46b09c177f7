import type { DbtManifest, DbtProjectContext } from '../dbt/api';
import type { Column, Diagnostic, Entity, Facts, Provenance } from '../model/entities';
import { resolveLineage } from '../sql/resolveLineage';
import type { ParsedSql, ParsedStatement, RelationName, ResolvedStatement } from './contracts';
import { edgesFromResolved, isCompleteSchema, mergeColumns, type EntityColumnFacts } from './columnFacts';
import type { DbtFileResult } from './fileStep';
import { topoSort } from './topo';

/**
 * Column lineage of a dbt project, computed in dependency order so `SELECT *` expands from the
 * upstream model's computed output columns (SQLMesh's idea). Results are memoized per entity by
 * (parsed IR identity, upstream schemas, declared columns), so after a single-file change only that
 * model and the downstream models whose input schemas changed are resolved again.
 */

export const PLACEHOLDER_SCHEMA = 'mallard__rel';

interface MemoEntry {
  parsed: ParsedSql;
  signature: string;
  outputColumns: string[] | undefined;
  facts: EntityColumnFacts;
}

/** Per-project memo kept by the caller between runs; start with `newLineageMemo()`. */
export interface LineageMemo {
  entries: Map<string, MemoEntry>;
  /** The dbt module's facts of the last run and what they were assembled from. */
  base?: { ctx: DbtProjectContext; manifest: DbtManifest | undefined; facts: Facts };
}

export function newLineageMemo(): LineageMemo {
  return { entries: new Map() };
}

/** Output of `resolveDbtLineage`. */
export interface DbtLineageResult {
  /** Column facts per SQL-bearing entity id. */
  byEntity: Map<string, EntityColumnFacts>;
  /** Cycle diagnostics. */
  diagnostics: Diagnostic[];
  /** Entity ids whose lineage was resolved in this run (not served from the memo). */
  recomputed: Set<string>;
}

const jsonCache = new WeakMap<Column, string>();
/** JSON of a declared column, cached by object: declared columns persist across incremental runs. */
function columnJson(c: Column): string {
  let j = jsonCache.get(c);
  if (j === undefined) {
    j = JSON.stringify(c);
    jsonCache.set(c, j);
  }
  return j;
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
  const upstreamIds = (id: string): string[] => Object.values(byId.get(id)?.node.rendered.placeholders ?? {});
  const { order, cyclic, cycles } = topoSort([...byId.keys()], upstreamIds);
  const schema = new Map<string, string[] | undefined>();
  const columnsOf = (id: string): string[] | undefined => {
    if (schema.has(id)) return schema.get(id);
    const dec = declared.get(id);
    return dec && dec.length > 0 ? dec.map((c) => c.name) : undefined;
  };
  // Signatures of schemas, computed once per run and entity: joining column lists for every
  // downstream model on every incremental run was the dominant cost at 5,000 models.
  const schemaSigs = new Map<string, string>();
  const schemaSigOf = (id: string): string => {
    let sig = schemaSigs.get(id);
    if (sig === undefined) {
      sig = columnsOf(id)?.join(',') ?? '?';
      schemaSigs.set(id, sig);
    }
    return sig;
  };
  const byEntity = new Map<string, EntityColumnFacts>();
  const recomputed = new Set<string>();
  const nameOf = (id: string): string => entities.get(id)?.name ?? id;
  for (const id of [...order, ...cyclic]) {
    const result = byId.get(id);
    if (!result) continue;
    const entity = entities.get(id) ?? result.node.entity;
    const placeholders = result.node.rendered.placeholders;
    const dec = declared.get(id) ?? [];
    const upstreamSig = Object.keys(placeholders).sort().map((k) => `${k}=${placeholders[k]}:${schemaSigOf(placeholders[k] ?? '')}`).join('|');
    const signature = `${entity.path}\n${upstreamSig}\n${dec.map(columnJson).join('\n')}`;
    const cached = memo.entries.get(id);
    if (cached && cached.parsed === result.parsed && cached.signature === signature) {
      schema.set(id, cached.outputColumns ?? (dec.length > 0 ? dec.map((c) => c.name) : undefined));
      byEntity.set(id, cached.facts);
      continue;
    }
    recomputed.add(id);
    const stmt = modelStatement(result.parsed);
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
    if (resolved) {
      const names = resolved.columns.map((c) => c.name);
      outputColumns = isCompleteSchema(resolved) ? names : undefined;
      const edges = edgesFromResolved(id, resolved, (rel) => placeholderTarget(rel, placeholders), provenance, rename);
      facts = { columns: mergeColumns(entity, names.length > 0 ? names : undefined, dec, provenance), ...edges };
    } else {
      const reason = result.parsed.diagnostics[0]?.message ?? 'the model has no SQL statement';
      facts = { columns: [...dec], columnEdges: [], unresolved: [{ target: id, name: entity.name, reason: 'parse-error', detail: rename(reason), provenance }] };
    }
    schema.set(id, outputColumns ?? (dec.length > 0 ? dec.map((c) => c.name) : undefined));
    memo.entries.set(id, { parsed: result.parsed, signature, outputColumns, facts });
    byEntity.set(id, facts);
  }
  for (const id of memo.entries.keys()) if (!byId.has(id)) memo.entries.delete(id);
  const diagnostics: Diagnostic[] = cycles.map((cycle) => {
    const first = entities.get(cycle[0] ?? '') ?? byId.get(cycle[0] ?? '')?.node.entity;
    return { file: first?.path ?? '', line: 1, column: 1, severity: 'error', code: 'dependency-cycle', message: `Dependency cycle: ${[...cycle, cycle[0] ?? ''].map(nameOf).join(' → ')}`, extractor: 'pipeline' };
  });
  return { byEntity, diagnostics, recomputed };
}
