import type { Database } from 'better-sqlite3';
import type { EntitySummary } from './catalogTypes';
import { editDistance } from '../../core/text/editDistance';
import { prepared } from './sqlUtil';

/**
 * "Did you mean" for a name that matched nothing. Candidates come from the search index first:
 * the rarest words of the query that exist in some name (from `search_vocab`) are OR-ed, which
 * finds `fct_orders_2024` for `fct_ordrs_2024` by its other words in a few milliseconds. Only when
 * that yields nothing within the edit budget is every name of a compatible length scanned
 * (~1 µs per name).
 */

/** OR-ing words found in more names than this costs more than the scan saves. */
const MAX_CANDIDATE_DOCS = 20_000;
const CANDIDATES = 200;

/** Edit-distance-ranked ids (best first) of names close to `query`. */
export function fuzzyCandidates(db: Database, query: string, limit: number): Map<string, number> {
  const needle = query.toLowerCase();
  const budget = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  const found = new Map<string, number>();
  const consider = (id: string, name: string): void => {
    const distance = editDistance(needle, name.toLowerCase(), budget);
    if (distance <= budget && (found.get(id) ?? Infinity) > distance) found.set(id, distance);
  };
  for (const row of indexCandidates(db, needle)) consider(row.id, row.name);
  if (found.size === 0) {
    const names = prepared(db, 'SELECT id, name FROM entities WHERE length(name) BETWEEN ? AND ?').raw().iterate(
      needle.length - budget,
      needle.length + budget,
    ) as IterableIterator<[string, string]>;
    for (const [id, name] of names) consider(id, name);
  }
  return new Map([...found].sort((a, b) => a[1] - b[1]).slice(0, limit));
}

function indexCandidates(db: Database, needle: string): { id: string; name: string }[] {
  const words = [...new Set(needle.match(/[\p{L}\p{N}]+/gu) ?? [])];
  if (words.length < 2) return [];
  const counts = prepared(db, `SELECT term, doc FROM search_vocab WHERE col = 'name' AND term IN (SELECT value FROM json_each(?))`).all(
    JSON.stringify(words),
  ) as { term: string; doc: number }[];
  const rare = counts.sort((a, b) => a.doc - b.doc).slice(0, 3);
  const docs = rare.reduce((sum, r) => sum + r.doc, 0);
  if (rare.length === 0 || docs > MAX_CANDIDATE_DOCS) return [];
  const match = `{name} : (${rare.map((r) => `"${r.term.replaceAll('"', '""')}"`).join(' OR ')})`;
  return prepared(
    db,
    `SELECT e.id, e.name FROM (SELECT rowid, bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH ? ORDER BY score LIMIT ?) f
     JOIN entities e ON e.rowid = f.rowid`,
  ).all(match, CANDIDATES) as { id: string; name: string }[];
}

/** Orders summaries by their distance in `ranked`, then by `tieBreak`. */
export function byDistance(ranked: Map<string, number>, tieBreak: (a: EntitySummary, b: EntitySummary) => number) {
  return (a: EntitySummary, b: EntitySummary): number => (ranked.get(a.id) ?? 0) - (ranked.get(b.id) ?? 0) || tieBreak(a, b);
}
