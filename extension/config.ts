import { DIALECTS, type Dialect } from '../core/pipeline/contracts';
import { configIssues, pathText } from '../core/pipeline/configIssues';
import { TargetRulesSchema, type TargetRule } from '../core/pipeline/targetRules';
import { DefaultSchemaSchema } from '../core/pipeline/workspaceConfig';

/**
 * The typed view of Mallard's settings. `extension/ui/settings.ts` reads the raw values from VS Code;
 * this module only validates and defaults them, so it is testable without VS Code.
 */
export interface MallardConfig {
  /** Default SQL dialect for plain SQL files and rendered dbt models. */
  dialect: Dialect;
  /** Whether the user set `mallard.dialect`; when not, plain SQL may be read in a dialect it shows. */
  dialectSet: boolean;
  /** Dialect overrides per workspace-relative folder (longest matching prefix wins). */
  dialectByFolder: Record<string, Dialect>;
  /** Globs of files to scan; empty means everything not excluded. */
  include: string[];
  /** Globs of files never scanned, on top of .gitignore / .dbtignore. */
  exclude: string[];
  /** Rescan a file when it is saved. */
  rescanOnSave: boolean;
  /** Upper bound of nodes the lineage webview receives in one payload. */
  maxGraphNodes: number;
  /**
   * Rules naming the table a plain SQL file's bare query builds (`core/pipeline/targetRules.ts`);
   * null: not set (the built-in `["table-folder", "file-name"]`). `.mallard.json` `"targets"` wins.
   */
  targets: TargetRule[] | null;
  /** Default `schema` or `database.schema` of unqualified plain SQL names; empty: none. `.mallard.json` wins. */
  defaultSchema: string;
}

/** Defaults, also declared in package.json's `contributes.configuration`. */
export const DEFAULT_CONFIG: Readonly<MallardConfig> = Object.freeze({
  dialect: 'postgresql',
  dialectSet: false,
  dialectByFolder: {},
  include: [],
  exclude: [],
  rescanOnSave: true,
  maxGraphNodes: 200,
  targets: null,
  defaultSchema: '',
});

/** Bounds of `maxGraphNodes`: below 10 the view is useless, above 2,000 the webview stalls. */
export const MAX_GRAPH_NODES_RANGE = { min: 10, max: 2000 } as const;

/** Reads a raw setting; returns undefined when unset. */
export type RawSettingReader = (key: string) => unknown;

function isDialect(value: unknown): value is Dialect {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : undefined;
}

/**
 * Builds the config from raw settings. Invalid values fall back to defaults and are reported in
 * `problems` so the caller can log them once instead of failing activation.
 */
export function readConfig(read: RawSettingReader): { config: MallardConfig; problems: string[] } {
  const problems: string[] = [];
  const config: MallardConfig = { ...DEFAULT_CONFIG, dialectByFolder: {}, include: [], exclude: [] };

  const dialect = read('dialect');
  if (isDialect(dialect)) {
    config.dialect = dialect;
    config.dialectSet = true;
  } else if (dialect !== undefined) problems.push(`mallard.dialect: unknown dialect ${JSON.stringify(dialect)}`);

  const byFolder = read('dialectByFolder');
  if (byFolder !== undefined && (typeof byFolder !== 'object' || byFolder === null || Array.isArray(byFolder))) {
    problems.push('mallard.dialectByFolder: expected an object of folder → dialect');
  } else if (byFolder) {
    for (const [folder, value] of Object.entries(byFolder)) {
      if (isDialect(value)) config.dialectByFolder[folder.replace(/\\/g, '/').replace(/\/+$/, '')] = value;
      else problems.push(`mallard.dialectByFolder["${folder}"]: unknown dialect ${JSON.stringify(value)}`);
    }
  }

  for (const key of ['include', 'exclude'] as const) {
    const raw = read(key);
    const list = stringList(raw);
    if (list) config[key] = list;
    else if (raw !== undefined) problems.push(`mallard.${key}: expected a list of glob strings`);
  }

  const rescan = read('rescanOnSave');
  if (typeof rescan === 'boolean') config.rescanOnSave = rescan;
  else if (rescan !== undefined) problems.push('mallard.rescanOnSave: expected true or false');

  const maxNodes = read('maxGraphNodes');
  if (typeof maxNodes === 'number' && Number.isInteger(maxNodes)) {
    config.maxGraphNodes = Math.min(MAX_GRAPH_NODES_RANGE.max, Math.max(MAX_GRAPH_NODES_RANGE.min, maxNodes));
    if (config.maxGraphNodes !== maxNodes) problems.push(`mallard.maxGraphNodes: clamped ${maxNodes} to ${config.maxGraphNodes}`);
  } else if (maxNodes !== undefined) {
    problems.push('mallard.maxGraphNodes: expected an integer');
  }

  const targets = read('targets');
  if (targets !== undefined && targets !== null) {
    const parsed = TargetRulesSchema.safeParse(targets);
    if (parsed.success) config.targets = parsed.data;
    else problems.push(...configIssues(parsed.error.issues, ['targets']).map((i) => `mallard.${pathText(i.path)}: ${i.message}; the built-in rules apply until this is fixed`));
  }

  const defaultSchema = read('defaultSchema');
  if (defaultSchema === '' || DefaultSchemaSchema.safeParse(defaultSchema).success) config.defaultSchema = defaultSchema as string;
  else if (defaultSchema !== undefined) problems.push('mallard.defaultSchema: expected "schema" or "database.schema"');
  return { config, problems };
}

/** The dialect for a workspace-relative file: the longest folder override that contains it, else the default. */
export function dialectFor(config: MallardConfig, file: string): Dialect {
  const normalized = file.replace(/\\/g, '/');
  let best: { length: number; dialect: Dialect } | undefined;
  for (const [folder, dialect] of Object.entries(config.dialectByFolder)) {
    const inside = folder === '' || normalized === folder || normalized.startsWith(`${folder}/`);
    if (inside && (!best || folder.length > best.length)) best = { length: folder.length, dialect };
  }
  return best?.dialect ?? config.dialect;
}
