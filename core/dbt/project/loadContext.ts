import { emptyFacts, Entity, type Diagnostic, type Facts } from '../../model/entities';
import { modelId, nodeId, projectId } from '../../model/ids';
import type { FileSource } from '../../pipeline/contracts';
import type { DbtLoadOptions, DbtNodeFile, DbtProjectContext, DbtTarget } from '../api';
import { fnv1a } from '../builtins';
import type { DbtIndex } from '../contextIndex';
import { dialectFor } from '../dialect';
import { macroLoadErrors } from '../macroFiles';
import { LineIndex } from '../jinja/lexer';
import { readPythonModel } from '../python/pythonModel';
import { WorkCancelled } from '../jinja/budget';
import { scanInlineRelationConfig } from '../relationNames';
import { buildDeclaredFacts } from './declaredFacts';
import { dedupeDeclared } from './declaredDuplicates';
import { pruneDbtLoadMemo, readYamlProperties } from './loadMemo';
import { joinPath, readDispatch, readProjectFile, type ProjectFile } from './projectFile';
import { findPackageRoots } from './projectLayout';
import type { DeclaredNode } from './properties';
import { asRecord, asString } from './yamlFile';
import { STAND_INS } from '../standIns';

const DEFAULT_TARGET: DbtTarget = { name: 'dev', type: 'postgres', schema: 'public' };

function under(path: string, dir: string): string | undefined {
  if (dir === '') return path;
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : undefined;
}

/** Reads a file without adding it to the context hash (node files: only what is extracted from them counts). */
function readQuiet(fs: FileSource, p: string): string | undefined {
  try {
    return fs.read(p);
  } catch {
    return undefined;
  }
}

/**
 * dbt builds a model from a `.py` file in a model path only when it defines `def model(dbt, …)`;
 * any other Python file there makes dbt fail ("dbt allows exactly one model defined per python
 * file, found 0"). Such a file is not cataloged: its problems are reported at the file instead, and
 * they join the context hash so that fixing the file re-plans the project.
 */
function isPythonModel(path: string, text: string, diagnostics: Diagnostic[], hashParts: string[]): boolean {
  const info = readPythonModel(text);
  if (info.isModel) return true;
  const lines = new LineIndex(text);
  const found: Diagnostic[] = info.findings.map((f) => ({ file: path, ...lines.at(f.offset), severity: f.severity, code: f.code, message: f.message, extractor: 'dbt-python' }));
  if (info.empty) found.push({ file: path, line: 1, column: 1, severity: 'info', code: 'dbt-python-model', message: 'this Python file in a model path holds no code: dbt parses it as an empty Python model (which fails when it runs); it is not cataloged', extractor: 'dbt-python' });
  diagnostics.push(...found);
  hashParts.push(`python-not-model:${path}`, JSON.stringify(found));
  return false;
}

/**
 * Loads a project; see `loadDbtProject`. Never throws for bad input. Its work is linear in the
 * files (YAML parsing dominates: about 1 s per 10 MB), so it is bounded by the workspace; what it
 * must honour is cancellation, checked between files (`WorkCancelled`).
 */
export function loadContext(fs: FileSource, rawRoot: string, options: DbtLoadOptions): DbtProjectContext {
  // Accept `proj/`, `./proj` and `.` as well as the canonical `proj` / ''.
  const root = joinPath(rawRoot);
  const target = options.target ?? DEFAULT_TARGET;
  const hashParts: string[] = [JSON.stringify(target)];
  const read = (p: string): string | undefined => {
    let t: string | undefined;
    try {
      t = fs.read(p);
    } catch {
      t = undefined;
    }
    if (t !== undefined) hashParts.push(p, t);
    return t;
  };
  let all: string[] = [];
  try {
    all = fs.list();
  } catch {
    all = [];
  }
  const rootFile = readProjectFile(read(joinPath(root, 'dbt_project.yml')), root, true);
  const diagnostics: Diagnostic[] = [...rootFile.diagnostics];
  const { installDir, roots: pkgRoots, declared: declaredPkgs } = findPackageRoots(all, root, rootFile.raw, read);
  const pkgs: ProjectFile[] = [];
  for (const dir of [...pkgRoots].sort()) {
    const pf = readProjectFile(read(joinPath(dir, 'dbt_project.yml')), dir, false);
    if (pf.info.name === rootFile.info.name || pkgs.some((x) => x.info.name === pf.info.name)) continue;
    pkgs.push(pf);
    diagnostics.push(...pf.diagnostics);
  }
  pkgs.sort((a, b) => a.info.name.localeCompare(b.info.name));
  // Without `dbt deps`, a declared package's macros render as unknown: say which and where.
  const installed = new Set(pkgs.map((p) => p.info.name));
  const missingPackages: string[] = [];
  for (const d of declaredPkgs) {
    for (const r of d.remote) {
      if (installed.has(r.name) || missingPackages.includes(r.name)) continue;
      missingPackages.push(r.name);
      diagnostics.push({ file: d.file, line: r.line, column: r.column, severity: 'warning', code: 'dbt-package-missing', message: missingPackageMessage(r.name, r.spec, installDir), extractor: 'dbt-yaml' });
    }
  }
  const projects = [rootFile, ...pkgs];
  const otherRoots = [root, ...pkgRoots, installDir];
  const macroFiles: DbtProjectContext['macroFiles'] = [];
  const nodeFiles: DbtNodeFile[] = [];
  const declared: DeclaredNode[] = [];
  const docs: { name: string; project: string; file: string; line: number; text: string }[] = [];
  const seeds: { project: string; path: string; name: string; header: string[]; relPath: string }[] = [];
  const files: DbtIndex['files'] = {};
  const snapshotNames: { project: string; path: string; name: string }[] = [];
  // Relation keys of literal config() calls in node files; hashed as extracted (not the whole text),
  // so an edit that leaves a model's alias/schema alone keeps every other file's cache entry.
  const inlineConfigs: DbtIndex['inlineConfigs'] = {};
  const scanInline = (p: string, text: string | undefined): void => {
    const cfg = text === undefined ? {} : scanInlineRelationConfig(text, p);
    if (Object.keys(cfg).length > 0) inlineConfigs[p] = cfg;
  };

  for (const pf of projects) {
    const info = pf.info;
    const own = all.filter((p) => under(p, info.root) !== undefined && !otherRoots.some((o) => o !== info.root && under(p, o) !== undefined && (info.root === '' || under(o, info.root) !== undefined)));
    const inDirs = (p: string, dirs: string[]): string | undefined => {
      for (const d of dirs) {
        const rel = under(p, joinPath(info.root, d));
        if (rel !== undefined) return rel;
      }
      return undefined;
    };
    let sinceCheck = 0;
    for (const p of own.sort()) {
      if (++sinceCheck >= 64) {
        sinceCheck = 0;
        if (options.shouldStop?.() === true) throw new WorkCancelled('loading the dbt project cancelled');
      }
      const lower = p.toLowerCase();
      const isYaml = lower.endsWith('.yml') || lower.endsWith('.yaml');
      if (lower.endsWith('dbt_project.yml') || lower.endsWith('/packages.yml') || lower.endsWith('/dependencies.yml') || lower.endsWith('/selectors.yml')) continue;
      const modelRel = inDirs(p, info.modelPaths);
      const snapRel = inDirs(p, info.snapshotPaths);
      const anRel = inDirs(p, info.analysisPaths);
      const seedRel = inDirs(p, info.seedPaths);
      const macroRel = inDirs(p, info.macroPaths);
      if (lower.endsWith('.sql') && macroRel !== undefined) {
        const text = read(p);
        if (text !== undefined) macroFiles.push({ path: p, project: info.name, text });
      } else if (lower.endsWith('.py') && modelRel !== undefined) {
        const text = readQuiet(fs, p);
        if (text !== undefined && !isPythonModel(p, text, diagnostics, hashParts)) continue;
        nodeFiles.push({ path: p, kind: 'model', project: info.name });
        files[p] = { project: info.name, kind: 'model', relPath: modelRel };
        scanInline(p, text);
      } else if (lower.endsWith('.sql') && modelRel !== undefined) {
        nodeFiles.push({ path: p, kind: 'model', project: info.name });
        files[p] = { project: info.name, kind: 'model', relPath: modelRel };
        scanInline(p, readQuiet(fs, p));
      } else if (lower.endsWith('.sql') && snapRel !== undefined) {
        const text = read(p) ?? '';
        const m = /\{%-?\s*snapshot\s+([A-Za-z_][\w]*)/.exec(text);
        nodeFiles.push({ path: p, kind: 'snapshot', project: info.name });
        files[p] = { project: info.name, kind: 'snapshot', relPath: snapRel };
        snapshotNames.push({ project: info.name, path: p, name: m?.[1] ?? (p.split('/').pop() ?? p).replace(/\.sql$/i, '') });
        scanInline(p, text);
      } else if (lower.endsWith('.sql') && anRel !== undefined) {
        nodeFiles.push({ path: p, kind: 'analysis', project: info.name });
        files[p] = { project: info.name, kind: 'analysis', relPath: anRel };
      } else if (lower.endsWith('.csv') && seedRel !== undefined) {
        const text = read(p) ?? '';
        const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, '')).filter(Boolean);
        seeds.push({ project: info.name, path: p, name: (p.split('/').pop() ?? p).replace(/\.csv$/i, ''), header, relPath: seedRel });
      } else if (isYaml && (modelRel ?? snapRel ?? seedRel ?? anRel ?? macroRel ?? inDirs(p, info.testPaths)) !== undefined) {
        const text = read(p);
        if (text === undefined) continue;
        const props = readYamlProperties(text, p, info.name, options.memo);
        diagnostics.push(...props.diagnostics);
        declared.push(...props.declared);
      } else if (lower.endsWith('.md') && inDirs(p, info.docsPaths) !== undefined) {
        const text = read(p) ?? '';
        for (const m of text.matchAll(/\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g)) {
          const line = text.slice(0, m.index ?? 0).split('\n').length;
          docs.push({ name: m[1] ?? '', project: info.name, file: p, line, text: (m[2] ?? '').trim() });
        }
      }
    }
  }

  // A resource described twice (in one file or several): the first description wins, said at the later one.
  const unique = dedupeDeclared(declared);
  declared.splice(0, declared.length, ...unique.declared);
  diagnostics.push(...unique.diagnostics);
  const facts: Facts = emptyFacts();
  facts.diagnostics.push(...diagnostics);
  for (const pf of projects) {
    const file = joinPath(pf.info.root, 'dbt_project.yml');
    const version = asString(pf.raw.version);
    facts.entities.push(Entity.parse({ id: projectId(pf.info.name), kind: 'project', name: pf.info.name, project: pf.info.name, path: file, meta: { dbt: true, root: pf.info.isRoot, ...(version ? { version } : {}) }, provenance: { file, line: 1, column: 1, extractor: 'dbt-yaml', confidence: 1 } }));
  }
  const seedTrees = { root: rootFile.raw.seeds, packages: Object.fromEntries(pkgs.map((p) => [p.info.name, p.raw.seeds])) };
  if (options.memo) {
    const present = new Set(all);
    pruneDbtLoadMemo(options.memo, (p) => present.has(p));
  }
  const { declared: withDocs, ...idxBuild } = buildDeclaredFacts({ projects: projects.map((p) => p.info), declared, docs, seeds, seedTrees, snapshotNames, macroFiles, nodeFiles: nodeFiles.map((f) => ({ ...f, relPath: files[f.path]?.relPath ?? f.path })) }, facts);
  const nodePaths: DbtIndex['nodePaths'] = {};
  for (const f of nodeFiles) {
    if (f.kind !== 'model') continue;
    const base = (f.path.split('/').pop() ?? f.path).replace(/\.(sql|py)$/i, '');
    const props = idxBuild.nodeProps[f.project]?.[base];
    nodePaths[modelId(f.project, props?.name ?? base, props?.version)] = f.path;
  }
  for (const s of snapshotNames) nodePaths[nodeId('snapshot', s.project, s.name)] = s.path;
  hashParts.push('inline-config', JSON.stringify(inlineConfigs));
  const index: DbtIndex = {
    ...idxBuild,
    nodePaths,
    inlineConfigs,
    exposures: withDocs.filter((d) => d.resource === 'exposures'),
    modelConfigTree: asRecord(rootFile.raw.models),
    snapshotConfigTree: asRecord(rootFile.raw.snapshots),
    packageModelTrees: Object.fromEntries(pkgs.map((p) => [p.info.name, asRecord(p.raw.models)])),
    files,
  };
  const ctx: DbtProjectContext = {
    root,
    projectName: rootFile.info.name,
    target,
    dialect: dialectFor(target.type),
    // Refs resolve against the set of node files, so adding/removing a model changes the hash too.
    contextHash: fnv1a([...hashParts, ...nodeFiles.map((f) => `${f.project}:${f.kind}:${f.path}`).sort()].join('\u0000')),
    projects: projects.map((p) => p.info),
    macroFiles,
    dispatch: readDispatch(rootFile.raw),
    nodeFiles,
    missingPackages,
    facts,
    index: index as unknown as DbtProjectContext['index'],
  };
  // A macro file with a Jinja syntax error is reported once, at its own line and column.
  facts.diagnostics.push(...macroLoadErrors(ctx));
  return ctx;
}

/** The one diagnostic of a declared package that `dbt deps` has not installed. */
function missingPackageMessage(name: string, spec: string, installDir: string): string {
  const how = STAND_INS[name] !== undefined ? "Mallard uses its built-in stand-ins for the package's common macros; its other macros" : 'its macros';
  return `\`${name}\` is not installed — run \`dbt deps\` (package '${spec}', expected in ${installDir || '.'}/). Until then ${how} render as placeholders over their arguments, and refs into the package stay unresolved.`;
}
