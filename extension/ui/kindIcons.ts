import type { EntityKind } from '../../core/model/entities';

/** Codicon per entity kind, shared by the catalog tree and the search quick pick so both show the same icon. */
const KIND_ICONS: Partial<Record<EntityKind, string>> = {
  source: 'database',
  model: 'symbol-class',
  seed: 'file-binary',
  snapshot: 'history',
  exposure: 'graph',
  table: 'table',
  view: 'eye',
  project: 'project',
  macro: 'symbol-function',
  docBlock: 'book',
  analysis: 'graph-line',
  dashboard: 'dashboard',
  dataset: 'table',
};

/** The codicon name for a kind (`symbol-misc` for kinds without their own icon). */
export function kindIcon(kind: EntityKind): string {
  return KIND_ICONS[kind] ?? 'symbol-misc';
}
