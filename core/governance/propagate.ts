import type { ColumnEdge, TransformKind } from '../model/entities';

/**
 * Propagation of classifications along column lineage (issue 16): a column derived from personal
 * data is personal data too, and the reviewer sees the path it came by. Only edges that carry the
 * value propagate: `identity` and `transformation` keep the confidence, `aggregation` lowers it
 * (`count(email)` is not an e-mail; `max(email)` is), and indirect edges (join, filter, group, sort,
 * window, conditional) never propagate — a column filtered by an e-mail does not contain one.
 */

/** A classification held by a column (accepted, or a suggestion above the caller's threshold). */
export interface ColumnClass {
  columnId: string;
  key: string;
  confidence: number;
}

/** A classification reached through lineage. */
export interface PropagatedClass {
  columnId: string;
  key: string;
  confidence: number;
  /** Column ids from the classified origin to this column, both included. */
  path: string[];
}

const FACTOR: Partial<Record<TransformKind, number>> = { identity: 1, transformation: 1, aggregation: 0.6 };

/** Below this a propagated classification is dropped (two aggregations in a row). */
const FLOOR = 0.4;

/**
 * Every downstream column of a classified column, with the best (highest-confidence, then shortest)
 * path per column and key. Columns already holding the same key are not reported again. Cycles
 * (which lineage should not have) end at the first revisit.
 */
export function propagateClasses(seeds: readonly ColumnClass[], edges: readonly Pick<ColumnEdge, 'from' | 'to' | 'transform'>[]): PropagatedClass[] {
  const downstream = new Map<string, { to: string; factor: number }[]>();
  for (const e of edges) {
    const factor = FACTOR[e.transform];
    if (factor === undefined || e.from === e.to) continue;
    const list = downstream.get(e.from) ?? [];
    list.push({ to: e.to, factor });
    downstream.set(e.from, list);
  }
  const held = new Set(seeds.map((s) => `${s.key}\u0000${s.columnId}`));
  const best = new Map<string, PropagatedClass>();
  for (const seed of seeds) {
    // Breadth first per seed, keeping the best confidence seen per column.
    let frontier: PropagatedClass[] = [{ columnId: seed.columnId, key: seed.key, confidence: seed.confidence, path: [seed.columnId] }];
    const seen = new Map<string, number>([[seed.columnId, seed.confidence]]);
    while (frontier.length > 0) {
      const next: PropagatedClass[] = [];
      for (const at of frontier) {
        for (const { to, factor } of downstream.get(at.columnId) ?? []) {
          const confidence = Math.round(at.confidence * factor * 1000) / 1000;
          if (confidence < FLOOR || (seen.get(to) ?? -1) >= confidence) continue;
          seen.set(to, confidence);
          const reached = { columnId: to, key: seed.key, confidence, path: [...at.path, to] };
          next.push(reached);
          const id = `${seed.key}\u0000${to}`;
          if (held.has(id)) continue;
          const prev = best.get(id);
          if (prev === undefined || prev.confidence < confidence || (prev.confidence === confidence && prev.path.length > reached.path.length)) best.set(id, reached);
        }
      }
      frontier = next;
    }
  }
  return [...best.values()].sort((a, b) => (a.columnId < b.columnId ? -1 : a.columnId > b.columnId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
