/**
 * What a docs edit points at inside a dbt properties (schema) file, as a path of named list items:
 * `models: - name: orders` → `columns: - name: order_id`, or `sources: - name: shop` → `tables: …`.
 */

/** Top-level resource lists of a dbt properties file whose items have a `name` and a `description`. */
export type NamedResource = 'models' | 'seeds' | 'snapshots' | 'exposures' | 'macros' | 'analyses';

/** The entry whose description is edited; `column` selects one of its columns. */
export type DescriptionTarget =
  | { resource: NamedResource; name: string; column?: string }
  | { resource: 'sources'; source: string; table?: string; column?: string };

/** One step of the path: the list under `key` and the item in it whose `name` is `name`. */
export interface PathSegment {
  key: string;
  name: string;
  /** Column names are matched case-insensitively when no exact match exists (warehouses fold case). */
  caseInsensitive: boolean;
}

/** The path of named list items that leads to the target's mapping. */
export function targetPath(target: DescriptionTarget): PathSegment[] {
  const path: PathSegment[] =
    target.resource === 'sources'
      ? [{ key: 'sources', name: target.source, caseInsensitive: false }]
      : [{ key: target.resource, name: target.name, caseInsensitive: false }];
  if (target.resource === 'sources' && target.table !== undefined) path.push({ key: 'tables', name: target.table, caseInsensitive: false });
  if (target.column !== undefined) path.push({ key: 'columns', name: target.column, caseInsensitive: true });
  return path;
}

/** A readable label for messages: `models › orders › columns › order_id`. */
export function describeTarget(target: DescriptionTarget): string {
  return targetPath(target)
    .map((s) => `${s.key} › ${s.name}`)
    .join(' › ');
}

/**
 * Picks the index of the item named `name` among `names`: an exact match first, then (when allowed)
 * the only case-insensitive match. Returns -1 when there is none or the match is ambiguous.
 */
export function pickNamed(names: readonly (string | undefined)[], segment: PathSegment): number {
  const exact = names.indexOf(segment.name);
  if (exact >= 0 || !segment.caseInsensitive) return exact;
  const lower = segment.name.toLowerCase();
  const matches = names.flatMap((n, i) => (n !== undefined && n.toLowerCase() === lower ? [i] : []));
  return matches.length === 1 ? (matches[0] ?? -1) : -1;
}

/**
 * Where dbt convention puts a new properties file for a resource defined in `resourcePath`
 * (workspace-relative, forward slashes): next to it, named `_<folder>__models.yml` (or
 * `__sources.yml`, `__seeds.yml`, …) after dbt's project-structure guide.
 */
export function conventionalSchemaPath(resourcePath: string, resource: NamedResource | 'sources'): string {
  const slash = resourcePath.lastIndexOf('/');
  const folder = slash < 0 ? '' : resourcePath.slice(0, slash);
  const base = folder.slice(folder.lastIndexOf('/') + 1) || 'project';
  return `${folder ? `${folder}/` : ''}_${base}__${resource}.yml`;
}
