/**
 * Node configs the way dbt combines them. Folder-level configs come from dbt_project.yml
 * (`models: {project: {folder: {+materialized: table}}}`): keys starting with `+` are always
 * configs; bare keys are configs only when they are known dbt config names and their value is not a
 * nested folder mapping. Layers (dbt_project.yml folders, YAML `config:`, the file's own `config()`
 * calls) merge with dbt's per-field behaviour (`MergeBehavior` in dbt-core's model_config.py):
 * `tags`, hooks and `packages` append, `meta`, `docs`, `quoting`, `column_types` and `contract`
 * update key by key, `grants` replace per privilege (or extend with a `+privilege` key), and every
 * other key is overridden by the later layer.
 */

const KNOWN = new Set([
  'enabled', 'materialized', 'schema', 'alias', 'database', 'tags', 'meta', 'docs', 'persist_docs', 'full_refresh',
  'pre-hook', 'post-hook', 'pre_hook', 'post_hook', 'unique_key', 'incremental_strategy', 'on_schema_change', 'contract', 'access', 'group',
  'grants', 'sql_header', 'bind', 'quoting', 'column_types', 'strategy', 'target_schema', 'target_database',
  'check_cols', 'updated_at', 'invalidate_hard_deletes', 'snapshot_meta_column_names', 'dbt_valid_to_current', 'hard_deletes',
]);

/** Keys whose values accumulate across layers (dbt's `MergeBehavior.Append`). */
const APPEND = new Set(['tags', 'pre-hook', 'post-hook', 'packages']);
/** Keys whose mappings merge key by key (dbt's `MergeBehavior.Update`). */
const UPDATE = new Set(['meta', 'docs', 'quoting', 'column_types', 'contract']);
/** Within one node's `config()` calls dbt appends only these (`BaseConfig.mergebehavior["append"]`). */
const CALL_APPEND = new Set(['tags', 'pre-hook', 'post-hook']);

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function listify(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** dbt spells hooks `pre-hook`/`post-hook`; `pre_hook`/`post_hook` are the same config. */
function canonicalKey(raw: string): string {
  const key = raw.startsWith('+') ? raw.slice(1) : raw;
  return key === 'pre_hook' ? 'pre-hook' : key === 'post_hook' ? 'post-hook' : key;
}

/** `grants` layers: a privilege's grantee list is replaced, or extended when written `+privilege`. */
function mergeGrants(prev: unknown, next: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (isMapping(prev)) for (const [k, v] of Object.entries(prev)) out[k] = listify(v);
  for (const [rawKey, v] of Object.entries(next)) {
    const key = rawKey.replace(/^\++/, '');
    out[key] = rawKey.startsWith('+') && out[key] ? [...(out[key] ?? []), ...listify(v)] : listify(v);
  }
  return out;
}

/** Merges one config layer into `out` with dbt's per-field merge behaviour (see the file header). */
export function mergeConfig(out: Record<string, unknown>, layer: Record<string, unknown>): void {
  for (const [rawKey, value] of Object.entries(layer)) {
    const key = canonicalKey(rawKey);
    if (key === 'tags') {
      const prev = listify(out.tags);
      const add = listify(value);
      out.tags = [...prev, ...add.filter((t) => !prev.includes(t))];
    } else if (APPEND.has(key)) {
      out[key] = [...listify(out[key]), ...listify(value)];
    } else if (UPDATE.has(key) && isMapping(value)) {
      out[key] = { ...(isMapping(out[key]) ? out[key] : {}), ...value };
    } else if (key === 'grants' && isMapping(value)) {
      out.grants = mergeGrants(out.grants, value);
    } else out[key] = value;
  }
}

/**
 * Adds the options of one `config()` call to the node's call dict the way dbt's
 * `ContextConfig._add_config_call` does: `tags` and hooks append, `meta`/`docs`/`quoting`/
 * `column_types`/`contract` update, `grants` merge per privilege, anything else is overridden.
 */
export function addConfigCall(calls: Record<string, unknown>, opts: Record<string, unknown>): void {
  for (const [rawKey, value] of Object.entries(opts)) {
    const key = canonicalKey(rawKey);
    if (CALL_APPEND.has(key)) calls[key] = [...listify(calls[key]), ...listify(value)];
    else if (UPDATE.has(key) && isMapping(value) && isMapping(calls[key])) calls[key] = { ...calls[key], ...value };
    else if (key === 'grants' && isMapping(value) && isMapping(calls.grants)) {
      const merged: Record<string, unknown> = { ...calls.grants };
      for (const [g, v] of Object.entries(value)) merged[g] = g.startsWith('+') && merged[g] !== undefined ? [...listify(merged[g]), ...listify(v)] : v;
      calls.grants = merged;
    } else calls[key] = value;
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
