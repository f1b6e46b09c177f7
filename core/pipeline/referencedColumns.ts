import type { Column, ColumnEdge, Provenance, TransformKind, UnresolvedRef } from '../model/entities';
import { columnId } from '../model/ids';
import { composeKind } from '../sql/lineageScope';
import type { PassThroughSource } from './contracts';
import { inferredColumn, type Intern } from './columnFacts';
import { ownerOfId } from './ownership';

/**
 * Columns known only because SQL downstream reads them. An entity whose columns are unknown (a dbt
 * source without declared columns, a model whose output could not be computed or passes a `*`
 * through unexpanded, a plain SQL table without DDL) still has every column a downstream model
 * names through it: `select id as order_id from (select * from orders)` proves `orders.id` exists.
 * Those columns are added as inferred columns (extractor `sql-referenced`); an entity whose output
 * passes a star through gets an edge from the star's relation for each of them, which makes that
 * relation's column referenced in turn, so the columns travel up a chain of `select *` models.
 */

/** An unexpanded star that reaches an entity's output, by the entity id it reads. */
export interface StarRemainder {
  /** The entity whose columns pass through. */
  from: string;
  transform: TransformKind;
  /** Lower-cased names removed by `* EXCEPT`. */
  except?: readonly string[];
  /** Lower-cased names transformed by `* REPLACE`. */
  replace?: readonly string[];
}

/** An entity whose column list is not known in full. */
export interface OpenEntity {
  id: string;
  /** The columns it has so far (declared and computed). */
  columns: readonly Column[];
  /** Lower-cased names of the columns its own SQL computed (they have their own edges). */
  computed: ReadonlySet<string>;
  /** Unexpanded stars that reach its output. */
  remainder: readonly StarRemainder[];
  /** Where the entity is defined: its statement, or the YAML that declares it. */
  provenance: Provenance;
  /** The note recorded when it gains columns by reference; undefined when its own facts say so. */
  note?: string;
}

/** What the references add to one entity. */
export interface ReferencedFacts {
  columns: Column[];
  columnEdges: ColumnEdge[];
  unresolved: UnresolvedRef[];
}

/** Maps `passThrough` sources of a resolved statement to star remainders (unknown relations dropped). */
export function remaindersOf(passThrough: readonly PassThroughSource[] | undefined, toEntity: (s: PassThroughSource) => string | undefined): StarRemainder[] {
  const out: StarRemainder[] = [];
  for (const s of passThrough ?? []) {
    const from = toEntity(s);
    if (from === undefined) continue;
    const r: StarRemainder = { from, transform: s.transform };
    if (s.except) r.except = s.except;
    if (s.replace) r.replace = s.replace;
    out.push(r);
  }
  return out;
}

/** Where a referenced column was first named: the earliest (file, line) of the edges reading it. */
function earlier(a: Provenance | undefined, b: Provenance): Provenance {
  if (!a) return b;
  return b.file < a.file || (b.file === a.file && b.line < a.line) ? b : a;
}

/**
 * Adds the referenced columns of every open entity. `order` lists the open entities downstream
 * first (so every reader of an entity is settled before it is); `edges` are the column edges that
 * may read them. Deterministic for the same input, whatever order the edges come in.
 */
export function referencedColumns(open: ReadonlyMap<string, OpenEntity>, order: readonly string[], edges: Iterable<ColumnEdge>, intern: Intern = (id) => id): Map<string, ReferencedFacts> {
  // Lower-cased column name → where it is first named, per open entity.
  const refs = new Map<string, Map<string, Provenance>>();
  const note = (from: string, provenance: Provenance): void => {
    const owner = ownerOfId(from);
    if (!open.has(owner)) return;
    let names = refs.get(owner);
    if (!names) refs.set(owner, (names = new Map()));
    const name = from.slice(owner.length + 1);
    names.set(name, earlier(names.get(name), provenance));
  };
  for (const e of edges) note(e.from, e.provenance);
  const out = new Map<string, ReferencedFacts>();
  for (const id of order) {
    const entity = open.get(id);
    if (!entity) continue;
    const known = new Set(entity.columns.map((c) => c.name.toLowerCase()));
    const named = refs.get(id) ?? new Map<string, Provenance>();
    const facts: ReferencedFacts = { columns: [], columnEdges: [], unresolved: [] };
    const own: Provenance = { ...entity.provenance, extractor: 'sql-referenced', confidence: 0.5 };
    const added: string[] = [];
    for (const name of [...named.keys()].sort()) {
      if (known.has(name)) continue;
      // A name every star of the entity removes (`* EXCEPT`) is not one of its columns.
      if (entity.remainder.length > 0 && entity.remainder.every((r) => r.except?.includes(name))) {
        facts.unresolved.push({ target: id, name, reason: 'unknown-column', detail: `"${name}" is read downstream, but the * of ${id} excludes it.`, provenance: own });
        continue;
      }
      added.push(name);
    }
    added.forEach((name, i) => {
      const provenance: Provenance = { ...(named.get(name) as Provenance), column: 0, extractor: 'sql-referenced', confidence: 0.5 };
      facts.columns.push(inferredColumn(id, name, entity.columns.length + i, provenance, intern));
    });
    if (entity.remainder.length > 0) {
      // Columns not computed by the entity's own SQL come through its star: declared-only ones too.
      const through = [...entity.columns.filter((c) => !entity.computed.has(c.name.toLowerCase())).map((c) => c.name.toLowerCase()), ...added];
      for (const name of through) passThrough(entity, name, facts, own, named.get(name) ?? own, note, intern);
    }
    if (added.length > 0 && entity.note !== undefined) {
      facts.unresolved.push({ target: id, name: '*', reason: 'star-without-schema', detail: entity.note, provenance: own });
    }
    if (facts.columns.length > 0 || facts.columnEdges.length > 0 || facts.unresolved.length > 0) out.set(id, facts);
  }
  return out;
}

/** The edge of `name` from the one star that can hold it (`provenance`: the star's statement), or an ambiguity when several can. */
function passThrough(entity: OpenEntity, name: string, facts: ReferencedFacts, provenance: Provenance, namedAt: Provenance, note: (from: string, p: Provenance) => void, intern: Intern): void {
  const candidates = entity.remainder.filter((r) => !r.except?.includes(name));
  const to = intern(columnId(entity.id, name));
  // Two stars over the same relation (a self-join) still agree on where the name comes from.
  const only = new Set(candidates.map((c) => c.from)).size === 1 ? candidates[0] : undefined;
  if (only) {
    const from = intern(columnId(only.from, name));
    const transform = only.replace?.includes(name) ? composeKind('transformation', only.transform) : only.transform;
    facts.columnEdges.push({ from, to, level: 'column', transform, provenance });
    // The upstream column is known from where the name was first written, not from this star.
    note(from, namedAt);
  } else if (candidates.length > 1) {
    const list = [...new Set(candidates.map((c) => c.from))].sort().join(', ');
    facts.unresolved.push({ target: to, name, reason: 'ambiguous-column', detail: `Ambiguous: "${name}" reaches ${entity.id} through * over several relations whose columns are unknown: ${list}.`, provenance });
  }
}
