/**
 * Finds the dbt reference under the cursor in one line of SQL/Jinja: `ref('m')`, `ref('pkg', 'm')`,
 * `ref('m', v=2)`, `source('s', 't')`, `doc('d')`, a macro call `{{ name(` or a bare relation name.
 * Pure text work, so it is unit-tested without VS Code.
 */

/** A reference and the character span (0-based, end exclusive) it covers on the line. */
export type SqlReference = { start: number; end: number } & (
  | { kind: 'ref'; name: string; package?: string; version?: string }
  | { kind: 'source'; source: string; name: string }
  | { kind: 'doc'; name: string }
  | { kind: 'macro'; name: string }
  | { kind: 'relation'; name: string }
);

const STR = `\\s*(['"])([^'"]+)\\1\\s*`;
const PATTERNS: { kind: 'ref' | 'source' | 'doc'; re: RegExp }[] = [
  { kind: 'ref', re: new RegExp(`\\bref\\(${STR}(?:,${STR})?(?:,[^)]*)?\\)`, 'g') },
  { kind: 'source', re: new RegExp(`\\bsource\\(${STR},${STR}\\)`, 'g') },
  { kind: 'doc', re: new RegExp(`\\bdoc\\(${STR}\\)`, 'g') },
];
const JINJA_BUILTINS = new Set(['ref', 'source', 'doc', 'config', 'var', 'env_var', 'is_incremental', 'this', 'return', 'log', 'run_query', 'adapter', 'range', 'loop']);

/** The reference at `character` on `line`, if any. */
export function findReference(line: string, character: number): SqlReference | undefined {
  for (const { kind, re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const start = m.index;
      const end = m.index + m[0].length;
      if (character < start || character > end) continue;
      const first = m[2] ?? '';
      const second = m[4];
      if (kind === 'ref') return second === undefined ? { kind, name: first, start, end } : { kind, name: second, package: first, start, end };
      if (kind === 'source') return { kind, source: first, name: second ?? '', start, end };
      return { kind, name: first, start, end };
    }
  }
  const word = wordAt(line, character);
  if (!word) return undefined;
  const after = line.slice(word.end);
  const inJinja = line.lastIndexOf('{{', word.start) > line.lastIndexOf('}}', word.start) || line.lastIndexOf('{%', word.start) > line.lastIndexOf('%}', word.start);
  if (inJinja && /^\s*\(/.test(after) && !JINJA_BUILTINS.has(word.text)) return { kind: 'macro', name: word.text, start: word.start, end: word.end };
  if (!inJinja && /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}$/.test(word.text)) return { kind: 'relation', name: word.text, start: word.start, end: word.end };
  return undefined;
}

/**
 * Every `ref(...)` and `source(...)` call on `line`, in order (Find All References reads whole
 * files with it). A ref's `v=`/`version=` argument becomes `version`.
 */
export function referencesInLine(line: string): SqlReference[] {
  const out: SqlReference[] = [];
  for (const { kind, re } of PATTERNS) {
    if (kind === 'doc') continue;
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const start = m.index;
      const end = m.index + m[0].length;
      const first = m[2] ?? '';
      const second = m[4];
      if (kind === 'source') {
        out.push({ kind, source: first, name: second ?? '', start, end });
        continue;
      }
      const version = /\b(?:v|version)\s*=\s*['"]?([\w.]+)/.exec(m[0])?.[1];
      const base = second === undefined ? { kind, name: first, start, end } : { kind, name: second, package: first, start, end };
      out.push(version === undefined ? base : { ...base, version });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The dotted identifier around `character` (e.g. `analytics.orders`). */
function wordAt(line: string, character: number): { text: string; start: number; end: number } | undefined {
  const re = /[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (character >= m.index && character <= m.index + m[0].length) return { text: m[0], start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}
