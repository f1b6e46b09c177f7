import type { DbtProjectContext } from '../dbt/api';
import { indexOf } from '../dbt/contextIndex';
import { readProjectLayout, type ProjectLayout } from '../dbt/project/projectLayout';
import { Entity, type Diagnostic, type Facts } from '../model/entities';
import type { FileSource } from './contracts';
import { discoverWorkspace, isInside } from './discover';
import { ownerOfId } from './ownership';

/**
 * Each dbt project of a workspace is cataloged once. dbt runs every `dbt_project.yml` as its own
 * project, but a workspace often holds a package together with the project that installs it: the
 * Fivetran packages' `integration_tests/` loads the package through `packages.yml` `- local: ../`,
 * and two roots may install one package. Every project name gets one owning root: the root of that
 * name (the first one, when two roots share a name), else the first root that loads it as a package.
 * Another root still loads the project (its macros render, its refs and sources resolve), but the
 * facts it would extract from it are left out, so ids are unique by construction.
 */

/** Which root catalogs each project name, and the warnings for roots that lose their own name. */
export interface CatalogOwners {
  owners: Map<string, string>;
  diagnostics: Diagnostic[];
}

/** Decides the owning root of every project name; `roots` in discovery order (shortest path first). */
export function catalogOwners(fs: FileSource, roots?: readonly string[]): CatalogOwners {
  const all = fs.list();
  const layouts: ProjectLayout[] = (roots ?? discoverWorkspace(all).dbtRoots).map((root) => readProjectLayout(fs, root, all));
  const owners = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const l of layouts) {
    const first = owners.get(l.name);
    if (first === undefined) {
      owners.set(l.name, l.root);
      continue;
    }
    const firstFile = first === '' ? 'dbt_project.yml' : `${first}/dbt_project.yml`;
    diagnostics.push({
      file: l.root === '' ? 'dbt_project.yml' : `${l.root}/dbt_project.yml`, ...l.nameAt, severity: 'warning', code: 'dbt-project-name-taken',
      message: `dbt project '${l.name}' is also defined by ${firstFile}; their ids (model.${l.name}.…) would collide, so only that one is cataloged. Rename one of the projects to catalog both.`,
      extractor: 'dbt-yaml',
    });
  }
  for (const l of layouts) for (const p of l.packages) if (!owners.has(p.name)) owners.set(p.name, l.root);
  return { owners, diagnostics };
}

/** Project names that the root at `root` loads but another root catalogs. */
export function catalogedElsewhere(ctx: DbtProjectContext, root: string, owners: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const p of ctx.projects) {
    const owner = owners.get(p.name);
    if (owner !== undefined && owner !== root) out.add(p.name);
  }
  return out;
}

/**
 * Node files the root extracts (those of the projects it catalogs). The nodes of the others are
 * not rendered here; they are added to `ctx.facts` as bare entities instead, so refs to them
 * resolve and give model edges (their own root extracts them in full; `withoutElsewhere` drops the
 * bare entities from this root's facts).
 */
export function catalogedNodePaths(ctx: DbtProjectContext, elsewhere: ReadonlySet<string>): Set<string> {
  const own = new Set<string>();
  if (elsewhere.size === 0) {
    for (const f of ctx.nodeFiles) own.add(f.path);
    return own;
  }
  const byPath = new Map<string, string>();
  for (const [id, path] of Object.entries(indexOf(ctx).nodePaths)) byPath.set(path, id);
  const known = new Set(ctx.facts.entities.map((e) => e.id));
  for (const f of ctx.nodeFiles) {
    if (!elsewhere.has(f.project)) {
      own.add(f.path);
      continue;
    }
    const id = byPath.get(f.path);
    if (id === undefined || known.has(id) || (f.kind !== 'model' && f.kind !== 'snapshot')) continue;
    const [, , ...rest] = id.split('.');
    const version = f.kind === 'model' && rest.length > 1 && /^v/.test(rest.at(-1) ?? '') ? rest.at(-1)?.slice(1) : undefined;
    const name = version !== undefined ? rest.slice(0, -1).join('.') : rest.join('.');
    ctx.facts.entities.push(Entity.parse({ id, kind: f.kind, name, project: f.project, path: f.path, ...(version !== undefined ? { version } : {}), provenance: { file: f.path, line: 1, column: 1, extractor: 'dbt-jinja', confidence: 0.5 } }));
    known.add(id);
  }
  return own;
}

/** The facts of a root without what belongs to projects another root catalogs. */
export function withoutElsewhere(facts: Facts, ctx: DbtProjectContext, elsewhere: ReadonlySet<string>): Facts {
  if (elsewhere.size === 0) return facts;
  const foreignIds = new Set<string>();
  for (const e of facts.entities) if (elsewhere.has(e.project)) foreignIds.add(e.id);
  // Facts about an entity of such a project can exist without its entity here (columns inferred
  // from what this root's models read of it): the project part of the id decides (`kind.project.…`).
  const foreign = { has: (id: string): boolean => foreignIds.has(id) || elsewhere.has(id.split('.')[1] ?? '') };
  // A diagnostic belongs to the project whose folder is the deepest one holding its file.
  const roots = [...ctx.projects].sort((a, b) => b.root.length - a.root.length);
  const foreignFile = (file: string): boolean => {
    const owner = roots.find((p) => isInside(file, p.root));
    return owner !== undefined && elsewhere.has(owner.name);
  };
  const out: Facts = {
    entities: facts.entities.filter((e) => !foreign.has(e.id)),
    modelEdges: facts.modelEdges.filter((m) => !foreign.has(m.to)),
    diagnostics: facts.diagnostics.filter((d) => !foreignFile(d.file)),
  } as Facts;
  // Columns, column edges and unresolved refs of dbt units are built on first read: filter them then too.
  const lazy: Partial<Pick<Facts, 'columns' | 'columnEdges' | 'unresolved'>> = {};
  const define = <K extends 'columns' | 'columnEdges' | 'unresolved'>(key: K, keep: (item: Facts[K][number]) => boolean): void => {
    Object.defineProperty(out, key, { enumerable: true, configurable: true, get: () => (lazy[key] ??= (facts[key] as Facts[K][number][]).filter(keep) as Facts[K]) });
  };
  define('columns', (c) => !foreign.has(c.entityId));
  define('columnEdges', (c) => !foreign.has(ownerOfId(c.to)));
  define('unresolved', (u) => !foreign.has(ownerOfId(u.target)));
  return out;
}
