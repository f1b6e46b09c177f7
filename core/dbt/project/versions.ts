import type { Diagnostic, TestRef } from '../../model/entities';
import type { DeclaredColumn } from './properties';
import { asArray, asRecord, asString, type YamlFile } from './yamlFile';

/**
 * A model's `versions:` in a properties YAML file, read with dbt's rules (dbt-core
 * `UnparsedVersion`, `IncludeExclude`, `get_columns_for_version`): a version inherits the model's
 * top-level `columns` filtered by its one `include`/`exclude` element (default: include all,
 * exclude none), then its own columns replace inherited ones of the same name in place or are
 * appended. Its description, tests and config fall back to the model's (config deep-merged).
 * What dbt rejects (a duplicate version, a second include/exclude element, a bad `include`,
 * `exclude` beside an `include` list, a `latest_version` that is not a version) is reported where
 * it is written; reading goes on with the closest meaning.
 */

/** One version of a model as declared. */
export interface DeclaredVersion {
  v: string;
  /** File base name that defines it (`defined_in`, default `<model>_v<v>`). */
  definedIn: string;
  columns: DeclaredColumn[];
  /** The version's own `config:` (merged over the model's by the loader). */
  config: Record<string, unknown>;
  /** The version's own description and tests, when it declares them. */
  description?: string;
  tests?: TestRef[];
}

/** How properties.ts reads columns and tests (passed in to keep one reader of each). */
export interface VersionReaders {
  columns: (raw: unknown) => DeclaredColumn[];
  tests: (raw: unknown) => TestRef[];
}

const INCLUDE_ALL = ['all', '*'];

/** Reads `versions:` and `latest_version` of one model entry at `path` in the YAML file. */
export function readVersions(
  r: Record<string, unknown>,
  model: { name: string; columns: DeclaredColumn[]; file: string },
  yf: YamlFile,
  path: (string | number)[],
  read: VersionReaders,
): { versions: DeclaredVersion[]; latestVersion?: string; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (at: (string | number)[], severity: Diagnostic['severity'], message: string): void => {
    const pos = yf.positionOf([...path, ...at]);
    diagnostics.push({ file: model.file, line: pos.line, column: pos.column, severity, code: 'dbt-model-versions', message, extractor: 'dbt-yaml' });
  };
  const versions: DeclaredVersion[] = [];
  asArray(r.versions).forEach((raw, i) => {
    const v = asRecord(raw);
    const ver = asString(v.v);
    if (ver === undefined) return report(['versions', i], 'error', `a version of model '${model.name}' has no 'v:'; dbt requires one`);
    if (versions.some((x) => x.v === ver)) return report(['versions', i, 'v'], 'error', `Found duplicate version: '${ver}' in versions list of model '${model.name}' (the first one is used)`);
    let include: unknown = '*';
    let exclude: string[] = [];
    let filterAt = -1;
    const own: unknown[] = [];
    asArray(v.columns).forEach((c, j) => {
      const cr = asRecord(c);
      if (!('include' in cr) && !('exclude' in cr && !('name' in cr))) return void own.push(c);
      if (filterAt >= 0) return report(['versions', i, 'columns', j], 'error', `version ${ver} of model '${model.name}' can have at most one include/exclude element (the first one is used)`);
      filterAt = j;
      include = cr.include;
      exclude = asArray(cr.exclude).flatMap((x) => asString(x) ?? []);
    });
    const at = ['versions', i, 'columns', filterAt];
    const includeAll = typeof include === 'string' && INCLUDE_ALL.includes(include);
    const includeList = Array.isArray(include) ? include.flatMap((x) => asString(x) ?? []) : undefined;
    if (filterAt >= 0 && !includeAll && !includeList) report([...at, 'include'], 'error', `include must be one of ('all', '*') or a list of strings; dbt rejects ${include === undefined ? 'an exclude without include' : `include: ${String(include)}`} (read as include: all)`);
    if (includeList && exclude.length > 0) report([...at, 'exclude'], 'error', "exclude can only be specified if include is one of ('all', '*') (both are applied)");
    const names = new Set(model.columns.map((c) => c.name));
    for (const n of [...(includeList ?? []), ...exclude]) {
      if (!names.has(n)) report(at, 'warning', `version ${ver} of model '${model.name}' names column '${n}' in include/exclude, but the model's top-level columns have no such column`);
    }
    const included = (name: string): boolean => (includeList ? includeList.includes(name) : true) && !exclude.includes(name);
    const columns = model.columns.filter((c) => included(c.name)).map((c) => ({ ...c }));
    for (const c of read.columns(own)) {
      const k = columns.findIndex((x) => x.name === c.name);
      if (k >= 0) columns[k] = c;
      else columns.push(c);
    }
    const description = asString(v.description);
    const testsRaw = v.data_tests ?? v.tests;
    versions.push({
      v: ver,
      definedIn: asString(v.defined_in) ?? `${model.name}_v${ver}`,
      columns,
      config: asRecord(v.config),
      ...(description ? { description } : {}),
      ...(testsRaw !== undefined && testsRaw !== null ? { tests: [...read.tests(v.tests), ...read.tests(v.data_tests)] } : {}),
    });
  });
  const declared = asString(r.latest_version);
  if (declared !== undefined && versions.length > 0 && !versions.some((x) => x.v === declared)) {
    report(['latest_version'], 'error', `latest_version: ${declared} is not one of model '${model.name}' versions: [${versions.map((x) => x.v).join(', ')}]`);
  }
  const latest = declared !== undefined && versions.some((x) => x.v === declared) ? declared : versions.map((x) => x.v).sort(compareVersions).at(-1);
  return { versions, ...(latest !== undefined ? { latestVersion: latest } : {}), diagnostics };
}

/** dbt orders versions as numbers when both are numeric, else as strings (`UnparsedVersion.__lt__`). */
export function compareVersions(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
