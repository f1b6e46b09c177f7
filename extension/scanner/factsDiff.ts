import { createHash } from 'node:crypto';
import { append } from '../../core/pipeline/topo';
import { emptyFacts, type Facts } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import type { EntityColumnFacts } from '../../core/pipeline/columnFacts';
import type { UnitFacts } from '../../core/pipeline/extractWorkspace';
import { ownerOfId, selectOwned } from '../../core/pipeline/ownership';

/**
 * Groups facts by owner the way the catalog store owns them (an entity owns itself, its columns,
 * the model and column edges into it and its unresolved refs; a file owns its diagnostics), signs
 * each group, and turns two signature maps into the smallest `replaceFacts` scope.
 *
 * A dbt entity's group keeps its column lineage (`EntityColumnFacts`, from the lineage memo) apart
 * from its other rows: the lineage part is signed once per object (a memo hit is the same object),
 * so re-signing a whole project after a YAML edit hashes its YAML facts, not its 200k+ edges again.
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

/** Order-insensitive signature of facts: sha1 over their sorted JSON rows. */
function signRows(g: Facts): string {
  const h = createHash('sha1');
  for (const list of [g.entities, g.columns, g.modelEdges, g.columnEdges, g.unresolved, g.diagnostics] as unknown[][]) {
    const rows = list.map((x) => JSON.stringify(x)).sort();
    for (const r of rows) h.update(r).update('\n');
    h.update('\x1e');
  }
  return h.digest('hex');
}

/** Lineage part signatures, by object: the memo hands out the same object while it is current. */
const lineageSignatures = new WeakMap<EntityColumnFacts, string>();

function signLineage(f: EntityColumnFacts): string {
  let sig = lineageSignatures.get(f);
  if (sig === undefined) {
    sig = signRows({ ...emptyFacts(), columns: f.columns, columnEdges: f.columnEdges, unresolved: f.unresolved });
    lineageSignatures.set(f, sig);
  }
  return sig;
}

/** Signature of an owner group: its rows and its lineage parts. */
export function signGroup(g: OwnerGroup): string {
  const rows = signRows(g.rows);
  if (g.lineage.length === 0) return rows;
  return createHash('sha1').update([rows, ...g.lineage.map(signLineage)].join('\n')).digest('hex');
}

/** Signs every group. */
export function signGroups(groups: ReadonlyMap<OwnerKey, OwnerGroup>): Map<OwnerKey, string> {
  const out = new Map<OwnerKey, string>();
  for (const [k, g] of groups) out.set(k, signGroup(g));
  return out;
}

/** The write needed to go from `before` to `after` for the owners in `candidates`. */
export interface FactsDelta {
  entityIds: string[];
  files: string[];
  facts: Facts;
}

/**
 * Computes the delta for `candidates` (owner keys that may have changed): owners whose signature
 * changed, appeared or disappeared are replaced; others are left alone. Updates `before` in place.
 */
export function diffGroups(before: Map<OwnerKey, string>, after: ReadonlyMap<OwnerKey, OwnerGroup>, candidates: Iterable<OwnerKey>): FactsDelta {
  const delta: FactsDelta = { entityIds: [], files: [], facts: emptyFacts() };
  for (const key of new Set(candidates)) {
    const g = after.get(key);
    const sig = g ? signGroup(g) : undefined;
    if (sig === before.get(key)) continue;
    if (sig === undefined) before.delete(key);
    else before.set(key, sig);
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
