import type { FileSource } from '../../pipeline/contracts';
import { joinPath, readPackages, readProjectFile, type DeclaredPackages } from './projectFile';
import { asString } from './yamlFile';

/**
 * Where a dbt project's packages are: installed ones (`<packages-install-path>/<name>/dbt_project.yml`)
 * and `local:` ones from `packages.yml`/`dependencies.yml`. Shared by the context loader and by the
 * workspace planner, which needs only the names to decide which root catalogs which project.
 */

function under(path: string, dir: string): string | undefined {
  if (dir === '') return path;
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : undefined;
}

/** Package folders of the project at `root` and the packages files declaring them. */
export interface PackageRoots {
  installDir: string;
  /** Folders of package dbt_project.yml files (installed and local), without `root` itself. */
  roots: Set<string>;
  declared: (DeclaredPackages & { file: string })[];
}

/** Finds the package folders of the project at `root`; `read` reads a file (and may record it). */
export function findPackageRoots(all: readonly string[], root: string, rootRaw: Record<string, unknown>, read: (path: string) => string | undefined): PackageRoots {
  const installDir = joinPath(root, asString(rootRaw['packages-install-path']) ?? 'dbt_packages');
  const roots = new Set<string>();
  for (const p of all) {
    const rel = under(p, installDir);
    const m = rel === undefined ? null : /^([^/]+)\/dbt_project\.yml$/.exec(rel);
    if (m?.[1]) roots.add(joinPath(installDir, m[1]));
  }
  const declared: PackageRoots['declared'] = [];
  for (const name of ['packages.yml', 'dependencies.yml']) {
    const file = joinPath(root, name);
    const here = readPackages(read(file), root, file);
    declared.push({ ...here, file });
    for (const dir of here.local) roots.add(dir);
  }
  roots.delete(root);
  return { installDir, roots, declared };
}

/** A dbt project's name (and where it is written) and the names of the packages it loads. */
export interface ProjectLayout {
  root: string;
  name: string;
  /** Position of `name:` in its dbt_project.yml (line 1 when absent). */
  nameAt: { line: number; column: number };
  packages: { name: string; root: string }[];
}

/** Reads only the dbt_project.yml files of a project and its packages: cheap enough to do for every root. */
export function readProjectLayout(fs: FileSource, root: string, all: readonly string[]): ProjectLayout {
  const read = (p: string): string | undefined => {
    try {
      return fs.read(p);
    } catch {
      return undefined;
    }
  };
  const text = read(joinPath(root, 'dbt_project.yml'));
  const rootFile = readProjectFile(text, root, true);
  const line = text === undefined ? 1 : Math.max(1, text.split('\n').findIndex((l) => /^name\s*:/.test(l)) + 1);
  const found = findPackageRoots(all, root, rootFile.raw, read);
  const packages = [...found.roots].sort().map((dir) => ({ name: readProjectFile(read(joinPath(dir, 'dbt_project.yml')), dir, false).info.name, root: dir }));
  return { root, name: rootFile.info.name, nameAt: { line, column: 1 }, packages };
}
