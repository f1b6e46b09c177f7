/**
 * Grouping of the Catalog tree's entities under each kind (Models, Sources, …): by folder (the
 * default: `staging`, `marts/finance`, collapsible, nested), by tag, by materialization, or not at
 * all. Pure, without `vscode`, so it is unit-tested; the tree asks it for one level at a time.
 */

/** How the tree groups entities (`mallard.tree.groupBy`). */
export type GroupBy = 'folder' | 'tag' | 'materialization' | 'none';

export const GROUP_BY_VALUES: readonly GroupBy[] = ['folder', 'tag', 'materialization', 'none'];

/** What grouping needs of an entity. */
export interface Groupable {
  id: string;
  name: string;
  /** Workspace-relative path of the defining file. */
  path: string;
  tags: readonly string[];
  materialized?: string;
}

/** One level of the grouped tree: sub-groups first, then the entities at this level. */
export interface GroupLevel<T extends Groupable> {
  groups: Group<T>[];
  entities: T[];
}

/** A collapsible group row. */
export interface Group<T extends Groupable> {
  /** The row's label: a folder (`marts/finance` when folders with nothing else are merged), a tag, a materialization. */
  label: string;
  /** Unique key of the group under its kind (the full folder path, `tag:finance`, …). */
  key: string;
  /** Entities in the group and all its sub-groups. */
  count: number;
  level: GroupLevel<T>;
}

/** Label of the group of entities without a tag or a materialization. */
export const NO_TAG = '(no tag)';
export const NO_MATERIALIZATION = '(not set)';

/** The setting's value, or the default for anything unknown. */
export function parseGroupBy(value: unknown): GroupBy {
  return GROUP_BY_VALUES.includes(value as GroupBy) ? (value as GroupBy) : 'folder';
}

/** Groups `entities` (kept in their order within each group). */
export function groupEntities<T extends Groupable>(entities: readonly T[], by: GroupBy): GroupLevel<T> {
  if (by === 'folder') return byFolder(entities);
  if (by === 'tag') return byValues(entities, (e) => e.tags, NO_TAG, 'tag');
  if (by === 'materialization') return byValues(entities, (e) => (e.materialized ? [e.materialized] : []), NO_MATERIALIZATION, 'materialized');
  return { groups: [], entities: [...entities] };
}

/** The level reached by following group keys from the top. */
export function levelAt<T extends Groupable>(top: GroupLevel<T>, keys: readonly string[]): GroupLevel<T> | undefined {
  let level: GroupLevel<T> | undefined = top;
  for (const key of keys) level = level?.groups.find((g) => g.key === key)?.level;
  return level;
}

/**
 * One group per value; an entity with several tags is in each of their groups. When no entity has
 * a value (sources have no materialization), grouping would add one useless row, so the list stays flat.
 */
function byValues<T extends Groupable>(entities: readonly T[], values: (e: T) => readonly string[], none: string, prefix: string): GroupLevel<T> {
  if (!entities.some((e) => values(e).length > 0)) return { groups: [], entities: [...entities] };
  const buckets = new Map<string, T[]>();
  for (const e of entities) {
    const list = values(e).length > 0 ? [...new Set(values(e))] : [none];
    for (const v of list) buckets.set(v, [...(buckets.get(v) ?? []), e]);
  }
  const labels = [...buckets.keys()].sort((a, b) => (a === none ? 1 : b === none ? -1 : a.localeCompare(b)));
  return {
    groups: labels.map((label) => {
      const members = buckets.get(label) ?? [];
      return { label, key: `${prefix}:${label}`, count: members.length, level: { groups: [], entities: members } };
    }),
    entities: [],
  };
}

/** Folders below the folder every entity shares (`models/` of a dbt project is not a row of its own). */
function byFolder<T extends Groupable>(entities: readonly T[]): GroupLevel<T> {
  const dirs = entities.map((e) => dirOf(e.path));
  let common = dirs[0] ?? [];
  for (const d of dirs) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  return folderLevel(entities.map((e, i) => ({ entity: e, rest: (dirs[i] ?? []).slice(common.length) })), common.join('/'));
}

function folderLevel<T extends Groupable>(items: { entity: T; rest: string[] }[], prefix: string): GroupLevel<T> {
  const here: T[] = [];
  const sub = new Map<string, { entity: T; rest: string[] }[]>();
  for (const item of items) {
    const [first, ...rest] = item.rest;
    if (first === undefined) here.push(item.entity);
    else sub.set(first, [...(sub.get(first) ?? []), { entity: item.entity, rest }]);
  }
  const groups = [...sub.keys()].sort((a, b) => a.localeCompare(b)).map((name): Group<T> => {
    const members = sub.get(name) ?? [];
    let label = name;
    let path = prefix ? `${prefix}/${name}` : name;
    let level = folderLevel(members, path);
    // A folder holding just one folder shows as one row (`marts/finance`), as VS Code's Explorer does.
    while (level.entities.length === 0 && level.groups.length === 1 && level.groups[0]) {
      const only: Group<T> = level.groups[0];
      label = `${label}/${only.label}`;
      path = only.key;
      level = only.level;
    }
    return { label, key: path, count: members.length, level };
  });
  return { groups, entities: here };
}

function dirOf(path: string): string[] {
  const parts = path.split('/');
  parts.pop();
  return parts.filter((p) => p !== '');
}
