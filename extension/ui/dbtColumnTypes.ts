/**
 * Column types from dbt's artifacts, for the docs panel: `target/catalog.json` (written by
 * `dbt docs generate`, the warehouse's real types) and `target/manifest.json` (`data_type` of
 * documented columns). The scanner does not read these types, so the panel reads them itself when
 * the files exist. Pure and total: text in, a map out; malformed JSON yields an empty map.
 */

/** Where an artifact type came from. */
export type ArtifactOrigin = 'catalog' | 'manifest';

/** Types by entity id (dbt `unique_id`, which Mallard's ids follow) and lower-cased column name. */
export type DbtColumnTypes = ReadonlyMap<string, ReadonlyMap<string, { type: string; origin: ArtifactOrigin }>>;

/** Types from the artifacts' texts; the catalog's warehouse types win over the manifest's declared ones. */
export function parseDbtColumnTypes(texts: { manifest?: string; catalog?: string }): DbtColumnTypes {
  const out = new Map<string, Map<string, { type: string; origin: ArtifactOrigin }>>();
  const add = (text: string | undefined, origin: ArtifactOrigin, field: 'data_type' | 'type'): void => {
    const data = parse(text);
    for (const section of ['nodes', 'sources']) {
      const nodes = record(data?.[section]);
      for (const [id, node] of Object.entries(nodes ?? {})) {
        for (const [name, column] of Object.entries(record(record(node)?.columns) ?? {})) {
          const type = record(column)?.[field];
          if (typeof type !== 'string' || type.trim() === '') continue;
          const columns = out.get(id) ?? new Map<string, { type: string; origin: ArtifactOrigin }>();
          const key = name.toLowerCase();
          if (!columns.has(key)) columns.set(key, { type: type.trim(), origin });
          out.set(id, columns);
        }
      }
    }
  };
  add(texts.catalog, 'catalog', 'type');
  add(texts.manifest, 'manifest', 'data_type');
  return out;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return record(JSON.parse(text));
  } catch {
    // A half-written artifact (dbt may be writing it) simply contributes no types.
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
