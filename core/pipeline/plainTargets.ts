import type { Diagnostic } from '../model/entities';
import type { ParsedSql, RelationName } from './contracts';
import type { SqlNameFacts } from './sqlNameScan';
import { compileTargetRules, type PathTarget, type TargetRule } from './targetRules';

/**
 * Which table each plain SQL file's bare query builds. A file whose last statement (ignoring
 * commands such as `SET` or `DECLARE`) is a query without a target gets the target its path rule
 * names (`targetRules.ts`) — unless it only reads what the file itself wrote before (a script
 * showing its result); when no rule matches, an info diagnostic says how to add one, and when
 * the built-in `file-name` rule would give two files the same name, neither gets it (never a guess).
 * Every file also gets the rule's defaults for its unqualified names.
 */

/** What the rules say about one file. */
export interface FileTarget {
  /** Index of the statement that gets `target`, when a rule names one. */
  index?: number;
  target?: RelationName;
  kind: 'table' | 'view';
  /** The rule that named it (entity meta `targetRule`). */
  rule?: string;
  /** Default database/schema of the file's unqualified names from its rule. */
  defaults: { database?: string; schema?: string };
}

/** One file as the rules see it. */
export interface TargetInput {
  path: string;
  parsed: ParsedSql;
  names?: SqlNameFacts;
}

const EXTRACTOR = 'sql-targets';

/** Index of the file's bare final query, if it ends with one. */
export function bareQueryIndex(parsed: ParsedSql): number | undefined {
  for (let i = parsed.statements.length - 1; i >= 0; i--) {
    const s = parsed.statements[i];
    if (!s || s.kind === 'other') continue;
    return s.kind === 'select' && !s.target ? i : undefined;
  }
  return undefined;
}

/**
 * True when the file wrote tables before the bare query at `index` and the query reads nothing else
 * (`CREATE TABLE t AS …; SELECT * FROM t`, or a script's `EXCEPTION WHEN ERROR THEN SELECT
 * @@error.message`): a script showing its result, not a query whose output is a table.
 */
export function showsOwnResult(parsed: ParsedSql, index: number): boolean {
  const reads = parsed.statements[index]?.reads ?? [];
  const written = parsed.statements.slice(0, index).flatMap((s) => (s.target ? [s.target] : []));
  const same = (a: string | undefined, b: string | undefined): boolean => a === undefined || b === undefined || a.toLowerCase() === b.toLowerCase();
  return written.length > 0 && reads.every((r) => written.some((w) => w.name.toLowerCase() === r.name.toLowerCase() && same(w.schema, r.schema) && same(w.database, r.database)));
}

/** A glob and target a user could add for `path`: its folder's files, named in a schema after the folder. */
function ruleHint(path: string): string {
  const folders = path.split('/').slice(0, -1);
  const glob = folders.length > 0 ? `${folders.join('/')}/*.sql` : '*.sql';
  const schema = folders[folders.length - 1] ?? 'my_schema';
  return `{"glob": "${glob}", "target": "${schema}.{file}"}`;
}

function info(file: TargetInput, index: number, code: string, message: string): Diagnostic {
  const stmt = file.parsed.statements[index];
  return { file: file.path, line: stmt?.line ?? 1, column: file.names?.columns[index] ?? 1, severity: 'info', code, message, extractor: EXTRACTOR };
}

/** Applies the rules to every file; `rules` empty turns targets off (no target, no diagnostic). */
export function assignTargets(files: readonly TargetInput[], rules: readonly TargetRule[]): { byPath: Map<string, FileTarget>; diagnostics: Diagnostic[] } {
  const match = compileTargetRules(rules);
  const byPath = new Map<string, FileTarget>();
  const diagnostics: Diagnostic[] = [];
  const byFileName = new Map<string, { file: TargetInput; index: number; answer: PathTarget }[]>();
  for (const file of files) {
    const answer = match(file.path);
    const entry: FileTarget = { kind: answer?.kind ?? 'table', defaults: answer?.defaults ?? {} };
    byPath.set(file.path, entry);
    const index = bareQueryIndex(file.parsed);
    if (index === undefined || rules.length === 0 || showsOwnResult(file.parsed, index)) continue;
    if (!answer) {
      diagnostics.push(info(file, index, 'no-target', `This query builds no table: no rule in "targets" matches ${file.path}, so it has no catalog entry and no lineage. To name its table, add a rule to "targets" in .mallard.json (or the mallard.targets setting), e.g. ${ruleHint(file.path)}; "target": false marks files that build nothing.`));
      continue;
    }
    if (!answer.target) continue;
    if (answer.byFileName) {
      const key = answer.target.name.toLowerCase();
      byFileName.set(key, [...(byFileName.get(key) ?? []), { file, index, answer }]);
      continue;
    }
    Object.assign(entry, { index, target: answer.target, rule: answer.rule });
  }
  for (const group of byFileName.values()) {
    if (group.length === 1) {
      const [only] = group;
      if (only) Object.assign(byPath.get(only.file.path) as FileTarget, { index: only.index, target: only.answer.target, rule: only.answer.rule });
      continue;
    }
    const paths = group.map((g) => g.file.path);
    for (const g of group) {
      const others = paths.filter((p) => p !== g.file.path);
      const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '');
      diagnostics.push(info(g.file, g.index, 'target-ambiguous', `This query builds no table: ${shown} ${others.length === 1 ? 'has' : 'have'} the same file name, and the "file-name" rule names a table only when one file has its name. Add a rule before "file-name" in "targets" in .mallard.json, e.g. ${ruleHint(g.file.path)}.`));
    }
  }
  return { byPath, diagnostics };
}
