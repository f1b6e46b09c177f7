/**
 * The Teams tab's tree, built from the flat list the server returns (each team names its parent).
 * Pure, so that the ordering, the depth and the "where may this team move" rule are unit-tested:
 * a team may move under any team except itself and its own descendants (the server refuses a cycle
 * too; the UI simply does not offer one).
 */

/** The part of a team the tree needs. */
export interface TeamLike {
  id: string;
  name: string;
  parentId: string | null;
}

/** A team placed in the tree. */
export interface TeamNode<T extends TeamLike> {
  team: T;
  depth: number;
  children: TeamNode<T>[];
}

/**
 * The forest of teams, siblings sorted by name. A team whose parent is not in the list (hidden by
 * permissions, or removed meanwhile) is shown as a root rather than dropped; a parent chain that
 * loops (which the database forbids, but a stale list could show) is cut where it repeats.
 */
export function teamForest<T extends TeamLike>(teams: readonly T[]): TeamNode<T>[] {
  const byId = new Map(teams.map((t) => [t.id, t]));
  const children = new Map<string | null, T[]>();
  for (const t of teams) {
    const parent = t.parentId !== null && byId.has(t.parentId) && !loopsBack(t, byId) ? t.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(t);
    children.set(parent, list);
  }
  const build = (parent: string | null, depth: number): TeamNode<T>[] =>
    (children.get(parent) ?? [])
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((team) => ({ team, depth, children: build(team.id, depth + 1) }));
  return build(null, 0);
}

/** The forest in display order (depth-first), for a flat rendering with indentation. */
export function flattenForest<T extends TeamLike>(forest: readonly TeamNode<T>[]): TeamNode<T>[] {
  return forest.flatMap((node) => [node, ...flattenForest(node.children)]);
}

/** Ids of `teamId` and every team below it. */
export function subtreeIds(teams: readonly TeamLike[], teamId: string): Set<string> {
  const out = new Set<string>([teamId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of teams) {
      if (t.parentId !== null && out.has(t.parentId) && !out.has(t.id)) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return out;
}

/** The teams `teamId` may move under (never itself or a descendant), sorted by name. */
export function moveTargets<T extends TeamLike>(teams: readonly T[], teamId: string): T[] {
  const blocked = subtreeIds(teams, teamId);
  return teams.filter((t) => !blocked.has(t.id)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The path of a team from its root, `Data / Analytics / Marketing`. */
export function teamPath(teams: readonly TeamLike[], teamId: string): string {
  const byId = new Map(teams.map((t) => [t.id, t]));
  const names: string[] = [];
  const seen = new Set<string>();
  for (let t = byId.get(teamId); t !== undefined && !seen.has(t.id); t = t.parentId === null ? undefined : byId.get(t.parentId)) {
    seen.add(t.id);
    names.unshift(t.name);
  }
  return names.join(' / ');
}

function loopsBack(team: TeamLike, byId: Map<string, TeamLike>): boolean {
  const seen = new Set<string>([team.id]);
  for (let p = team.parentId; p !== null; ) {
    if (seen.has(p)) return true;
    seen.add(p);
    p = byId.get(p)?.parentId ?? null;
  }
  return false;
}
