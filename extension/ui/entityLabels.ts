import type { Entity } from '../../core/model/entities';

/**
 * Text of a catalog-tree entity row, kept free of VS Code so it is unit-tested in plain Node.
 */

/** The row label: the name, plus the version of a versioned dbt model (`orders v2`). */
export function entityLabel(name: string, entity: Pick<Entity, 'version'> | undefined): string {
  return entity?.version ? `${name} v${entity.version}` : name;
}

/**
 * The row description: `disabled` first for a disabled dbt node (it stays in the catalog without
 * edges, so an empty lineage must not surprise anyone), then tags, then the first prose line of
 * the description (Markdown headings skipped).
 */
export function entityDescription(entity: Pick<Entity, 'disabled' | 'tags' | 'description'> | undefined): string {
  if (!entity) return '';
  const tags = entity.tags.map((t) => `#${t}`).join(' ');
  const summary = entity.description.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  return [entity.disabled ? 'disabled' : '', tags, summary].filter(Boolean).join(' · ');
}

/** The row tooltip (Markdown). */
export function entityTooltip(entity: { name: string; kind: string; path: string }, full: Pick<Entity, 'disabled' | 'description'> | undefined): string {
  const state = full?.disabled ? ' — **disabled** (`enabled: false`): dbt does not build it and it has no lineage edges' : '';
  return `**${entity.name}** (${entity.kind})${state}\n\n${full?.description ?? ''}\n\n\`${entity.path}\``;
}
