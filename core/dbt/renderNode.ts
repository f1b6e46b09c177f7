import { Entity, type Diagnostic } from '../model/entities';
import { modelId, nodeId, sourceId } from '../model/ids';
import type { DbtDependency, DbtNodeKind, DbtNodeResult, DbtProjectContext, DbtRenderOptions } from './api';
import { DEFAULT_RENDER_BUDGET } from './jinja/budget';
import { indexOf, type DbtIndex } from './contextIndex';
import type { Node } from './jinja/ast';
import type { Template } from './jinja/scope';
import { JinjaError, LineIndex } from './jinja/lexer';
import { parseTemplate } from './jinja/parser';
import { fromPlain, obj, str, toPlain, Unknown } from './jinja/values';
import { mergeConfig } from './nodeConfig';
import { folderConfig, resolveRefTarget } from './relationNames';
import { type RecordedCall, RenderSession } from './session';

const EXTRACTOR = 'dbt-jinja';

/** Renders one node; see `renderDbtNode`. Never throws, except `WorkCancelled` when cancelled. */
export function renderNode(ctx: DbtProjectContext, path: string, text: string, options: DbtRenderOptions = {}): DbtNodeResult {
  const idx = indexOf(ctx);
  const file = idx.files[path] ?? guessFile(ctx, path);
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const diag: Diag = (line, column, severity, code, message, f = path) => {
    diagnostics.push({ file: f, line: Math.max(1, line), column: Math.max(1, column), severity, code, message, extractor: EXTRACTOR });
  };
  let nodes: Node[] = [];
  let parseError: JinjaError | undefined;
  const isPython = /\.py$/i.test(path);
  try {
    // Python models are not Jinja; their dbt.ref()/dbt.source() calls are read by a literal scan.
    nodes = isPython ? [] : parseTemplate(text);
  } catch (err) {
    parseError = err instanceof JinjaError ? err : new JinjaError(err instanceof RangeError ? 'template nests too deeply to parse' : String(err), 0);
    const at = lines.at(parseError.offset);
    diag(at.line, at.column, 'error', 'jinja-syntax', parseError.reason);
  }
  const base = (path.split('/').pop() ?? path).replace(/\.(sql|py)$/i, '');
  const snapshotBlock = nodes.find((n): n is Extract<Node, { t: 'resource' }> => n.t === 'resource' && n.kind === 'snapshot');
  const props = idx.nodeProps[file.project]?.[base];
  const name = snapshotBlock?.name ?? props?.name ?? base;
  const version = props?.version;
  const id = file.kind === 'snapshot' ? nodeId('snapshot', file.project, name) : file.kind === 'analysis' ? nodeId('analysis', file.project, name) : modelId(file.project, name, version);

  const baseConfig = folderConfig(ctx, idx, file.project, file.kind, file.relPath, base);
  if (props) mergeConfig(baseConfig, props.config);
  const schemaOf = (custom: unknown): string => (typeof custom === 'string' && custom !== '' ? `${ctx.target.schema}_${custom}` : ctx.target.schema);
  const budget = { ...DEFAULT_RENDER_BUDGET, ...options.budget };
  const session = new RenderSession(ctx, { project: file.project, name, id, file: path, schema: schemaOf(baseConfig.schema), alias: str(baseConfig.alias ?? name) }, baseConfig, budget);

  for (const [k, v] of Object.entries(baseConfig)) {
    if (typeof v === 'string' && v.includes('{{')) {
      try {
        baseConfig[k] = toPlain(session.renderString(v));
      } catch (err) {
        if (err instanceof JinjaError) diag(1, 1, 'warning', err.code, `config '${k}' from project files: ${err.reason}`);
      }
    }
  }

  const out = renderBody(session, path, text, isPython ? 'python' : parseError ? 'fallback' : nodes, lines, diag);
  for (const n of session.interp.notices) diag(n.line, n.column, 'info', n.code, n.message, n.file);

  const config: Record<string, unknown> = { ...baseConfig };
  for (const [k, v] of session.config) if (!(v instanceof Unknown)) mergeConfig(config, { [k]: toPlain(v) });
  const enabledRaw = config.enabled;
  const disabled = enabledRaw === false || (typeof enabledRaw === 'string' && enabledRaw.trim().toLowerCase() === 'false');

  const targets = new Map<RecordedCall, string | undefined>();
  const dependencies = resolveCalls(ctx, idx, file.project, session.calls, text, diag, targets);
  const rendered = placeholders(out, session, targets, id);
  const tags = Array.isArray(config.tags) ? config.tags.map(str) : typeof config.tags === 'string' ? [config.tags] : [];
  const entity = Entity.parse({
    id,
    kind: file.kind,
    name,
    project: file.project,
    path,
    ...(version !== undefined ? { version } : {}),
    schema: entitySchema(session, file.kind, name, path, config, schemaOf),
    ...(typeof config.alias === 'string' ? { relation: config.alias } : {}),
    ...(typeof config.database === 'string' ? { database: config.database } : {}),
    ...(typeof config.materialized === 'string' ? { materialized: config.materialized } : {}),
    tags,
    meta: isRecord(config.meta) ? config.meta : {},
    disabled,
    compiledSql: rendered.compiledSql,
    provenance: { file: path, line: 1, column: 1, extractor: EXTRACTOR, confidence: parseError ? 0.5 : 0.9 },
  });
  return { path, entity, dependencies, rendered: { ...rendered, entityId: id, lineOffset: 0, diagnostics }, diagnostics };
}

type Diag = (line: number, column: number, severity: Diagnostic['severity'], code: string, message: string, f?: string) => void;

/** Renders the template (or scans Python / unparseable text) into line-aligned output with sentinels. */
function renderBody(session: RenderSession, path: string, text: string, how: Node[] | 'python' | 'fallback', lines: LineIndex, diag: Diag): string {
  if (how === 'python') {
    fallbackScan(text, session, true);
    return text.replace(/[^\n]/g, '');
  }
  if (how === 'fallback') return fallbackScan(text, session);
  const tpl: Template = { file: path, text, nodes: how, lines };
  session.interp.rootTpl = tpl;
  return session.interp.renderAligned(how, session.nodeScope(), tpl, (err) => {
    const code = err.code === 'jinja-syntax' ? 'jinja-runtime' : err.code;
    if (err.where && err.where.file !== path) {
      // The error happened inside a macro file: point at the call in this model, name the macro's spot.
      const at = tpl.lines.at(session.interp.rootPos);
      diag(at.line, at.column, 'error', code, `${err.reason} (at ${err.where.file}:${err.where.line}:${err.where.column})`);
    } else {
      const at = err.where ?? tpl.lines.at(err.offset);
      diag(at.line, at.column, 'error', code, err.reason);
    }
  });
}

/** Snapshots use `target_schema`; other nodes a root `generate_schema_name` override or dbt's default. */
function entitySchema(session: RenderSession, kind: DbtNodeKind, name: string, path: string, config: Record<string, unknown>, schemaOf: (custom: unknown) => string): string {
  if (kind === 'snapshot' && typeof config.target_schema === 'string') return config.target_schema;
  const custom = typeof config.schema === 'string' ? config.schema : null;
  const node = obj({ name, resource_type: kind, package_name: session.node.project, original_file_path: path, config: fromPlain(config) });
  return session.callRootMacro('generate_schema_name', [custom, node]) ?? schemaOf(config.schema);
}

/** A file the loader did not list (added since): infer its project and folder from the paths. */
function guessFile(ctx: DbtProjectContext, path: string): { project: string; kind: DbtNodeKind; relPath: string } {
  const inside = (dir: string): boolean => dir === '' || path.startsWith(`${dir}/`);
  const project = [...ctx.projects].filter((p) => inside(p.root)).sort((a, b) => b.root.length - a.root.length)[0];
  if (!project) return { project: ctx.projectName, kind: 'model', relPath: path };
  const rel = project.root === '' ? path : path.slice(project.root.length + 1);
  const kinds: [DbtNodeKind, string[]][] = [['snapshot', project.snapshotPaths], ['analysis', project.analysisPaths], ['model', project.modelPaths]];
  for (const [kind, dirs] of kinds) {
    const dir = dirs.find((d) => rel.startsWith(`${d.replace(/\/$/, '')}/`));
    if (dir !== undefined) return { project: project.name, kind, relPath: rel.slice(dir.replace(/\/$/, '').length + 1) };
  }
  return { project: project.name, kind: 'model', relPath: rel };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Without a parse tree, recover literal `ref()`/`source()` calls so the node still has edges. */
function fallbackScan(text: string, session: RenderSession, python = false): string {
  const lines = new LineIndex(text);
  const re = /\b(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?(?:,\s*v(?:ersion)?\s*=\s*['"]?(\w+)['"]?\s*)?\)/g;
  if (python) {
    for (const m of text.matchAll(/\bdbt\.config\s*\(([^)]*)\)/g)) {
      for (const kv of (m[1] ?? '').matchAll(/(\w+)\s*=\s*(?:(['"])([^'"]*)\2|(True|False))/g)) session.config.set(kv[1] ?? '', kv[3] ?? kv[4] === 'True');
    }
  }
  for (const m of text.matchAll(re)) {
    const at = lines.at(m.index ?? 0);
    const a = m[3] ?? '';
    const b = m[5];
    const version = m[1] === 'ref' && m[6] !== undefined ? { version: m[6] } : {};
    const where = { file: session.node.file, line: at.line, column: at.column, ...version };
    const call: RecordedCall = m[1] === 'source' || b !== undefined ? { kind: m[1] === 'source' ? 'source' : 'ref', first: a, name: b ?? a, ...where } : { kind: 'ref', name: a, ...where };
    session.calls.push(call);
  }
  return text.replace(/\{[{%#][\s\S]*?[}%#]\}/g, (m) => m.replace(/[^\n]/g, ' '));
}

function resolveCalls(ctx: DbtProjectContext, idx: DbtIndex, project: string, calls: RecordedCall[], text: string, diag: (l: number, c: number, s: Diagnostic['severity'], code: string, m: string) => void, targets: Map<RecordedCall, string | undefined>): DbtDependency[] {
  const out: DbtDependency[] = [];
  const seen = new Set<string>();
  const srcLines = text.split('\n');
  for (const c of calls) {
    const written = c.kind === 'source' ? `${c.first}.${c.name}` : `${c.first ? `${c.first}.` : ''}${c.name}${c.version !== undefined ? `.v${c.version}` : ''}`;
    const target = c.kind === 'source' ? resolveSource(idx, project, c.first ?? '', c.name) : resolveRefTarget(ctx, idx, project, c);
    targets.set(c, target);
    const lineText = srcLines[c.line - 1] ?? '';
    const kind = c.kind === 'ref' && /--\s*depends_on\s*:/.test(lineText) ? 'depends_on' : c.kind;
    // One dependency per upstream node: a real ref() wins over a `-- depends_on:` hint for the same node.
    const key = target ?? `?${written}`;
    if (seen.has(key)) {
      const prev = out.find((d) => (d.target ?? `?${d.written}`) === key);
      if (prev && prev.kind === 'depends_on' && kind !== 'depends_on') Object.assign(prev, { kind, line: c.line, column: c.column, written });
      continue;
    }
    seen.add(key);
    if (target === undefined) diag(c.line, c.column, 'warning', 'unresolved-ref', c.kind === 'source' ? `source '${written}' is not declared in any sources YAML` : `ref '${written}' does not match any model, seed or snapshot`);
    out.push({ kind, written, line: c.line, column: c.column, ...(target !== undefined ? { target } : {}) });
  }
  return out;
}

function resolveSource(idx: DbtIndex, project: string, source: string, table: string): string | undefined {
  const key = `${source}.${table}`;
  const own = idx.sources[project]?.[key];
  if (own) return own.id;
  for (const [p, s] of Object.entries(idx.sources)) if (s[key]) return s[key]?.id ?? sourceId(p, source, table);
  return undefined;
}

/** Replaces relation sentinels by display names (compiled SQL) and placeholders (lineage SQL). */
function placeholders(out: string, session: RenderSession, targets: Map<RecordedCall, string | undefined>, selfId: string): { compiledSql: string; lineageSql: string; placeholders: Record<string, string> } {
  const ph: Record<string, string> = {};
  const byTarget = new Map<string, string>();
  const targetOf = (i: number): string => {
    const r = session.relations[i];
    if (!r) return '';
    if (r.kind === 'this') return selfId;
    return (r.call ? targets.get(r.call) : undefined) ?? `unresolved.${r.display}`;
  };
  const compiledSql = out.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => session.relations[Number(i)]?.display ?? '');
  const lineageSql = out.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => {
    const target = targetOf(Number(i));
    let key = byTarget.get(target);
    if (key === undefined) {
      key = `r${byTarget.size}`;
      byTarget.set(target, key);
      ph[key] = target;
    }
    return `mallard__rel.${key}`;
  });
  return { compiledSql, lineageSql, placeholders: ph };
}
