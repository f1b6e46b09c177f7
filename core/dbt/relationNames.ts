import { modelId } from '../model/ids';
import type { DbtProjectContext } from './api';
import type { DbtIndex } from './contextIndex';
import { jinjaRelationConfig, pythonRelationConfig } from './inlineConfig';
import { mergeConfig, treeConfig } from './nodeConfig';

/**
 * dbt's relation naming for the nodes a template points at (`ref()`, `this`): database, schema and
 * identifier come from the node's own configuration (dbt_project.yml folders, YAML `config:`, the
 * literal `config()` call in its file), passed through the root project's `generate_database_name`,
 * `generate_schema_name` and `generate_alias_name` overrides when it defines them, and dbt's
 * defaults otherwise (`<target schema>_<custom schema>`, versioned models aliased `<name>_v<N>`).
 */

/** Where a node lives in the warehouse. */
export interface RelationParts {
  database?: string;
  schema: string;
  identifier: string;
}

/** A call to a root macro (`generate_schema_name` …) in the rendering session; undefined when not overridden. */
export type RootMacroCall = (name: string, args: unknown[]) => string | undefined;

/** A `ref()` as recorded by the session. */
export interface RefCall {
  first?: string;
  name: string;
  version?: string;
}

/**
 * The string-valued relation keys of a node file's literal `config(...)` calls (later calls win),
 * in every call form dbt accepts; a `.py` path is read as a Python model (`dbt.config(...)`).
 * Only literals are read: the loader cannot render every upstream, and a dynamic value stays unknown.
 */
export function scanInlineRelationConfig(text: string, path = ''): Record<string, string> {
  return /\.py$/i.test(path) ? pythonRelationConfig(text) : jinjaRelationConfig(text);
}

/** Resolves `ref()` to an entity id: explicit package first, else the node's project, the root, then any package. */
export function resolveRefTarget(ctx: DbtProjectContext, idx: DbtIndex, project: string, c: RefCall): string | undefined {
  const pools = c.first !== undefined ? [c.first] : [project, ctx.projectName, ...Object.keys(idx.refs)];
  for (const p of pools) {
    const t = idx.refs[p]?.[c.name];
    if (!t) continue;
    if (c.version !== undefined && t.versions?.includes(c.version)) return modelId(p, c.name, c.version);
    return t.id;
  }
  return undefined;
}

/** dbt_project.yml folder configs of a model/snapshot (package tree under the root's); analyses get none. */
export function folderConfig(ctx: DbtProjectContext, idx: DbtIndex, project: string, kind: 'model' | 'snapshot' | 'analysis', relPath: string, base: string): Record<string, unknown> {
  const parts = [...relPath.split('/').slice(0, -1), base];
  const out: Record<string, unknown> = {};
  if (kind === 'snapshot') {
    mergeConfig(out, treeConfig(idx.snapshotConfigTree, project, parts));
    return out;
  }
  // Analyses are compiled, never materialized, and `models:` configs do not apply to them.
  if (kind === 'analysis') return out;
  if (project !== ctx.projectName) mergeConfig(out, treeConfig(idx.packageModelTrees[project], project, parts));
  mergeConfig(out, treeConfig(idx.modelConfigTree, project, parts));
  return out;
}

/** The effective relation config of a ref-able node by id, or undefined when the id is unknown. */
function relationConfig(ctx: DbtProjectContext, idx: DbtIndex, id: string): { name: string; version?: string; kind: string; project: string; path: string; config: Record<string, unknown> } | undefined {
  const seed = idx.seedRelations[id];
  if (seed) return { ...seed, kind: 'seed', path: '' };
  const path = idx.nodePaths[id];
  const file = path === undefined ? undefined : idx.files[path];
  if (path === undefined || !file || file.kind === 'analysis') return undefined;
  const base = (path.split('/').pop() ?? path).replace(/\.(sql|py)$/i, '');
  const props = idx.nodeProps[file.project]?.[base];
  const config = folderConfig(ctx, idx, file.project, file.kind, file.relPath, base);
  if (props) mergeConfig(config, props.config);
  mergeConfig(config, idx.inlineConfigs[path] ?? {});
  const name = file.kind === 'snapshot' ? id.slice(`snapshot.${file.project}.`.length) : (props?.name ?? base);
  return { name, ...(props?.version !== undefined ? { version: props.version } : {}), kind: file.kind, project: file.project, path, config };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Database, schema and identifier of node `id` as dbt would build it, or undefined for ids that are
 * not ref-able nodes of the context. `callRoot` runs a root-project macro override when defined.
 */
export function nodeRelation(ctx: DbtProjectContext, idx: DbtIndex, id: string, callRoot: RootMacroCall, makeNode: (fields: Record<string, unknown>) => unknown): RelationParts | undefined {
  const rc = relationConfig(ctx, idx, id);
  if (!rc) return undefined;
  const cfg = rc.config;
  const node = makeNode({ name: rc.name, resource_type: rc.kind, package_name: rc.project, original_file_path: rc.path, ...(rc.version !== undefined ? { version: rc.version } : {}), config: cfg });
  const customSchema = text(cfg.schema) ?? null;
  const schema = rc.kind === 'snapshot' && text(cfg.target_schema) !== undefined
    ? (text(cfg.target_schema) ?? '')
    : (callRoot('generate_schema_name', [customSchema, node]) ?? (customSchema === null ? ctx.target.schema : `${ctx.target.schema}_${customSchema}`));
  const customAlias = text(cfg.alias) ?? null;
  const defaultAlias = customAlias ?? (rc.version !== undefined ? `${rc.name}_v${rc.version}` : rc.name);
  const identifier = callRoot('generate_alias_name', [customAlias, node]) ?? defaultAlias;
  const customDb = (rc.kind === 'snapshot' ? text(cfg.target_database) : undefined) ?? text(cfg.database) ?? null;
  const database = callRoot('generate_database_name', [customDb, node]) ?? customDb ?? ctx.target.database;
  return { ...(database !== undefined ? { database } : {}), schema, identifier };
}

/** How compiled SQL writes a relation: `database.schema.identifier`, the database only when known. */
export function displayRelation(parts: RelationParts): string {
  return parts.database !== undefined ? `${parts.database}.${parts.schema}.${parts.identifier}` : `${parts.schema}.${parts.identifier}`;
}
