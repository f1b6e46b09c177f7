import type { Diagnostic } from '../../model/entities';
import type { DbtProjectInfo } from '../api';
import { asArray, asRecord, asString, parseYamlFile } from './yamlFile';

/** Joins workspace-relative path parts, resolving `.` and `..`. */
export function joinPath(...parts: string[]): string {
  const out: string[] = [];
  for (const seg of parts.join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function paths(v: unknown, dflt: string[]): string[] {
  const list = asArray(v).map((x) => asString(x) ?? '').filter(Boolean);
  return list.length > 0 ? list : typeof v === 'string' ? [v] : dflt;
}

/** A parsed dbt_project.yml. */
export interface ProjectFile {
  info: DbtProjectInfo;
  raw: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Reads a dbt_project.yml at `root`; a missing or broken file yields diagnostics and defaults. */
export function readProjectFile(text: string | undefined, root: string, isRoot: boolean): ProjectFile {
  const file = joinPath(root, 'dbt_project.yml');
  if (text === undefined) {
    const name = root.split('/').pop() || 'dbt_project';
    return { info: defaults(name, root, isRoot), raw: {}, diagnostics: [{ file, line: 1, column: 1, severity: 'error', code: 'dbt-project-missing', message: 'dbt_project.yml not found', extractor: 'dbt-yaml' }] };
  }
  const yf = parseYamlFile(text, file);
  const raw = asRecord(yf.data);
  const diagnostics = [...yf.diagnostics];
  let name = asString(raw.name);
  if (!name) {
    name = root.split('/').pop() || 'dbt_project';
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'dbt-project-name', message: `dbt_project.yml has no 'name:'; using '${name}'`, extractor: 'dbt-yaml' });
  }
  const info = defaults(name, root, isRoot);
  info.modelPaths = paths(raw['model-paths'] ?? raw['source-paths'], info.modelPaths);
  info.macroPaths = paths(raw['macro-paths'], info.macroPaths);
  info.seedPaths = paths(raw['seed-paths'] ?? raw['data-paths'], info.seedPaths);
  info.snapshotPaths = paths(raw['snapshot-paths'], info.snapshotPaths);
  info.analysisPaths = paths(raw['analysis-paths'], info.analysisPaths);
  info.testPaths = paths(raw['test-paths'], info.testPaths);
  info.docsPaths = paths(raw['docs-paths'], [...info.modelPaths, ...info.seedPaths, ...info.snapshotPaths, ...info.analysisPaths, ...info.macroPaths, ...info.testPaths]);
  info.vars = asRecord(raw.vars);
  return { info, raw, diagnostics };
}

function defaults(name: string, root: string, isRoot: boolean): DbtProjectInfo {
  return {
    name, root, isRoot,
    modelPaths: ['models'], macroPaths: ['macros'], seedPaths: ['seeds'], snapshotPaths: ['snapshots'],
    analysisPaths: ['analyses'], testPaths: ['tests'], docsPaths: ['models', 'seeds', 'snapshots', 'analyses', 'macros', 'tests'], vars: {},
  };
}

/** `dispatch:` entries of the root project. */
export function readDispatch(raw: Record<string, unknown>): { macroNamespace: string; searchOrder: string[] }[] {
  return asArray(raw.dispatch).flatMap((d) => {
    const r = asRecord(d);
    const ns = asString(r.macro_namespace);
    return ns ? [{ macroNamespace: ns, searchOrder: asArray(r.search_order).map((x) => asString(x) ?? '').filter(Boolean) }] : [];
  });
}

/** Packages declared in packages.yml / dependencies.yml. */
export interface DeclaredPackages {
  /** `local:` folders, resolved against the project root. */
  local: string[];
  /** Hub and git packages: the expected project name (last path segment) and where it is declared. */
  remote: { spec: string; name: string; line: number; column: number }[];
}

/** Reads a packages file; `file` is its workspace path. */
export function readPackages(text: string | undefined, root: string, file: string): DeclaredPackages {
  const out: DeclaredPackages = { local: [], remote: [] };
  if (text === undefined) return out;
  const yf = parseYamlFile(text, file);
  asArray(asRecord(yf.data).packages).forEach((p, i) => {
    const r = asRecord(p);
    const local = asString(r.local);
    if (local) {
      out.local.push(joinPath(root, local));
      return;
    }
    const spec = asString(r.package) ?? asString(r.git) ?? asString(r.tarball);
    if (!spec) return;
    const name = (spec.replace(/\.git$/, '').split('/').pop() ?? spec).replace(/-/g, '_');
    out.remote.push({ spec, name, ...yf.positionOf(['packages', i]) });
  });
  return out;
}
