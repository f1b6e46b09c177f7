import { classifyColumn, type ClassificationSuggestion } from '../governance/classify';
import type { SqlSession } from './connector';
import type { ColumnRow, RelationRow } from './postgresCatalog';

/**
 * Personal-data classification by sampled values (issue 16: "value patterns where a connector can
 * sample"), opt-in per Postgres connector (`sampleRows`). A few rows of each table are read as text,
 * classified in memory with the same rules as names and types (`core/governance/classify.ts`), and
 * only what the values add is kept: the class, its confidence and a reason such as "19 of 20 sampled
 * values look like e-mail addresses". The values themselves are never stored or returned.
 */

/** Where the classes found in a column's values go: `Column.meta[SAMPLED_CLASSES_META]`. */
export const SAMPLED_CLASSES_META = 'mallard_sampled_classes';

/** The classes a column's sampled values suggest (beyond its name and type). */
export type SampledClass = Pick<ClassificationSuggestion, 'key' | 'confidence' | 'reason'>;

/** Relation kinds whose rows can be read: tables, partitioned tables, materialized views, foreign tables. */
const SAMPLED_KINDS = new Set(['r', 'p', 'm', 'f']);
/** Types whose text form says nothing about personal data, or is too large to read. */
const SKIPPED_TYPE = /^(bytea|json|jsonb|xml|tsvector|tsquery|boolean|bool)\b|\[\]$/i;

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Samples `rows` rows of each readable relation among `relations` and classifies the text-like
 * columns; keyed by `<relid>#<column name>`. A relation that cannot be read (no privilege, a foreign
 * server down) is skipped: sampling only ever adds evidence.
 */
export async function sampleColumnClasses(session: SqlSession, relations: readonly RelationRow[], columns: readonly ColumnRow[], rows: number): Promise<Map<string, SampledClass[]>> {
  const out = new Map<string, SampledClass[]>();
  if (rows <= 0) return out;
  const byRel = new Map<string, ColumnRow[]>();
  for (const c of columns) if (!SKIPPED_TYPE.test(c.type)) byRel.set(c.relid, [...(byRel.get(c.relid) ?? []), c]);
  for (const rel of relations) {
    const cols = byRel.get(rel.oid);
    if (!SAMPLED_KINDS.has(rel.kind) || cols === undefined || cols.length === 0) continue;
    let sample: Record<string, unknown>[];
    try {
      const list = cols.map((c, i) => `${quoteIdent(c.name)}::text as c${i}`).join(', ');
      sample = await session.query(`select ${list} from ${quoteIdent(rel.schema)}.${quoteIdent(rel.name)} limit ${Math.trunc(rows)}`);
    } catch {
      continue;
    }
    cols.forEach((c, i) => {
      const values = sample.map((r) => r[`c${i}`]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
      if (values.length === 0) return;
      const plain = new Map(classifyColumn({ name: c.name, type: c.type }).map((s) => [s.key, s.confidence]));
      const added = classifyColumn({ name: c.name, type: c.type, values }).filter((s) => s.confidence > (plain.get(s.key) ?? 0));
      if (added.length > 0) out.set(`${rel.oid}#${c.name}`, added.map(({ key, confidence, reason }) => ({ key, confidence, reason })));
    });
  }
  return out;
}
