import { z } from 'zod';
import type { RelationName } from './contracts';

/**
 * Target rules: which table a plain SQL file builds when its last statement is a bare query (no
 * `CREATE … AS`, no `INSERT INTO`), and the default dataset/schema of its unqualified names. Rules
 * come from `"targets"` in `.mallard.json` (or the `mallard.targets` setting) and are tried in order;
 * the first whose glob matches the file's workspace-relative path wins. A rule is a glob with a
 * target template, or the name of a built-in rule:
 * - `table-folder` (bigquery-etl's layout, one table per folder): `query.sql`, `init.sql`,
 *   `view.sql`, `materialized_view.sql`, `script.sql`, `part<N>.sql` build the table named by the
 *   (up to) three folders above them, `<project>/<dataset>/<table>/query.sql` →
 *   `<project>.<dataset>.<table>` (a view for `view.sql` and `materialized_view.sql`), and
 *   `checks.sql` (data checks) builds nothing; the project and dataset are the defaults of the
 *   folder's unqualified names, as bigquery-etl runs each query with them;
 * - `file-name` (dbt's convention, a model is named after its file): `orders.sql` → `orders`, with
 *   no schema; two files of the same name anywhere in the workspace are ambiguous and get none.
 * Without `"targets"` the rules are `["table-folder", "file-name"]`; `[]` turns targets off.
 */

/** Names of the built-in rules. */
export const BUILTIN_RULES = ['table-folder', 'file-name'] as const;
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/** The rules used when none are configured. */
export const DEFAULT_TARGET_RULES: readonly TargetRule[] = ['table-folder', 'file-name'];

/** Wildcards that capture, numbered from 1 left to right: `**` (any folders) and `*` (within one name). */
const WILDCARD = /\*\*|\*/g;
/** `{N}` (a capture) or `{file}` (the file name without `.sql`). */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Problems of a configured rule's template: placeholders its glob cannot fill, empty name parts. */
function templateProblems(glob: string, target: string): string[] {
  const captures = glob.match(WILDCARD)?.length ?? 0;
  const problems: string[] = [];
  for (const m of target.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    const n = /^[1-9][0-9]*$/.test(name) ? Number(name) : undefined;
    if (name === 'file' || (n !== undefined && n <= captures)) continue;
    problems.push(n === undefined ? `unknown placeholder {${name}}: use {1}…{${Math.max(captures, 1)}} for the glob's wildcards or {file}` : `{${n}} refers to wildcard ${n}, but the glob "${glob}" has ${captures}`);
  }
  if (/^\s*\.|\.\s*$|\.\./.test(target.replace(PLACEHOLDER, 'x'))) problems.push(`"${target}" has an empty name part`);
  return problems;
}

/** One configured rule. */
export const TargetRuleSchema = z.union([
  z.enum(BUILTIN_RULES),
  z
    .object({
      /** Workspace-relative glob: `*` matches within a file or folder name, `**` any number of folders, `?` one character. */
      glob: z.string().min(1, 'a glob must not be empty'),
      /** Template of the target, e.g. `{1}.{2}.{3}` or `reports.{file}`; `false`: these files build no table. */
      target: z.union([z.string().min(1, 'a target must not be empty'), z.literal(false)]),
      /** Whether the target is a table (default) or a view. */
      kind: z.enum(['table', 'view']).optional(),
    })
    .strict()
    .superRefine((rule, ctx) => {
      if (rule.target === false) return;
      for (const message of templateProblems(rule.glob, rule.target)) ctx.addIssue({ code: 'custom', path: ['target'], message });
    }),
]);
export type TargetRule = z.infer<typeof TargetRuleSchema>;

/** The `targets` list. */
export const TargetRulesSchema = z.array(TargetRuleSchema);

/** What a rule says about one file. */
export interface PathTarget {
  /** The table a bare query of the file builds; absent when the rule says the file builds none. */
  target?: RelationName;
  kind: 'table' | 'view';
  /** Default database and schema of the file's unqualified names (the target's qualifiers). */
  defaults: { database?: string; schema?: string };
  /** The rule, for provenance and messages (`table-folder`, `targets[2] (sql/*.sql → x.{file})`). */
  rule: string;
  /** Set for the built-in `file-name` rule, whose names must be unique in the workspace. */
  byFileName?: true;
}

/** A compiled rule: a path → answer function. */
type CompiledRule = (path: string) => PathTarget | undefined;

/** Files of a one-table-per-folder layout that build their folder's table. */
const FOLDER_FILES = /^(query|init|view|materialized_view|script|part[0-9]+)\.sql$/i;

/** The file name without its folder and `.sql` extension. */
function stem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.sql$/i, '');
}

/** Builds a relation from dotted parts (last = name, then schema, then database). */
function relationOf(parts: readonly string[]): RelationName | undefined {
  const name = parts[parts.length - 1];
  if (!name) return undefined;
  const schema = parts[parts.length - 2];
  const database = parts.slice(0, -2).join('.');
  return { name, ...(schema ? { schema } : {}), ...(database ? { database } : {}) };
}

const defaultsOf = (rel: RelationName | undefined): PathTarget['defaults'] => (rel?.schema ? { schema: rel.schema, ...(rel.database ? { database: rel.database } : {}) } : {});

function tableFolder(path: string): PathTarget | undefined {
  const parts = path.split('/');
  const base = parts[parts.length - 1] ?? '';
  const folders = parts.slice(0, -1).slice(-3);
  if (folders.length === 0) return undefined;
  const rel = relationOf(folders);
  const rule = 'table-folder';
  // Data checks query the folder's table; they build nothing.
  if (/^checks\.sql$/i.test(base)) return { kind: 'table', defaults: defaultsOf(rel), rule };
  if (!FOLDER_FILES.test(base) || !rel) return undefined;
  const kind = /^(view|materialized_view)\.sql$/i.test(base) ? 'view' : 'table';
  return { target: rel, kind, defaults: defaultsOf(rel), rule };
}

function fileName(path: string): PathTarget | undefined {
  const name = stem(path);
  if (name === '' || !/\.sql$/i.test(path)) return undefined;
  return { target: { name }, kind: 'table', defaults: {}, rule: 'file-name', byFileName: true };
}

/** Escapes a glob's literal text for a regular expression. */
const literal = (s: string): string => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '[^/]');

/** Compiles a glob into a regular expression whose groups are its wildcards. */
export function globRegExp(glob: string): RegExp {
  const g = glob.replace(/^\.\//, '').replace(/^\/+/, '');
  let out = '';
  let last = 0;
  for (const m of g.matchAll(WILDCARD)) {
    const at = m.index ?? 0;
    out += literal(g.slice(last, at));
    last = at + m[0].length;
    if (m[0] === '**') {
      // `a/**/b` matches `a/b` too: the slash after `**` belongs to the capture.
      if (g[last] === '/') {
        out += '((?:[^/]+/)*?)';
        last++;
      } else out += '(.*)';
    } else out += '([^/]*)';
  }
  out += literal(g.slice(last));
  return new RegExp(`^${out}$`);
}

function userRule(rule: Exclude<TargetRule, BuiltinRule>, index: number): CompiledRule {
  const re = globRegExp(rule.glob);
  const label = `targets[${index}] (${rule.glob} → ${rule.target === false ? 'no target' : rule.target})`;
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    if (rule.target === false) return { kind: rule.kind ?? 'table', defaults: {}, rule: label };
    const captures = m.slice(1).map((c) => (c ?? '').replace(/\/+$/, '').replace(/\//g, '.'));
    const text = rule.target.replace(PLACEHOLDER, (_all, name: string) => (name === 'file' ? stem(path) : (captures[Number(name) - 1] ?? '')));
    const target = relationOf(text.split('.').filter((p) => p !== ''));
    // A capture that matched nothing leaves no name: the rule cannot name this file.
    if (!target) return undefined;
    return { target, kind: rule.kind ?? 'table', defaults: defaultsOf(target), rule: label };
  };
}

/** Compiles rules (already validated) into one path → answer function; undefined when none matches. */
export function compileTargetRules(rules: readonly TargetRule[]): (path: string) => PathTarget | undefined {
  const compiled: CompiledRule[] = rules.map((rule, i) => (rule === 'table-folder' ? tableFolder : rule === 'file-name' ? fileName : userRule(rule, i)));
  return (path) => {
    for (const rule of compiled) {
      const answer = rule(path);
      if (answer) return answer;
    }
    return undefined;
  };
}
