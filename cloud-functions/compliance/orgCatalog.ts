import type { TransactionSql } from 'postgres';
import type { ComplianceInput } from '../../core/governance/compliance';
import { Column as ColumnSchema, Entity as EntitySchema, TransformKind, type Column, type ColumnEdge, type Entity } from '../../core/model/entities';

/**
 * The compliance input of an organization's catalog in the cloud: the org catalog rows
 * (`catalogEntity` / `catalogColumn` payloads, which carry the column edges into each column as
 * `upstream`) with the team metadata rows (`entity` / `column`: description, tags, owners,
 * classification) over them, as members see them after a pull. Read under the caller's claims, so
 * RLS decides what is evaluated.
 */

interface Row {
  kind: string;
  row_id: string;
  fields: Record<string, unknown>;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** Loads and assembles the input; payloads that do not parse are skipped (counted in `skipped`). */
export async function loadOrgCatalog(tx: TransactionSql, orgId: string): Promise<{ input: ComplianceInput; skipped: number }> {
  const rows = await tx<Row[]>`select kind, row_id, fields from public.sync_rows
    where org_id = ${orgId} and deleted is null and kind in ('catalogEntity', 'catalogColumn', 'entity', 'column')`;
  const meta = new Map<string, Record<string, unknown>>();
  for (const r of rows) if (r.kind === 'entity' || r.kind === 'column') meta.set(`${r.kind}:${r.row_id}`, r.fields);
  const entities: Entity[] = [];
  const columns: Column[] = [];
  const columnEdges: Pick<ColumnEdge, 'from' | 'to' | 'transform'>[] = [];
  let skipped = 0;
  for (const r of rows) {
    if (r.kind === 'catalogEntity') {
      const parsed = EntitySchema.safeParse(r.fields.payload);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const m = meta.get(`entity:${r.row_id}`) ?? {};
      const owners = strings(m.owners);
      entities.push({
        ...parsed.data,
        ...(typeof m.description === 'string' ? { description: m.description } : {}),
        ...(strings(m.tags) !== undefined ? { tags: strings(m.tags) ?? [] } : {}),
        ...(owners !== undefined && owners.length > 0 ? { owners: owners.map((name) => ({ name, source: 'yaml' as const })) } : {}),
      });
      for (const e of edgesOf((r.fields.payload as { columnUpstream?: unknown } | null)?.columnUpstream)) columnEdges.push(e);
    } else if (r.kind === 'catalogColumn') {
      const parsed = ColumnSchema.safeParse(r.fields.payload);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const m = meta.get(`column:${r.row_id}`) ?? {};
      columns.push({ ...parsed.data, ...(typeof m.description === 'string' ? { description: m.description } : {}) });
      for (const e of edgesOf((r.fields.payload as { upstream?: unknown } | null)?.upstream)) columnEdges.push(e);
    }
  }
  const classes = new Map<string, string>();
  for (const [key, m] of meta) if (key.startsWith('column:') && typeof m.classification === 'string') classes.set(key.slice('column:'.length), m.classification);
  return { input: { entities, columns, columnEdges, classes }, skipped };
}

function edgesOf(list: unknown): Pick<ColumnEdge, 'from' | 'to' | 'transform'>[] {
  if (!Array.isArray(list)) return [];
  const out: Pick<ColumnEdge, 'from' | 'to' | 'transform'>[] = [];
  for (const e of list as { from?: unknown; to?: unknown; transform?: unknown }[]) {
    const transform = TransformKind.safeParse(e?.transform);
    if (typeof e?.from === 'string' && typeof e.to === 'string' && transform.success) out.push({ from: e.from, to: e.to, transform: transform.data });
  }
  return out;
}
