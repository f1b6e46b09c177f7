import { createHash } from 'node:crypto';
import { append } from '../../core/pipeline/topo';
import { emptyFacts, type Facts } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';

/**
 * Groups facts by owner the way the catalog store owns them (an entity owns itself, its columns,
 * the model and column edges into it and its unresolved refs; a file owns its diagnostics), signs
 * each group, and turns two signature maps into the smallest `replaceFacts` scope.
 */

/** Facts of one owner group. */
export type OwnedFacts = Facts;

/** Owner key: `e:<entityId>` or `f:<file>`. */
export type OwnerKey = string;

function group(map: Map<OwnerKey, OwnedFacts>, key: OwnerKey): OwnedFacts {
  let g = map.get(key);
  if (!g) map.set(key, (g = emptyFacts()));
  return g;
}

/** Splits facts into owner groups. When `entityFilter` is given, other entities' groups are skipped. */
export function groupByOwner(facts: Facts, entityFilter?: ReadonlySet<string>): Map<OwnerKey, OwnedFacts> {
  const map = new Map<OwnerKey, OwnedFacts>();
  const keep = (id: string): boolean => entityFilter === undefined || entityFilter.has(id);
  for (const e of facts.entities) if (keep(e.id)) group(map, `e:${e.id}`).entities.push(e);
  for (const c of facts.columns) if (keep(c.entityId)) group(map, `e:${c.entityId}`).columns.push(c);
  for (const m of facts.modelEdges) if (keep(m.to)) group(map, `e:${m.to}`).modelEdges.push(m);
  for (const c of facts.columnEdges) {
    const owner = splitColumnId(c.to).entityId;
    if (keep(owner)) group(map, `e:${owner}`).columnEdges.push(c);
  }
  for (const u of facts.unresolved) {
    const owner = splitColumnId(u.target).entityId;
    if (keep(owner)) group(map, `e:${owner}`).unresolved.push(u);
  }
  for (const d of facts.diagnostics) group(map, `f:${d.file}`).diagnostics.push(d);
  return map;
}

/** Order-insensitive signature of a group: sha1 over its sorted JSON rows. */
export function signGroup(g: OwnedFacts): string {
  const h = createHash('sha1');
  for (const list of [g.entities, g.columns, g.modelEdges, g.columnEdges, g.unresolved, g.diagnostics] as unknown[][]) {
    const rows = list.map((x) => JSON.stringify(x)).sort();
    for (const r of rows) h.update(r).update('\n');
    h.update('\x1e');
  }
  return h.digest('hex');
}

/** Signs every group. */
export function signGroups(groups: ReadonlyMap<OwnerKey, OwnedFacts>): Map<OwnerKey, string> {
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
export function diffGroups(before: Map<OwnerKey, string>, after: ReadonlyMap<OwnerKey, OwnedFacts>, candidates: Iterable<OwnerKey>): FactsDelta {
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
    append(delta.facts.entities, g.entities);
    append(delta.facts.columns, g.columns);
    append(delta.facts.modelEdges, g.modelEdges);
    append(delta.facts.columnEdges, g.columnEdges);
    append(delta.facts.unresolved, g.unresolved);
    append(delta.facts.diagnostics, g.diagnostics);
  }
  return delta;
}
