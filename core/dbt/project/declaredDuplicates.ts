import type { Diagnostic, TestRef } from '../../model/entities';
import type { DeclaredColumn, DeclaredNode } from './properties';
import { asArray, asRecord, asString, type YamlFile } from './yamlFile';

/**
 * Duplicates in dbt properties YAML: a column listed twice under one model, a test listed twice, a
 * model (seed, snapshot, …) described twice in one or several files, a source table declared twice,
 * a source declared in two places. dbt rejects most of these; Mallard keeps the first declaration,
 * reads everything else, and warns at the later one with the line of the kept one, so one copy-paste
 * slip never costs the rest of the project.
 */

const CODE = 'dbt-duplicate-property';

function warn(file: string, at: { line: number; column: number }, message: string): Diagnostic {
  return { file, line: at.line, column: at.column, severity: 'warning', code: CODE, message, extractor: 'dbt-yaml' };
}

/** The raw YAML value at a path of keys/indices. */
function rawAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const key of path) node = typeof key === 'number' ? asArray(node)[key] : asRecord(node)[key];
  return node;
}

const RESOURCE_LABEL: Record<DeclaredNode['resource'], string> = {
  models: 'model', seeds: 'seed', snapshots: 'snapshot', exposures: 'exposure', sources: 'source table', analyses: 'analysis', macros: 'macro',
};

/** Raw indices of the named entries of a YAML list, in order: the i-th named entry is `indices[i]`. */
function namedIndices(list: unknown): { name: string; index: number }[] {
  return asArray(list).flatMap((item, index) => {
    const name = asString(asRecord(item).name);
    return name ? [{ name, index }] : [];
  });
}

/** Keeps the first column of each (case-insensitive) name; warns at the later ones. */
function firstColumns(cols: DeclaredColumn[], rawList: unknown, at: (index: number) => { line: number; column: number }, owner: string, file: string, out: Diagnostic[]): DeclaredColumn[] {
  const raw = namedIndices(rawList);
  const firstIndex = new Map<string, number>();
  const usedRaw = new Set<number>();
  let keptAll = true;
  const kept = cols.filter((c) => {
    const key = c.name.toLowerCase();
    // The i-th column of the list with this name is its i-th raw entry with this name.
    const rawEntry = raw.find((r) => r.name.toLowerCase() === key && !usedRaw.has(r.index));
    if (rawEntry) usedRaw.add(rawEntry.index);
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, rawEntry?.index ?? -1);
      return true;
    }
    keptAll = false;
    const firstLine = first >= 0 ? at(first).line : undefined;
    out.push(warn(file, rawEntry ? at(rawEntry.index) : at(-1), `column '${c.name}' of ${owner} is listed twice${firstLine !== undefined ? ` (first at line ${firstLine})` : ''}; the first wins and this one is ignored`));
    return false;
  });
  return keptAll ? cols : kept;
}

function testKey(t: TestRef): string {
  return `${t.name}\u0000${JSON.stringify(t.args)}`;
}

/** Keeps the first of equal tests (same name and arguments) under `tests:` then `data_tests:`; warns at the later ones. */
function firstTests(tests: TestRef[], raw: Record<string, unknown>, at: (path: (string | number)[]) => { line: number; column: number }, owner: string, file: string, out: Diagnostic[]): TestRef[] {
  // The list is `tests` followed by `data_tests`, one entry per raw item that names a test.
  const places = (['tests', 'data_tests'] as const).flatMap((key) => asArray(raw[key]).map((_, i) => [key, i] as (string | number)[]));
  const seen = new Map<string, (string | number)[]>();
  let keptAll = true;
  const kept = tests.filter((t, i) => {
    const key = testKey(t);
    const place = places[i];
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, place ?? []);
      return true;
    }
    keptAll = false;
    out.push(warn(file, at(place ?? []), `test '${t.name}' of ${owner} is listed twice with the same arguments (first at line ${at(first).line}); dbt rejects this, the first is kept`));
    return false;
  });
  return keptAll ? tests : kept;
}

/**
 * Checks one declared entry against its own YAML (columns and tests listed twice) and removes the
 * later copies in place. Also records where a source table's source entry is, for `dedupeDeclared`.
 */
export function checkDeclaredNode(node: DeclaredNode, yf: YamlFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const path = node.yamlPath;
  if (!path) return out;
  const raw = asRecord(rawAt(yf.data, path));
  const pos = (rest: (string | number)[]): { line: number; column: number } => yf.positionOf([...path, ...rest]);
  const owner = `${RESOURCE_LABEL[node.resource]} '${node.source ? `${node.source.source}.${node.name}` : node.name}'`;
  node.columns = firstColumns(node.columns, raw.columns, (i) => pos(i < 0 ? [] : ['columns', i]), owner, node.file, out);
  node.tests = firstTests(node.tests, raw, pos, owner, node.file, out);
  const checked = new Set<DeclaredColumn>();
  namedIndices(raw.columns).forEach(({ index }) => {
    const rawCol = asRecord(asArray(raw.columns)[index]);
    const col = node.columns.find((c) => c.name === asString(rawCol.name));
    if (!col || checked.has(col)) return;
    checked.add(col);
    col.tests = firstTests(col.tests, rawCol, (rest) => pos(['columns', index, ...rest]), `column '${col.name}' of ${owner}`, node.file, out);
  });
  const rawVersions = asArray(raw.versions);
  for (const version of node.versions ?? []) {
    const vi = rawVersions.findIndex((v) => asString(asRecord(v).v) === version.v);
    if (vi < 0) continue;
    const own = asRecord(rawVersions[vi]).columns;
    version.columns = firstColumns(version.columns, own, (i) => pos(i < 0 ? ['versions', vi] : ['versions', vi, 'columns', i]), `version ${version.v} of ${owner}`, node.file, out);
  }
  if (node.source && path[0] === 'sources' && typeof path[1] === 'number') node.sourceAt = yf.positionOf(['sources', path[1]]);
  return out;
}

/**
 * Keeps the first declaration of each resource across every properties file of the project (in
 * file order) and warns at each later one. A source declared in two places keeps the tables of
 * both (a table declared in both: the first); its later entry gets one warning.
 */
export function dedupeDeclared(declared: readonly DeclaredNode[]): { declared: DeclaredNode[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const first = new Map<string, DeclaredNode>();
  const sourceEntries = new Map<string, { file: string; line: number }>();
  const kept = declared.filter((d) => {
    if (d.source && d.sourceAt) {
      const sourceName = d.source.source;
      const key = `${d.project}\u0000${sourceName}`;
      const entry = sourceEntries.get(key);
      if (!entry) sourceEntries.set(key, { file: d.file, line: d.sourceAt.line });
      else if (entry.file !== d.file || entry.line !== d.sourceAt.line) {
        const warned = `${d.file}:${d.sourceAt.line}`;
        if (!diagnostics.some((x) => x.code === CODE && `${x.file}:${x.line}` === warned && x.message.startsWith(`source '${sourceName}'`))) {
          diagnostics.push(warn(d.file, d.sourceAt, `source '${sourceName}' is also declared at ${entry.file}:${entry.line}; dbt rejects a source declared twice. The tables of both are read; for a table declared in both, the first wins`));
        }
      }
    }
    const name = d.source ? `${d.source.source}.${d.name}` : d.name;
    const key = `${d.resource}\u0000${d.project}\u0000${name}`;
    const kept = first.get(key);
    if (!kept) {
      first.set(key, d);
      return true;
    }
    const label = RESOURCE_LABEL[d.resource];
    diagnostics.push(warn(d.file, d, `${label} '${name}' is already described at ${kept.file}:${kept.line}; the first description wins and this one is ignored (dbt rejects a ${label} described twice)`));
    return false;
  });
  return { declared: kept, diagnostics };
}
