import { emptyFacts, type Entity, type Facts, type ModelEdge } from '../model/entities';
import type { DbtManifest, DbtNodeResult, DbtProjectContext } from './api';
import { indexOf } from './contextIndex';
import { ownersFrom } from './project/properties';
import { declaredColumnFacts } from './declaredColumns';

/** Assembles project facts; see `assembleDbtProject`. Never throws. */
export function assembleFacts(ctx: DbtProjectContext, results: DbtNodeResult[], manifest?: DbtManifest): Facts {
  const idx = indexOf(ctx);
  // Array literals, not push(...spread): a spread call overflows the stack near 100k arguments.
  const facts: Facts = {
    ...emptyFacts(),
    entities: [...ctx.facts.entities],
    columns: [...ctx.facts.columns],
    modelEdges: [...ctx.facts.modelEdges],
    diagnostics: [...ctx.facts.diagnostics],
  };
  const known = new Set(facts.entities.map((e) => e.id));
  for (const r of results) {
    const e: Entity = { ...r.entity };
    const decl = idx.modelYaml[e.project]?.[e.name];
    if (decl) {
      // A version's own description and tests replace the model's (dbt's versioned patch).
      const ver = e.version === undefined ? undefined : decl.versions?.find((v) => v.v === e.version);
      // Which version a bare name means (dbt's `latest_version`), for lookups by name.
      if (e.version !== undefined && decl.latestVersion !== undefined) e.latestVersion = decl.latestVersion;
      e.description = e.description || ver?.description || decl.description;
      e.tags = [...new Set([...e.tags, ...decl.tags])];
      e.meta = { ...decl.meta, ...e.meta };
      e.owners = decl.owners;
      e.tests = ver?.tests ?? decl.tests;
      const cols = ver?.columns ?? decl.columns;
      for (const c of declaredColumnFacts(e.id, cols, decl)) facts.columns.push(c);
    }
    // Owners may also come from `config(meta={'owner': …})` or dbt_project.yml `+meta`.
    if (e.owners.length === 0) e.owners = ownersFrom(e.meta);
    const mnode = manifest?.nodes[e.id];
    if (mnode?.compiledCode !== undefined) e.compiledSql = mnode.compiledCode;
    // dbt parsed with the real vars (possibly CLI --vars): its enabled/disabled state wins.
    if (mnode) e.disabled = !mnode.enabled;
    if (known.has(e.id)) {
      facts.diagnostics.push({ file: r.path, line: 1, column: 1, severity: 'warning', code: 'dbt-duplicate-node', message: `duplicate node id '${e.id}'`, extractor: 'dbt-jinja' });
      continue;
    }
    known.add(e.id);
    facts.entities.push(e);
    facts.diagnostics.push(...r.diagnostics);
  }
  const byId = new Map(facts.entities.map((e) => [e.id, e]));
  for (const r of results) {
    const own = byId.get(r.entity.id);
    if (!own || own.disabled || own.path !== r.path) continue;
    const mnode = manifest?.nodes[r.entity.id];
    if (mnode) {
      for (const dep of mnode.dependsOn) {
        if (dep.startsWith('macro.')) continue;
        facts.modelEdges.push({ from: dep, to: r.entity.id, level: 'model', kind: 'manifest', provenance: { file: 'target/manifest.json', line: 0, column: 0, extractor: 'manifest', confidence: 1 } });
      }
      continue;
    }
    recordUnresolved(facts, r);
    for (const d of r.dependencies) {
      if (d.target === undefined) continue;
      if (!known.has(d.target)) {
        facts.diagnostics.push({ file: r.path, line: d.line, column: d.column, severity: 'warning', code: 'unresolved-ref', message: `'${d.written}' resolves to '${d.target}', which is not in the project`, extractor: 'dbt-jinja' });
        continue;
      }
      const edge: ModelEdge = { from: d.target, to: r.entity.id, level: 'model', kind: d.kind, provenance: { file: r.path, line: d.line, column: d.column, extractor: 'dbt-jinja', confidence: 0.95 } };
      facts.modelEdges.push(edge);
    }
  }
  const disabled = new Set(facts.entities.filter((e) => e.disabled).map((e) => e.id));
  // dbt refuses an enabled node that depends on a disabled one; say so where the ref is written.
  for (const r of results) {
    if (byId.get(r.entity.id)?.disabled !== false) continue;
    for (const d of r.dependencies) {
      if (d.target !== undefined && disabled.has(d.target)) facts.diagnostics.push({ file: r.path, line: d.line, column: d.column, severity: 'warning', code: 'ref-to-disabled', message: `'${d.written}' is disabled; dbt would fail to compile this node`, extractor: 'dbt-jinja' });
    }
  }
  for (const x of idx.exposures) {
    const to = `exposure.${x.project}.${x.name}`;
    for (const dep of x.dependsOn ?? []) {
      const from = yamlDependency(idx, x.project, dep);
      if (from === undefined || disabled.has(from)) {
        if (from === undefined) facts.diagnostics.push({ file: x.file, line: x.line, column: x.column, severity: 'warning', code: 'unresolved-ref', message: `exposure '${x.name}' depends on unknown '${dep}'`, extractor: 'dbt-yaml' });
        continue;
      }
      facts.modelEdges.push({ from, to, level: 'model', kind: 'exposure', provenance: { file: x.file, line: x.line, column: x.column, extractor: 'dbt-yaml', confidence: 1 } });
    }
  }
  // YAML-defined snapshots (`relation: ref('x')`) depend on their relation.
  for (const d of Object.values(idx.modelYaml).flatMap((m) => Object.values(m))) {
    if (d.resource !== 'snapshots' || d.relation === undefined) continue;
    const from = yamlDependency(idx, d.project, d.relation);
    const to = `snapshot.${d.project}.${d.name}`;
    if (from !== undefined && known.has(to)) facts.modelEdges.push({ from, to, level: 'model', kind: from.startsWith('source.') ? 'source' : 'ref', provenance: { file: d.file, line: d.line, column: d.column, extractor: 'dbt-yaml', confidence: 1 } });
  }
  facts.modelEdges = facts.modelEdges.filter((e) => !disabled.has(e.from) && !disabled.has(e.to));
  return facts;
}

/** "Why is this edge missing?": unresolved refs and dynamic Jinja of a node become `UnresolvedRef`s. */
function recordUnresolved(facts: Facts, r: DbtNodeResult): void {
  const prov = (line: number, column: number) => ({ file: r.path, line, column, extractor: 'dbt-jinja', confidence: 1 });
  for (const d of r.dependencies) {
    if (d.target !== undefined) continue;
    facts.unresolved.push({ target: r.entity.id, name: d.written, reason: 'unknown-relation', detail: `${d.kind}('${d.written}') matches no node of the project or its packages`, provenance: prov(d.line, d.column) });
  }
  for (const d of r.diagnostics) {
    if (d.code !== 'dynamic-jinja' || d.file !== r.path) continue;
    const name = /'([^']+)'/.exec(d.message)?.[1] ?? 'jinja';
    facts.unresolved.push({ target: r.entity.id, name, reason: 'dynamic-jinja', detail: d.message, provenance: prov(d.line, d.column) });
  }
}

/** Resolves `ref('x')`, `ref('pkg','x')`, `ref('x', v=2)` or `source('s','t')` written in YAML. */
function yamlDependency(idx: ReturnType<typeof indexOf>, project: string, dep: string): string | undefined {
  const m = /^\s*(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,\s*v(?:ersion)?\s*=\s*['"]?([^'")\s]+)['"]?\s*)?\)\s*$/.exec(dep);
  if (!m) return undefined;
  if (m[1] === 'source') return idx.sources[project]?.[`${m[2]}.${m[3]}`]?.id ?? Object.values(idx.sources).map((s) => s[`${m[2]}.${m[3]}`]?.id).find((x) => x);
  return exposureRef(idx, project, m[3] === undefined ? undefined : m[2], m[3] ?? m[2] ?? '', m[4]);
}

function exposureRef(idx: ReturnType<typeof indexOf>, project: string, pkg: string | undefined, name: string, version: string | undefined): string | undefined {
  for (const p of pkg !== undefined ? [pkg] : [project, ...Object.keys(idx.refs)]) {
    const t = idx.refs[p]?.[name];
    if (!t) continue;
    return version !== undefined && t.versions?.includes(version) ? `model.${p}.${name}.v${version}` : t.id;
  }
  return undefined;
}
