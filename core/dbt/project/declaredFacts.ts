import { Column, Entity, type Facts } from '../../model/entities';
import { columnId, modelId, nodeId, sourceId } from '../../model/ids';
import type { DbtNodeFile, DbtProjectInfo } from '../api';
import type { DbtIndex, NodeProps, RefTarget, SourceTarget } from '../contextIndex';
import { declaredColumnFacts } from '../declaredColumns';
import { mergeConfig, treeConfig } from '../nodeConfig';
import type { DeclaredColumn, DeclaredNode } from './properties';

/** Inputs gathered by the loader. */
export interface Gathered {
  projects: DbtProjectInfo[];
  declared: DeclaredNode[];
  docs: { name: string; project: string; file: string; line: number; text: string }[];
  seeds: { project: string; path: string; name: string; header: string[]; relPath: string }[];
  /** `seeds:` config trees of the root project and of each package's own dbt_project.yml. */
  seedTrees: { root: unknown; packages: Record<string, unknown> };
  snapshotNames: { project: string; path: string; name: string }[];
  macroFiles: { path: string; project: string; text: string }[];
  nodeFiles: (DbtNodeFile & { relPath: string })[];
}

/** A node file's base name without its `.sql`/`.py` extension (dbt's model name for the file). */
function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.(sql|py)$/i, '');
}

/** dbt's `deep_merge`: nested mappings merge key by key, anything else is replaced. */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isMapping(prev) && isMapping(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `d` with `resolve` applied to its descriptions: `d` itself when none changes. */
function withDocs(d: DeclaredNode, resolve: (text: string) => string): DeclaredNode {
  const columns = (cols: DeclaredColumn[]): DeclaredColumn[] => {
    const out = cols.map((c) => {
      const description = resolve(c.description);
      return description === c.description ? c : { ...c, description };
    });
    return out.some((c, i) => c !== cols[i]) ? out : cols;
  };
  const description = resolve(d.description);
  const cols = columns(d.columns);
  const versions = d.versions?.map((v) => {
    const vd = v.description === undefined ? undefined : resolve(v.description);
    const vc = columns(v.columns);
    return vd === v.description && vc === v.columns ? v : { ...v, ...(vd !== undefined ? { description: vd } : {}), columns: vc };
  });
  const versionsSame = !versions || versions.every((v, i) => v === d.versions?.[i]);
  if (description === d.description && cols === d.columns && versionsSame) return d;
  return { ...d, description, columns: cols, ...(versions && !versionsSame ? { versions } : {}) };
}

const DOC_RE = /\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*\}\}/g;

/**
 * Builds lookup indexes and the facts declared in YAML/MD/CSV. Mutates `facts`, never `g`: the
 * declarations are shared with the loader's memo (`loadMemo.ts`), so the ones whose descriptions
 * use `{{ doc() }}` are resolved into copies, returned as `declared`.
 */
export function buildDeclaredFacts(input: Gathered, facts: Facts): Pick<DbtIndex, 'refs' | 'sources' | 'nodeProps' | 'seedRelations'> & { modelYaml: Record<string, Record<string, DeclaredNode>>; declared: DeclaredNode[] } {
  const docText = (project: string, name: string, pkg?: string): string | undefined =>
    (input.docs.find((d) => d.name === (pkg ? name : name) && d.project === (pkg ?? project)) ?? input.docs.find((d) => d.name === name))?.text;
  const resolveDocs = (text: string, project: string): string => (text.includes('{{') ? text.replace(DOC_RE, (m, a: string, b: string | undefined) => (b !== undefined ? docText(project, b, a) : docText(project, a)) ?? m) : text);
  const g: Gathered = { ...input, declared: input.declared.map((d) => withDocs(d, (text) => resolveDocs(text, d.project))) };
  const prov = (file: string, line: number, column: number, extractor: string) => ({ file, line, column, extractor, confidence: 1 });
  const addColumns = (entityId: string, cols: DeclaredColumn[], file: string, line: number): void => {
    for (const c of declaredColumnFacts(entityId, cols, { file, line, column: 1 })) facts.columns.push(c);
  };

  const refs: Record<string, Record<string, RefTarget>> = {};
  const sources: Record<string, Record<string, SourceTarget>> = {};
  const nodeProps: Record<string, Record<string, NodeProps>> = {};
  const seedRelations: DbtIndex['seedRelations'] = {};
  const modelYaml: Record<string, Record<string, DeclaredNode>> = {};
  const put = <T>(m: Record<string, Record<string, T>>, p: string, k: string, v: T): void => {
    (m[p] ??= {})[k] = v;
  };

  const modelFiles = new Set(g.nodeFiles.filter((f) => f.kind === 'model').map((f) => `${f.project}/${baseName(f.path)}`));
  for (const d of g.declared.filter((x) => x.resource === 'models')) {
    put(modelYaml, d.project, d.name, d);
    if (d.versions && d.versions.length > 0) {
      for (const v of d.versions) {
        const props = { name: d.name, version: v.v, config: deepMerge(d.config, v.config) };
        put(nodeProps, d.project, v.definedIn, props);
        // dbt: the latest version may live in a file named like the model when its own file does not exist.
        if (v.v === d.latestVersion && !modelFiles.has(`${d.project}/${v.definedIn}`) && modelFiles.has(`${d.project}/${d.name}`)) put(nodeProps, d.project, d.name, props);
      }
      put(refs, d.project, d.name, { kind: 'model', id: modelId(d.project, d.name, d.latestVersion), versions: d.versions.map((v) => v.v), ...(d.latestVersion !== undefined ? { latest: d.latestVersion } : {}) });
    } else put(nodeProps, d.project, d.name, { name: d.name, config: d.config });
  }
  for (const d of g.declared.filter((x) => x.resource === 'snapshots' || x.resource === 'analyses')) {
    put(modelYaml, d.project, d.name, d);
    put(nodeProps, d.project, d.name, { name: d.name, config: d.config });
  }
  for (const f of g.nodeFiles) {
    if (f.kind !== 'model') continue;
    const base = baseName(f.path);
    if (nodeProps[f.project]?.[base]?.version !== undefined) continue;
    if (!refs[f.project]?.[base]) put(refs, f.project, base, { kind: 'model', id: modelId(f.project, base) });
  }
  for (const s of g.snapshotNames) put(refs, s.project, s.name, { kind: 'snapshot', id: nodeId('snapshot', s.project, s.name) });

  const seedPaths = new Map<string, string>();
  for (const s of g.seeds) {
    const id = nodeId('seed', s.project, s.name);
    const firstPath = seedPaths.get(id);
    if (firstPath !== undefined) {
      // Two CSV files with one name (in different folders): dbt rejects this; the first is kept.
      facts.diagnostics.push({ file: s.path, line: 1, column: 1, severity: 'warning', code: 'dbt-duplicate-property', message: `seed '${s.name}' is also defined by ${firstPath}; dbt rejects two seeds with one name, the first is kept and this one is ignored`, extractor: 'dbt-seed' });
      continue;
    }
    seedPaths.set(id, s.path);
    put(refs, s.project, s.name, { kind: 'seed', id });
    const d = g.declared.find((x) => x.resource === 'seeds' && x.name === s.name && x.project === s.project);
    // Seed config precedence: package's own dbt_project.yml < root dbt_project.yml < YAML properties.
    const parts = [...s.relPath.split('/').slice(0, -1), s.name];
    const cfg: Record<string, unknown> = {};
    mergeConfig(cfg, treeConfig(g.seedTrees.packages[s.project], s.project, parts));
    mergeConfig(cfg, treeConfig(g.seedTrees.root, s.project, parts));
    mergeConfig(cfg, d?.config ?? {});
    // Where the seed is built, for `ref()`s to it in compiled SQL (see relationNames.ts).
    const relationCfg = Object.fromEntries(['alias', 'schema', 'database'].flatMap((k) => (typeof cfg[k] === 'string' ? [[k, cfg[k]]] : [])));
    seedRelations[id] = { name: s.name, project: s.project, config: relationCfg };
    const cfgTags = Array.isArray(cfg.tags) ? cfg.tags.map(String) : [];
    const schema = typeof cfg.schema === 'string' ? { schema: cfg.schema } : {};
    const disabled = cfg.enabled === false || String(cfg.enabled).toLowerCase() === 'false';
    facts.entities.push(Entity.parse({ id, kind: 'seed', name: s.name, project: s.project, path: s.path, ...schema, description: d?.description ?? '', tags: [...new Set([...cfgTags, ...(d?.tags ?? [])])], meta: d?.meta ?? {}, owners: d?.owners ?? [], tests: d?.tests ?? [], disabled, provenance: prov(s.path, 1, 1, 'dbt-seed') }));
    const declaredCols = d?.columns ?? [];
    s.header.forEach((h, i) => {
      const dc = declaredCols.find((c) => c.name.toLowerCase() === h.toLowerCase());
      const colTypes = cfg.column_types !== null && typeof cfg.column_types === 'object' ? (cfg.column_types as Record<string, unknown>) : {};
      const type = dc?.type ?? (typeof colTypes[h] === 'string' ? colTypes[h] : undefined);
      facts.columns.push(Column.parse({ id: columnId(id, h), entityId: id, name: h, ...(type ? { type } : {}), description: dc?.description ?? '', tags: dc?.tags ?? [], tests: dc?.tests ?? [], meta: dc?.meta ?? {}, position: i, origin: dc ? 'both' : 'declared', provenance: prov(s.path, 1, 1, 'dbt-seed') }));
    });
  }

  for (const d of g.declared) {
    if (d.resource === 'sources' && d.source) {
      const s = d.source;
      const id = sourceId(d.project, s.source, s.table);
      put(sources, d.project, `${s.source}.${s.table}`, { id, schema: s.schema, identifier: s.identifier, ...(s.database ? { database: s.database } : {}) });
      const meta = { ...d.meta, ...(s.loader ? { loader: s.loader } : {}), ...(s.freshness !== undefined && s.freshness !== null ? { freshness: s.freshness } : {}) };
      facts.entities.push(Entity.parse({ id, kind: 'source', name: `${s.source}.${s.table}`, project: d.project, path: d.file, schema: s.schema, ...(s.database ? { database: s.database } : {}), ...(s.identifier !== s.table ? { relation: s.identifier } : {}), description: d.description, tags: d.tags, meta, owners: d.owners, tests: d.tests, disabled: d.config.enabled === false, provenance: prov(d.file, d.line, d.column, 'dbt-yaml') }));
      addColumns(id, d.columns, d.file, d.line);
    } else if (d.resource === 'snapshots' && d.relation !== undefined) {
      const id = nodeId('snapshot', d.project, d.name);
      put(refs, d.project, d.name, { kind: 'snapshot', id });
      facts.entities.push(Entity.parse({ id, kind: 'snapshot', name: d.name, project: d.project, path: d.file, description: d.description, tags: d.tags, meta: d.meta, owners: d.owners, tests: d.tests, disabled: d.config.enabled === false, provenance: prov(d.file, d.line, d.column, 'dbt-yaml') }));
      addColumns(id, d.columns, d.file, d.line);
    }
  }

  for (const d of g.declared.filter((x) => x.resource === 'exposures')) {
    const id = nodeId('exposure', d.project, d.name);
    facts.entities.push(Entity.parse({ id, kind: 'exposure', name: d.name, project: d.project, path: d.file, description: d.description, tags: d.tags, meta: { ...d.meta, ...Object.fromEntries(Object.entries(d.extra ?? {}).filter(([, v]) => v !== undefined)) }, owners: d.owners, provenance: prov(d.file, d.line, d.column, 'dbt-yaml') }));
  }
  const seenMacros = new Set<string>();
  for (const m of g.macroFiles) {
    for (const hit of m.text.matchAll(/\{%-?\s*macro\s+([A-Za-z_]\w*)/g)) {
      const name = hit[1] ?? '';
      const id = nodeId('macro', m.project, name);
      if (seenMacros.has(id)) continue;
      seenMacros.add(id);
      const d = g.declared.find((x) => x.resource === 'macros' && x.name === name && x.project === m.project);
      const line = m.text.slice(0, hit.index ?? 0).split('\n').length;
      facts.entities.push(Entity.parse({ id, kind: 'macro', name, project: m.project, path: m.path, description: d?.description ?? '', meta: d?.meta ?? {}, provenance: prov(m.path, line, 1, 'dbt-jinja') }));
    }
  }
  for (const doc of g.docs) {
    const id = nodeId('docBlock', doc.project, doc.name);
    if (facts.entities.some((e) => e.id === id)) continue;
    facts.entities.push(Entity.parse({ id, kind: 'docBlock', name: doc.name, project: doc.project, path: doc.file, description: doc.text, provenance: prov(doc.file, doc.line, 1, 'dbt-docs') }));
  }
  return { refs, sources, nodeProps, seedRelations, modelYaml, declared: g.declared };
}
