import type { Dialect, FileSource } from './contracts';

/**
 * Guesses the dialect of a workspace's plain SQL when nothing configures one (no `--dialect`, no
 * `mallard.dialect` set by the user, no `.mallard.json` `"dialect"`). A repository of BigQuery
 * scripts read as PostgreSQL gets a parse warning on nearly every file (`DECLARE x INT64`,
 * backtick-quoted `project.dataset.table` names), so a fresh clone would open with dozens of false
 * diagnostics. Only signals that no other supported dialect accepts count, and the guess needs them
 * in several files and well ahead of any other dialect's; otherwise the default stays.
 */

/** The guess and why, for logs and `stats`. */
export interface SniffedDialect {
  dialect: Dialect;
  reason: string;
}

interface Signal {
  dialect: Dialect;
  what: string;
  pattern: RegExp;
}

const SIGNALS: readonly Signal[] = [
  // A backtick-quoted name with a dot or a hyphen: `project.dataset.table`, `region-us`.
  { dialect: 'bigquery', what: 'backtick-quoted dotted names', pattern: /`[A-Za-z0-9_-]+[.-][A-Za-z0-9_.-]+`/ },
  { dialect: 'bigquery', what: 'BigQuery types (INT64, FLOAT64, STRUCT<…>)', pattern: /\b(?:INT64|FLOAT64|BIGNUMERIC)\b|\bSTRUCT\s*</i },
  { dialect: 'transactsql', what: 'T-SQL batches and names (GO, [dbo].)', pattern: /^\s*GO\s*$|\[dbo\]\./im },
  { dialect: 'snowflake', what: 'Snowflake functions (FLATTEN, IDENTIFIER, $1)', pattern: /\bLATERAL\s+FLATTEN\s*\(|\bIDENTIFIER\s*\(\s*['$:]|\bSELECT\s+\$1\b/i },
];

/** At most this many files are read, and this many characters of each. */
const SAMPLE_FILES = 200;
const SAMPLE_CHARS = 8192;

/** The dialect most of `paths` show signals of, if they clearly do; undefined otherwise. */
export function sniffPlainDialect(fs: FileSource, paths: readonly string[]): SniffedDialect | undefined {
  const sample = paths.length <= SAMPLE_FILES ? paths : paths.filter((_, i) => i % Math.ceil(paths.length / SAMPLE_FILES) === 0);
  const files = new Map<Dialect, number>();
  const reasons = new Map<Dialect, Set<string>>();
  let read = 0;
  for (const path of sample) {
    const text = fs.read(path)?.slice(0, SAMPLE_CHARS);
    if (text === undefined) continue;
    read++;
    const hit = new Set<Dialect>();
    for (const s of SIGNALS) {
      if (!s.pattern.test(text)) continue;
      hit.add(s.dialect);
      const set = reasons.get(s.dialect) ?? new Set<string>();
      set.add(s.what);
      reasons.set(s.dialect, set);
    }
    for (const d of hit) files.set(d, (files.get(d) ?? 0) + 1);
  }
  const ranked = [...files].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best) return undefined;
  const [dialect, count] = best;
  // Several files, a tenth of those read, and three times any other dialect's count.
  if (count < 2 || count * 10 < read || (second && second[1] * 3 > count)) return undefined;
  const what = [...(reasons.get(dialect) ?? [])].join(', ');
  return { dialect, reason: `detected from ${what} in ${count} of ${read} plain SQL files (set mallard.dialect or .mallard.json "dialect" to choose)` };
}
