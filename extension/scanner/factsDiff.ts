import { append } from '../../core/pipeline/topo';
import { emptyFacts, type Facts } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import type { EntityColumnFacts } from '../../core/pipeline/columnFacts';
import type { UnitFacts } from '../../core/pipeline/extractWorkspace';
import { ownerOfId, selectOwned } from '../../core/pipeline/ownership';

/**
 * Groups facts by owner the way the catalog store owns them (an entity owns itself, its columns,
 * the model and column edges into it and its unresolved refs; a file owns its diagnostics), and
 * turns the groups of what the store holds and of new facts into the smallest `replaceFacts` scope.
 * The store's side is grouped from the units the last write came from (kept in the scanner's
 * state), only for the owners an update may have changed: nothing is signed or hashed up front.
 *
 * A dbt entity's group keeps its column lineage (`EntityColumnFacts`, from the lineage memo) apart
 * from its other rows: a lineage part that is the same object on both sides (a memo hit) is equal,
 * so comparing a whole project after a YAML edit reads its YAML facts, not its 200k+ edges.
 */

/** Owner key: `e:<entityId>` or `f:<file>`. */
export type OwnerKey = string;

/** Facts of one owner: rows, plus lineage parts kept whole (see the file comment). */
export interface OwnerGroup {
  rows: Facts;
  lineage: EntityColumnFacts[];
}

function group(map: Map<OwnerKey, OwnerGroup>, key: OwnerKey): OwnerGroup {
  let g = map.get(key);
  if (!g) map.set(key, (g = { rows: emptyFacts(), lineage: [] }));
  return g;
}

/** Splits facts into owner groups. When `entityFilter` is given, other entities' groups are skipped. */
export function groupByOwner(facts: Facts, entityFilter?: ReadonlySet<string>, into = new Map<OwnerKey, OwnerGroup>()): Map<OwnerKey, OwnerGroup> {
  const keep = (id: string): boolean => entityFilter === undefined || entityFilter.has(id);
  for (const e of facts.entities) if (keep(e.id)) group(into, `e:${e.id}`).rows.entities.push(e);
  for (const c of facts.columns) if (keep(c.entityId)) group(into, `e:${c.entityId}`).rows.columns.push(c);
  for (const m of facts.modelEdges) if (keep(m.to)) group(into, `e:${m.to}`).rows.modelEdges.push(m);
  for (const c of facts.columnEdges) {
    const owner = splitColumnId(c.to).entityId;
    if (keep(owner)) group(into, `e:${owner}`).rows.columnEdges.push(c);
  }
  for (const u of facts.unresolved) {
    const owner = splitColumnId(u.target).entityId;
    if (keep(owner)) group(into, `e:${owner}`).rows.unresolved.push(u);
  }
  for (const d of facts.diagnostics) group(into, `f:${d.file}`).rows.diagnostics.push(d);
  return into;
}

/**
 * Owner groups of the units' facts (of the entities in `ids`, all when undefined; every file's
 * diagnostics) without merging all facts: dbt units are read through their parts (the dbt module's
 * facts are small; lineage facts are already per entity), which keeps an edit's diff independent
 * of the project's column count.
 */
export function ownerGroups(units: readonly UnitFacts[], ids?: ReadonlySet<string>): Map<OwnerKey, OwnerGroup> {
  const groups = new Map<OwnerKey, OwnerGroup>();
  for (const unit of units) {
    if (!unit.parts) {
      groupByOwner({ ...unit.facts, diagnostics: [] }, ids, groups);
    } else {
      const { base, byEntity } = unit.parts;
      const all = ids ?? new Set([...unit.facts.entities.map((e) => e.id), ...byEntity.keys()]);
      for (const e of unit.facts.entities) if (all.has(e.id)) group(groups, `e:${e.id}`).rows.entities.push(e);
      const owned = ids ? selectOwned(base, all, new Set(), true) : base;
      const rows = (id: string): Facts => group(groups, `e:${id}`).rows;
      for (const c of owned.columns) if (!byEntity.has(c.entityId)) rows(c.entityId).columns.push(c);
      for (const m of owned.modelEdges) rows(m.to).modelEdges.push(m);
      for (const c of owned.columnEdges) rows(ownerOfId(c.to)).columnEdges.push(c);
      for (const u of owned.unresolved) rows(ownerOfId(u.target)).unresolved.push(u);
      for (const id of all) {
        const lin = byEntity.get(id);
        if (lin) group(groups, `e:${id}`).lineage.push(lin);
      }
    }
    for (const d of unit.facts.diagnostics) group(groups, `f:${d.file}`).rows.diagnostics.push(d);
  }
  return groups;
}

/** The rows of a list as sorted JSON (order-insensitive comparison). */
function sortedRows(list: readonly unknown[]): string[] {
  return list.map((x) => JSON.stringify(x)).sort();
}

/** Whether two lists hold the same rows in any order (the same objects in the same order: at once). */
function sameRows(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  if (a.every((x, i) => x === b[i])) return true;
  const sa = sortedRows(a);
  const sb = sortedRows(b);
  return sa.every((x, i) => x === sb[i]);
}

function sameFacts(a: Facts, b: Facts): boolean {
  return sameRows(a.entities, b.entities) && sameRows(a.columns, b.columns) && sameRows(a.modelEdges, b.modelEdges) && sameRows(a.columnEdges, b.columnEdges) && sameRows(a.unresolved, b.unresolved) && sameRows(a.diagnostics, b.diagnostics);
}

/** A lineage part as facts (its three arrays). */
const lineageFacts = (f: EntityColumnFacts): Facts => ({ ...emptyFacts(), columns: f.columns, columnEdges: f.columnEdges, unresolved: f.unresolved });

/**
 * Whether two owner groups hold the same facts. Lineage parts that are the same object (a memo
 * hit) are equal without looking at their rows: after a YAML edit, a project's 200k+ edges are not
 * compared again, only its YAML facts.
 */
export function sameGroup(a: OwnerGroup | undefined, b: OwnerGroup | undefined): boolean {
  if (!a || !b) return a === b;
  if (!sameFacts(a.rows, b.rows)) return false;
  if (a.lineage.length === b.lineage.length && a.lineage.every((x, i) => x === b.lineage[i])) return true;
  const merge = (g: OwnerGroup): Facts => {
    const out = emptyFacts();
    for (const part of g.lineage) {
      append(out.columns, part.columns);
      append(out.columnEdges, part.columnEdges);
      append(out.unresolved, part.unresolved);
    }
    return out;
  };
  return sameFacts(a.lineage.length === 1 && a.lineage[0] ? lineageFacts(a.lineage[0]) : merge(a), b.lineage.length === 1 && b.lineage[0] ? lineageFacts(b.lineage[0]) : merge(b));
}

/** The write needed to go from `before` to `after` for the owners in `candidates`. */
export interface FactsDelta {
  entityIds: string[];
  files: string[];
  facts: Facts;
}

/**
 * Computes the delta for `candidates` (owner keys that may have changed) between the groups of what
 * the store holds (`before`) and of the new facts (`after`): owners whose facts changed, appeared or
 * disappeared are replaced; others are left alone.
 */
export function diffGroups(before: ReadonlyMap<OwnerKey, OwnerGroup>, after: ReadonlyMap<OwnerKey, OwnerGroup>, candidates: Iterable<OwnerKey>): FactsDelta {
  const delta: FactsDelta = { entityIds: [], files: [], facts: emptyFacts() };
  for (const key of new Set(candidates)) {
    const g = after.get(key);
    if (sameGroup(before.get(key), g)) continue;
    if (key.startsWith('e:')) delta.entityIds.push(key.slice(2));
    else delta.files.push(key.slice(2));
    if (!g) continue;
    for (const part of [g.rows, ...g.lineage]) {
      append(delta.facts.columns, part.columns);
      append(delta.facts.columnEdges, part.columnEdges);
      append(delta.facts.unresolved, part.unresolved);
    }
    append(delta.facts.entities, g.rows.entities);
    append(delta.facts.modelEdges, g.rows.modelEdges);
    append(delta.facts.diagnostics, g.rows.diagnostics);
  }
  return delta;
}
