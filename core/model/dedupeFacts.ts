import type { Column, ColumnEdge, Diagnostic, Entity, Facts, ModelEdge } from './entities';

/**
 * De-duplication of facts by the keys the catalog stores them under, before anything is written.
 * A repository can define one id twice (a model file and its copy, a column listed twice, two
 * YAML files describing one source table): the catalog holds one row per id, so a duplicate used to
 * fail the whole write. Here the first fact of each id wins and every later one becomes a warning
 * located where the ignored fact was defined, naming what was duplicated and where the kept one is.
 *
 * Pure and total: items that are not well-formed (a missing id) pass through untouched, so the
 * store's schema validation still reports them. Arrays without duplicates are returned as they are.
 */

/** Result of `dedupeFacts`. */
export interface DedupedFacts {
  facts: Facts;
  /** One warning per ignored entity or column, located at the ignored definition. */
  warnings: Diagnostic[];
}

/** Code of the warnings `dedupeFacts` adds. */
export const DUPLICATE_FACT_CODE = 'duplicate-definition';

interface Located {
  provenance?: { file?: unknown; line?: unknown; column?: unknown };
}

function where(fact: Located): { file: string; line: number; column: number } {
  const p = fact.provenance;
  const file = typeof p?.file === 'string' ? p.file : '';
  const line = typeof p?.line === 'number' && p.line > 0 ? Math.trunc(p.line) : 1;
  const column = typeof p?.column === 'number' && p.column > 0 ? Math.trunc(p.column) : 1;
  return { file, line, column };
}

function at(fact: Located): string {
  const w = where(fact);
  return `${w.file || '(unknown file)'}:${w.line}`;
}

function warning(fact: Located, message: string): Diagnostic {
  return { ...where(fact), severity: 'warning', code: DUPLICATE_FACT_CODE, message, extractor: 'catalog' };
}

const stringKey = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Keeps the first item of each key; `onDuplicate` gets each later one with the kept one. */
function firstOfEachKey<T>(items: readonly T[], keyOf: (item: T) => string | undefined, onDuplicate: (item: T, kept: T) => void): T[] {
  const first = new Map<string, T>();
  let out: T[] | undefined;
  items.forEach((item, i) => {
    const key = keyOf(item);
    const kept = key === undefined ? undefined : first.get(key);
    if (key !== undefined && kept === undefined) first.set(key, item);
    if (kept === undefined) {
      out?.push(item);
      return;
    }
    // The first duplicate switches from "return the input" to copying the kept items.
    out ??= items.slice(0, i);
    onDuplicate(item, kept);
  });
  return out ?? (items as T[]);
}

function entityLabel(e: Entity): string {
  return `${e.kind} '${e.name}' (${e.id})`;
}

/** Options of `dedupeFacts`. */
export interface DedupeOptions {
  /**
   * Also drop repeated edges (default true). A writer that inserts edges in key order with a
   * stable sort and ignores a repeated key (the bulk load) keeps the first anyway and may skip it:
   * at 200k+ edges it costs more than the rest of the de-duplication.
   */
  edges?: boolean;
}

/** Returns `facts` with one fact per stored key (first wins) and a warning per ignored entity or column. */
export function dedupeFacts(facts: Facts, options: DedupeOptions = {}): DedupedFacts {
  const warnings: Diagnostic[] = [];
  const duplicatedEntities = new Set<string>();
  const entities = firstOfEachKey(facts.entities, (e) => stringKey((e as Partial<Entity>).id), (e, kept) => {
    duplicatedEntities.add(e.id);
    warnings.push(warning(e, `${entityLabel(e)} is defined twice; the first definition (${at(kept)}) wins and this one is ignored`));
  });
  const entityIds = new Set<string>();
  for (const e of entities) if (typeof (e as Partial<Entity>).id === 'string') entityIds.add(e.id);
  // A column whose entity is not among the facts cannot be stored (its owner row is missing).
  const owned = facts.columns.some((c) => typeof c.entityId === 'string' && !entityIds.has(c.entityId))
    ? facts.columns.filter((c) => {
        if (typeof c.entityId !== 'string' || entityIds.has(c.entityId)) return true;
        warnings.push(warning(c, `column '${String(c.name)}' belongs to ${c.entityId}, which is not defined; the column is ignored`));
        return false;
      })
    : facts.columns;
  const columns = firstOfEachKey(owned, (c) => stringKey((c as Partial<Column>).id), (c, kept) => {
    // The entity's own warning already says its definitions merge; one warning per column would repeat it.
    if (duplicatedEntities.has(c.entityId)) return;
    warnings.push(warning(c, `column '${c.name}' of ${c.entityId} is declared twice; the first declaration (${at(kept)}) wins and this one is ignored`));
  });
  // Edges with the same key are one fact found twice (a ref written twice): keep one, no warning.
  const edges = options.edges !== false;
  const modelEdges = edges ? firstOfEachEdge(facts.modelEdges, (m: ModelEdge) => [m.to, m.from, m.kind]) : facts.modelEdges;
  const columnEdges = edges ? firstOfEachEdge(facts.columnEdges, (c: ColumnEdge) => [c.to, c.from, c.transform]) : facts.columnEdges;
  return {
    facts: { entities, columns, modelEdges, columnEdges, unresolved: facts.unresolved, diagnostics: facts.diagnostics },
    warnings: distinct(warnings),
  };
}

/** Drops repeated identical warnings (the same fact copied three times in one place warns once per place). */
function distinct(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * `firstOfEachKey` for edges, keyed by three strings without building a key string per edge: the
 * edges into one target are few, so each target keeps the list of its (from, kind) pairs. An edge
 * whose key parts are not all strings passes through (validation reports it).
 */
function firstOfEachEdge<T>(items: readonly T[], keyOf: (item: T) => readonly [unknown, unknown, unknown]): T[] {
  const byTarget = new Map<string, string[]>();
  let out: T[] | undefined;
  items.forEach((item, i) => {
    const [a, b, c] = keyOf(item);
    let duplicate = false;
    if (typeof a === 'string' && typeof b === 'string' && typeof c === 'string') {
      const seen = byTarget.get(a);
      if (!seen) byTarget.set(a, [b, c]);
      else {
        for (let k = 0; k < seen.length && !duplicate; k += 2) duplicate = seen[k] === b && seen[k + 1] === c;
        if (!duplicate) seen.push(b, c);
      }
    }
    if (!duplicate) {
      out?.push(item);
      return;
    }
    // The first duplicate switches from "return the input" to copying the kept items.
    out ??= items.slice(0, i);
  });
  return out ?? (items as T[]);
}
