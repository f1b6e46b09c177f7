/**
 * Folder-level configs from dbt_project.yml (`models: {project: {folder: {+materialized: table}}}`).
 * Keys starting with `+` are always configs; bare keys are configs only when they are known dbt
 * config names and their value is not a nested folder mapping.
 */

const KNOWN = new Set([
  'enabled', 'materialized', 'schema', 'alias', 'database', 'tags', 'meta', 'docs', 'persist_docs', 'full_refresh',
  'pre-hook', 'post-hook', 'unique_key', 'incremental_strategy', 'on_schema_change', 'contract', 'access', 'group',
  'grants', 'sql_header', 'bind', 'quoting', 'column_types', 'strategy', 'target_schema', 'target_database',
  'check_cols', 'updated_at', 'invalidate_hard_deletes', 'snapshot_meta_column_names', 'dbt_valid_to_current', 'hard_deletes',
]);

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Merges one config layer into `out`; tags accumulate, meta merges, everything else overrides. */
export function mergeConfig(out: Record<string, unknown>, layer: Record<string, unknown>): void {
  for (const [rawKey, value] of Object.entries(layer)) {
    const key = rawKey.startsWith('+') ? rawKey.slice(1) : rawKey;
    if (key === 'tags') {
      const prev = Array.isArray(out.tags) ? (out.tags as unknown[]) : [];
      const add = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
      out.tags = [...prev, ...add.filter((t) => !prev.includes(t))];
    } else if (key === 'meta' && isMapping(value)) {
      out.meta = { ...(isMapping(out.meta) ? out.meta : {}), ...value };
    } else out[key] = value;
  }
}

/** Configs of one tree level (the `+x` keys and known bare keys). */
function levelConfigs(level: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(level)) {
    if (k.startsWith('+') || (KNOWN.has(k) && !(isMapping(v) && k !== 'meta' && k !== 'docs' && k !== 'persist_docs' && k !== 'contract' && k !== 'quoting' && k !== 'grants'))) out[k] = v;
  }
  return out;
}

/**
 * Config for a node of `project` whose path relative to its resource folder is `parts`
 * (folders then the file's base name), from a resource tree (`models:` or `snapshots:`).
 */
export function treeConfig(tree: unknown, project: string, parts: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isMapping(tree)) return out;
  mergeConfig(out, levelConfigs(tree));
  let level: unknown = tree[project];
  for (let i = 0; isMapping(level); i++) {
    mergeConfig(out, levelConfigs(level));
    const part = parts[i];
    if (part === undefined) break;
    level = level[part];
  }
  return out;
}
