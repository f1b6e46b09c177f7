import { z } from 'zod';
import type { Diagnostic } from '../model/entities';
import { DIALECTS, type Dialect, type FileSource } from './contracts';
import { configIssues, pathText } from './configIssues';
import { jsonErrorPosition, locateJsonPath } from './jsonLocate';
import { TargetRulesSchema } from './targetRules';

/**
 * Workspace configuration (`.mallard.json` at the workspace root) and dialect selection.
 * Precedence for a plain SQL file's dialect: CLI override > `.mallard.json`/settings `folders`
 * (longest matching prefix) > `.mallard.json`/settings `dialect` > postgresql. dbt projects look at
 * their profile and adapter hints first (`dbtDialect.ts`). `targets` and `defaultSchema` name what
 * plain SQL builds and reads (`targetRules.ts`, `nameResolution.ts`).
 */

export const CONFIG_FILE = '.mallard.json';

const DialectSchema = z.enum(DIALECTS);

/** `schema` or `database.schema` (BigQuery `project.dataset`), the default of unqualified plain SQL names. */
export const DefaultSchemaSchema = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'expected "schema" or "database.schema"');

/** Shape of `.mallard.json`. */
export const WorkspaceConfigSchema = z.object({
  /** Default dialect for plain SQL and dbt projects without a discoverable profile. */
  dialect: DialectSchema.optional(),
  /** Folder prefix (workspace-relative, e.g. `warehouse/bq/`) → dialect. */
  folders: z.record(z.string(), DialectSchema).default({}),
  /** Globs of files to include (default: everything). */
  include: z.array(z.string()).default([]),
  /** Globs of files to exclude, in addition to `.gitignore` / `.dbtignore`. */
  exclude: z.array(z.string()).default([]),
  /** Largest file read, in bytes (default 5 MB; `target/manifest.json` has no limit). */
  maxFileBytes: z.number().int().positive().optional(),
  /**
   * Rules naming the table a plain SQL file builds when its last statement is a bare query (see
   * `targetRules.ts`); absent: `["table-folder", "file-name"]`; `[]`: no file gets a target.
   */
  targets: TargetRulesSchema.optional(),
  /** Default `schema` or `database.schema` of unqualified names in plain SQL (e.g. `public`, `my-project.analytics`). */
  defaultSchema: DefaultSchemaSchema.optional(),
});
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;

/** Default configuration when `.mallard.json` is absent. */
export function defaultConfig(): WorkspaceConfig {
  return { folders: {}, include: [], exclude: [] };
}

/** Parses `.mallard.json` text; invalid content yields the default config and a diagnostic. */
export function parseWorkspaceConfig(text: string | undefined): { config: WorkspaceConfig; diagnostics: Diagnostic[] } {
  if (text === undefined) return { config: defaultConfig(), diagnostics: [] };
  const diagnostic = (at: { line: number; column: number } | undefined, message: string): Diagnostic => ({ file: CONFIG_FILE, line: at?.line ?? 1, column: at?.column ?? 1, severity: 'error', code: 'config-invalid', message, extractor: 'config' });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    return { config: defaultConfig(), diagnostics: [diagnostic(jsonErrorPosition(text), `${CONFIG_FILE} is not valid JSON: ${message}`)] };
  }
  const parsed = WorkspaceConfigSchema.safeParse(raw);
  if (parsed.success) return { config: parsed.data, diagnostics: [] };
  // One diagnostic per problem, at the key to fix; the whole file is ignored until it is valid.
  const diagnostics = configIssues(parsed.error.issues).map((i) => diagnostic(locateJsonPath(text, i.path), `${CONFIG_FILE}: ${pathText(i.path) || '(root)'}: ${i.message}; the file is ignored until this is fixed`));
  return { config: defaultConfig(), diagnostics };
}

/** True when `value` names a supported dialect. */
export function isDialect(value: string): value is Dialect {
  return (DIALECTS as readonly string[]).includes(value);
}

/** Dialect configured for a workspace path (file or folder), ignoring dbt profiles. */
export function configuredDialect(config: WorkspaceConfig, path: string, override?: Dialect): Dialect {
  if (override) return override;
  let best: { prefix: string; dialect: Dialect } | undefined;
  for (const [prefix, dialect] of Object.entries(config.folders)) {
    const norm = prefix.replace(/^\.\//, '').replace(/\/?$/, '/');
    const matches = norm === '/' || `${path}/`.startsWith(norm);
    if (matches && (!best || norm.length > best.prefix.length)) best = { prefix: norm, dialect };
  }
  return best?.dialect ?? config.dialect ?? 'postgresql';
}

/** dbt adapter type → node-sql-parser dialect. */
const ADAPTER_DIALECTS: Record<string, Dialect> = {
  postgres: 'postgresql', duckdb: 'postgresql', materialize: 'postgresql', snowflake: 'snowflake', bigquery: 'bigquery',
  redshift: 'redshift', mysql: 'mysql', trino: 'trino', starburst: 'trino', athena: 'athena', spark: 'hive', databricks: 'hive',
  hive: 'hive', sqlserver: 'transactsql', fabric: 'transactsql', synapse: 'transactsql', sqlite: 'sqlite', db2: 'db2',
};

/** Dialect for a dbt adapter type, undefined when unknown. */
export function dialectForAdapter(type: string): Dialect | undefined {
  return ADAPTER_DIALECTS[type.toLowerCase()];
}

/** Adapter type to render dbt Jinja for when only a dialect is known. */
export function adapterForDialect(dialect: Dialect): string {
  const found = Object.entries(ADAPTER_DIALECTS).find(([, d]) => d === dialect);
  return found?.[0] ?? 'postgres';
}

/** A dbt target read from `profiles.yml`. */
export interface ProfileTarget {
  name: string;
  type: string;
  schema: string;
  database?: string;
}
