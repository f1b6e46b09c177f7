import { parse as parseYaml } from 'yaml';
import type { Dialect, FileSource } from './contracts';
import { adapterForDialect, configuredDialect, dialectForAdapter, type ProfileTarget, type WorkspaceConfig } from './workspaceConfig';

/**
 * Which SQL dialect a dbt project is written in, and why. dbt itself knows from the profile's
 * target type; a fresh clone usually has no profile in the repository (it lives in `~/.dbt`), so
 * the evidence is tried in this order, first match wins:
 *
 * 1. a forced dialect (CLI `--dialect`);
 * 2. the project's profile, searched where dbt searches: `DBT_PROFILES_DIR`, the project folder
 *    (dbt's working directory), the workspace root, `~/.dbt/` — the target's `type`;
 * 3. an adapter-specific package in `packages.yml`/`dependencies.yml` or `dbt_packages/`
 *    (`dbt_snowflake_monitoring`, `redshift`, …; cross-database shims like `spark_utils` don't count);
 * 4. adapter-only configs in `dbt_project.yml` (`+snowflake_warehouse`, `+dist`, `+file_format`, …);
 * 5. the configured default (`mallard.dialect`, `mallard.dialectByFolder`, `.mallard.json`).
 */

/** A `profiles.yml` outside the workspace, read by the Node layer. */
export interface ExternalProfiles {
  /** Where it was read, as shown to the user (`~/.dbt/profiles.yml`). */
  path: string;
  text: string;
  /** `env`: the folder named by `DBT_PROFILES_DIR`; `home`: `~/.dbt`. */
  kind: 'env' | 'home';
}

/** The dialect chosen for a dbt project. */
export interface DialectChoice {
  dialect: Dialect;
  /** The dbt target to render for (from the profile when found). */
  target: ProfileTarget;
  /** Why, in words for the status bar and `stats`: "profile 'shop' (target dev) in ~/.dbt/profiles.yml". */
  reason: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `{{ env_var('X', 'snowflake') }}` in a profile reads as its default. */
function literalOrEnvDefault(v: string | undefined): string | undefined {
  if (v === undefined || !v.includes('{{')) return v;
  return /env_var\(\s*['"][^'"]+['"]\s*,\s*['"]([^'"]+)['"]\s*\)/.exec(v)?.[1];
}

/** The target of profile `name` (or the only profile) in one profiles.yml text. */
export function profileTargetIn(text: string, profileName: string | undefined): ProfileTarget | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const profiles = doc as Record<string, unknown>;
  const candidates = Object.entries(profiles).filter(([k]) => k !== 'config');
  const profile = (profileName !== undefined ? profiles[profileName] : candidates.length === 1 ? candidates[0]?.[1] : undefined) as Record<string, unknown> | undefined;
  if (!profile || typeof profile !== 'object') return undefined;
  const outputs = profile['outputs'] as Record<string, Record<string, unknown>> | undefined;
  const targetName = literalOrEnvDefault(str(profile['target'])) ?? Object.keys(outputs ?? {})[0];
  const output = targetName ? outputs?.[targetName] : undefined;
  const type = literalOrEnvDefault(str(output?.['type']));
  if (!targetName || !output || !type) return undefined;
  const target: ProfileTarget = { name: targetName, type, schema: literalOrEnvDefault(str(output['schema']) ?? str(output['dataset'])) ?? 'public' };
  const database = literalOrEnvDefault(str(output['database']) ?? str(output['project']) ?? str(output['dbname']));
  if (database) target.database = database;
  return target;
}

const join = (dir: string, file: string): string => (dir === '' ? file : `${dir}/${file}`);

function projectYaml(fs: FileSource, root: string): Record<string, unknown> {
  try {
    const doc: unknown = parseYaml(fs.read(join(root, 'dbt_project.yml')) ?? '');
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The profile target of a project and where it was found, searching where dbt does. */
export function findProfile(fs: FileSource, root: string, external: readonly ExternalProfiles[] = []): { target: ProfileTarget; where: string; profile?: string } | undefined {
  const profileName = str(projectYaml(fs, root)['profile']);
  const sources: { where: string; text: string | undefined }[] = [
    ...external.filter((e) => e.kind === 'env').map((e) => ({ where: e.path, text: e.text })),
    { where: join(root, 'profiles.yml'), text: fs.read(join(root, 'profiles.yml')) },
    ...(root === '' ? [] : [{ where: 'profiles.yml', text: fs.read('profiles.yml') }]),
    ...external.filter((e) => e.kind === 'home').map((e) => ({ where: e.path, text: e.text })),
  ];
  for (const s of sources) {
    if (s.text === undefined) continue;
    const target = profileTargetIn(s.text, profileName);
    if (target) return { target, where: s.where, ...(profileName !== undefined ? { profile: profileName } : {}) };
  }
  return undefined;
}

/** Adapter-specific packages (not the cross-database shims such as `spark_utils`, `tsql_utils`). */
const PACKAGE_HINTS: [RegExp, string][] = [
  [/snowflake/i, 'snowflake'],
  [/bigquery/i, 'bigquery'],
  [/redshift/i, 'redshift'],
  [/databricks/i, 'databricks'],
  [/(^|[_/-])spark(?![_-]?utils)/i, 'spark'],
  [/postgres/i, 'postgres'],
  [/duckdb/i, 'duckdb'],
  [/(sqlserver|synapse|fabric)/i, 'sqlserver'],
];

function packageNames(fs: FileSource, root: string): string[] {
  const names: string[] = [];
  for (const file of ['packages.yml', 'dependencies.yml']) {
    let doc: unknown;
    try {
      doc = parseYaml(fs.read(join(root, file)) ?? '');
    } catch {
      continue;
    }
    const list = (doc as { packages?: unknown } | null)?.packages;
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      const spec = str((p as Record<string, unknown> | null)?.['package']) ?? str((p as Record<string, unknown> | null)?.['git']);
      if (spec) names.push(spec);
    }
  }
  const installDir = join(root, 'dbt_packages/');
  for (const f of fs.list()) {
    if (!f.startsWith(installDir) || !f.endsWith('/dbt_project.yml')) continue;
    const rest = f.slice(installDir.length).split('/');
    if (rest.length === 2 && rest[0]) names.push(rest[0]);
  }
  return names;
}

/** Configs only one adapter understands, as they appear in dbt_project.yml (`+` optional). */
const CONFIG_HINTS: Record<string, string> = {
  snowflake_warehouse: 'snowflake', copy_grants: 'snowflake', transient: 'snowflake', query_tag: 'snowflake', target_lag: 'snowflake', automatic_clustering: 'snowflake',
  require_partition_filter: 'bigquery', partition_expiration_days: 'bigquery', kms_key_name: 'bigquery', hours_to_expiration: 'bigquery',
  dist: 'redshift', sort_type: 'redshift', file_format: 'spark', location_root: 'spark', liquid_clustered_by: 'databricks', as_columnstore: 'sqlserver',
};

function configHint(tree: unknown, depth = 0): { key: string; adapter: string } | undefined {
  if (!tree || typeof tree !== 'object' || Array.isArray(tree) || depth > 12) return undefined;
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
    const key = k.replace(/^\+/, '');
    const adapter = CONFIG_HINTS[key];
    if (adapter) return { key: k, adapter };
    if (key === 'materialized' && v === 'dynamic_table') return { key: `${k}: dynamic_table`, adapter: 'snowflake' };
    const inner = configHint(v, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** Chooses the dialect of the dbt project at `root`; see the module comment for the order. */
export function chooseDbtDialect(fs: FileSource, root: string, config: WorkspaceConfig, options: { override?: Dialect; external?: readonly ExternalProfiles[] } = {}): DialectChoice {
  const fallbackTarget = (dialect: Dialect): ProfileTarget => ({ name: 'dev', type: adapterForDialect(dialect), schema: 'public' });
  const found = findProfile(fs, root, options.external);
  if (options.override) return { dialect: options.override, target: found?.target ?? fallbackTarget(options.override), reason: 'forced by --dialect' };
  if (found) {
    const dialect = dialectForAdapter(found.target.type);
    const profile = found.profile !== undefined ? `profile '${found.profile}'` : 'the profile';
    if (dialect) return { dialect, target: found.target, reason: `${profile} (target ${found.target.name}, type ${found.target.type}) in ${found.where}` };
  }
  for (const name of packageNames(fs, root)) {
    const hit = PACKAGE_HINTS.find(([re]) => re.test(name));
    const dialect = hit ? dialectForAdapter(hit[1]) : undefined;
    if (hit && dialect) return { dialect, target: { ...fallbackTarget(dialect), type: hit[1] }, reason: `packages name '${name}', a ${hit[1]} package (no profile found)` };
  }
  const yaml = projectYaml(fs, root);
  for (const section of ['models', 'seeds', 'snapshots']) {
    const hint = configHint(yaml[section]);
    const dialect = hint ? dialectForAdapter(hint.adapter) : undefined;
    if (hint && dialect) return { dialect, target: { ...fallbackTarget(dialect), type: hint.adapter }, reason: `dbt_project.yml uses the ${hint.adapter}-only config '${hint.key}' (no profile found)` };
  }
  const dialect = configuredDialect(config, root);
  return { dialect, target: fallbackTarget(dialect), reason: 'no dbt profile or adapter hint found: the configured default (mallard.dialect or .mallard.json)' };
}
