import { Entity, type Diagnostic } from '../model/entities';
import { modelId, nodeId, sourceId } from '../model/ids';
import type { RenderedNode } from '../pipeline/contracts';
import type { DbtDependency, DbtNodeKind, DbtNodeResult, DbtProjectContext, DbtRenderOptions } from './api';
import { DEFAULT_RENDER_BUDGET } from './jinja/budget';
import { indexOf, type DbtIndex } from './contextIndex';
import type { Node } from './jinja/ast';
import type { Template } from './jinja/scope';
import { JinjaError, LineIndex } from './jinja/lexer';
import { MappedText, replaceMapped } from './jinja/mappedText';
import { parseTemplate } from './jinja/parser';
import { fromPlain, obj, str, toPlain, Unknown } from './jinja/values';
import { addConfigCall, mergeConfig } from './nodeConfig';
import { readPythonModelInto } from './python/pythonRender';
import { folderConfig, resolveRefTarget } from './relationNames';
import { MACRO_NOT_LOADED } from './macroFiles';
import { toRenderMap } from './renderMap';
import { relationReplacer } from './relationText';
import { callKey } from './renderInputs';
import { type RecordedCall, RenderSession } from './session';
import { resolveUnknownSites } from './unknownSites';
import { didYouMean } from '../text/didYouMean';

const EXTRACTOR = 'dbt-jinja';

/**
 * Render failures that are Mallard's limits, not proof that dbt fails: warnings. dbt has no step
 * budget (a huge loop is only slow there), an internal error is our bug, and an environment variable
 * may be set where dbt runs but not where Mallard renders. Everything else fails dbt's parse too: a
 * runtime error in the template, a missing required var, `raise_compiler_error`, recursion or
 * nesting deeper than Python's stack (`jinja-recursion`): an error.
 */
const OUR_LIMITS = new Set(['jinja-budget', 'jinja-internal', 'dbt-env-var']);

/** A relation sentinel in rendered output (see `RenderSession.relation`). */
const SENTINEL = /\uE000(\d+)\uE001/g;

/** Renders one node; see `renderDbtNode`. Never throws, except `WorkCancelled` when cancelled. */
export function renderNode(ctx: DbtProjectContext, path: string, text: string, options: DbtRenderOptions = {}): DbtNodeResult {
  const idx = indexOf(ctx);
  const file = idx.files[path] ?? guessFile(ctx, path);
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const isPython = /\.py$/i.test(path);
  const extractor = isPython ? 'dbt-python' : EXTRACTOR;
  const diag: Diag = (line, column, severity, code, message, f = path) => {
    diagnostics.push({ file: f, line: Math.max(1, line), column: Math.max(1, column), severity, code, message, extractor });
  };
  let nodes: Node[] = [];
  let parseError: JinjaError | undefined;
  try {
    // Python models are not Jinja: `readPythonModelInto` reads their dbt calls from the Python syntax.
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
  for (const n of session.interp.notices) diag(n.line, n.column, n.code === MACRO_NOT_LOADED ? 'warning' : 'info', n.code, n.message, n.file);

  // The file's config() calls merge among themselves as dbt's call dict does, then over the
  // dbt_project.yml and YAML layers; a value Mallard cannot evaluate leaves the key to those layers.
  const config: Record<string, unknown> = { ...baseConfig };
  const callDict: Record<string, unknown> = {};
  for (const call of session.configCalls) addConfigCall(callDict, Object.fromEntries([...call].filter(([, v]) => !(v instanceof Unknown)).map(([k, v]) => [k, toPlain(v)])));
  mergeConfig(config, callDict);
  const enabledRaw = config.enabled;
  const disabled = enabledRaw === false || (typeof enabledRaw === 'string' && enabledRaw.trim().toLowerCase() === 'false');

  const targets = new Map<RecordedCall, string | undefined>();
  const dependencies = resolveCalls(ctx, idx, file.project, session.calls, text, diag, targets);
  const rendered = placeholders(resolveUnknownSites(out, { unknowns: session.unknowns, relation: (n) => session.unknownRelation(n), dialect: ctx.dialect }), lines, session, targets, id);
  // A message may quote a rendered value (`raise_compiler_error("… " ~ this)`): say the relation, not its sentinel.
  for (const d of diagnostics) if (d.message.includes('\uE000')) d.message = d.message.replace(SENTINEL, (_m, i: string) => session.relations[Number(i)]?.display ?? '');
  // dbt's compiled code of a Python model is the Python itself (plus helpers dbt appends to run it).
  if (isPython) rendered.compiledSql = text;
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
    // dbt records a node's language beside its config; the catalog has no field for it, so Python
    // models say so in meta (a `language` key the model's own meta sets wins).
    meta: { ...(isPython ? { language: 'python' } : {}), ...(isRecord(config.meta) ? config.meta : {}) },
    disabled,
    compiledSql: rendered.compiledSql,
    provenance: { file: path, line: 1, column: 1, extractor, confidence: parseError ? 0.5 : 0.9 },
  });
  const lookups = [...new Set(session.calls.map(callKey))];
  return { path, entity, dependencies, rendered: { ...rendered, entityId: id, lineOffset: 0, diagnostics }, diagnostics, lookups };
}

type Diag = (line: number, column: number, severity: Diagnostic['severity'], code: string, message: string, f?: string) => void;

/**
 * Renders the template (or scans unparseable text) into line-aligned output with sentinels,
 * mapped back to the source. A Python model has no SQL: its lines stay, empty, once its dbt calls
 * are in the session; an unparseable template renders as its text with every Jinja tag blanked.
 */
function renderBody(session: RenderSession, path: string, text: string, how: Node[] | 'python' | 'fallback', lines: LineIndex, diag: Diag): MappedText {
  if (how === 'python') {
    readPythonModelInto(session, text, lines, diag);
    return replaceMapped(MappedText.of(text, 0, true), /[^\n]+/g, () => '');
  }
  if (how === 'fallback') {
    fallbackScan(text, session);
    return replaceMapped(MappedText.of(text, 0, true), /\{[{%#][\s\S]*?[}%#]\}/g, (m) => m[0].replace(/[^\n]/g, ' '));
  }
  const tpl: Template = { file: path, text, nodes: how, lines };
  session.interp.rootTpl = tpl;
  return session.interp.renderAligned(how, session.nodeScope(), tpl, (err) => {
    const code = err.code === 'jinja-syntax' ? 'jinja-runtime' : err.code;
    const severity = OUR_LIMITS.has(code) ? 'warning' : 'error';
    if (err.where && err.where.file !== path) {
      // The error happened inside a macro file: point at the call in this model, name the macro's spot.
      const at = tpl.lines.at(session.interp.rootPos);
      diag(at.line, at.column, severity, code, `${err.reason} (at ${err.where.file}:${err.where.line}:${err.where.column})`);
    } else {
      const at = err.where ?? tpl.lines.at(err.offset);
      diag(at.line, at.column, severity, code, err.reason);
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
function fallbackScan(text: string, session: RenderSession): void {
  const lines = new LineIndex(text);
  const re = /\b(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?(?:,\s*v(?:ersion)?\s*=\s*['"]?(\w+)['"]?\s*)?\)/g;
  for (const m of text.matchAll(re)) {
    const at = lines.at(m.index ?? 0);
    const a = m[3] ?? '';
    const b = m[5];
    const version = m[1] === 'ref' && m[6] !== undefined ? { version: m[6] } : {};
    const where = { file: session.node.file, line: at.line, column: at.column, ...version };
    const call: RecordedCall = m[1] === 'source' || b !== undefined ? { kind: m[1] === 'source' ? 'source' : 'ref', first: a, name: b ?? a, ...where } : { kind: 'ref', name: a, ...where };
    session.calls.push(call);
  }
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
    if (target === undefined) diag(c.line, c.column, 'warning', 'unresolved-ref', unresolvedMessage(idx, c));
    out.push({ kind, written, line: c.line, column: c.column, ...(target !== undefined ? { target } : {}) });
  }
  return out;
}

/** The call as written (`ref('pkg', 'm', v=2)`, `source('s', 't')`). */
function callText(c: RecordedCall): string {
  const args = [c.first, c.name].filter((a): a is string => a !== undefined).map((a) => `'${a}'`);
  return `${c.kind}(${args.join(', ')}${c.version !== undefined ? `, v=${c.version}` : ''})`;
}

/** Why a ref/source resolves to nothing, with the closest known name when it looks like a typo. */
function unresolvedMessage(idx: DbtIndex, c: RecordedCall): string {
  if (c.kind === 'source') {
    const declared = Object.values(idx.sources).flatMap((s) => Object.keys(s));
    const tables = declared.filter((k) => k.startsWith(`${c.first ?? ''}.`)).map((k) => k.slice((c.first ?? '').length + 1));
    // A known source with an unknown table suggests a table; an unknown source suggests a source.
    const guess = tables.length > 0 ? didYouMean(c.name, tables) : didYouMean(c.first ?? '', new Set(declared.map((k) => k.split('.')[0] ?? '')));
    const hint = guess === undefined ? '' : tables.length > 0 ? `; did you mean \`${c.first}.${guess}\`?` : `; did you mean source \`${guess}\`?`;
    return `\`${callText(c)}\` is not declared in any sources YAML${hint}`;
  }
  const pools = c.first !== undefined ? [idx.refs[c.first] ?? {}] : Object.values(idx.refs);
  const guess = didYouMean(c.name, new Set(pools.flatMap((p) => Object.keys(p))));
  return `\`${callText(c)}\` matches no model, seed or snapshot${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`;
}

function resolveSource(idx: DbtIndex, project: string, source: string, table: string): string | undefined {
  const key = `${source}.${table}`;
  const own = idx.sources[project]?.[key];
  if (own) return own.id;
  for (const [p, s] of Object.entries(idx.sources)) if (s[key]) return s[key]?.id ?? sourceId(p, source, table);
  return undefined;
}

/** Replaces relation sentinels by display names (compiled SQL) and placeholders (lineage SQL), keeping both mapped to the source. */
function placeholders(out: MappedText, lines: LineIndex, session: RenderSession, targets: Map<RecordedCall, string | undefined>, selfId: string): Pick<RenderedNode, 'compiledSql' | 'lineageSql' | 'placeholders' | 'compiledMap' | 'lineageMap'> {
  const ph: Record<string, string> = {};
  const byTarget = new Map<string, string>();
  const targetOf = (i: number): string => {
    const r = session.relations[i];
    if (!r) return '';
    if (r.kind === 'this') return selfId;
    return r.target ?? (r.call ? targets.get(r.call) : undefined) ?? `unresolved.${r.display}`;
  };
  // Relations are spaced where they would glue onto a word (`left join{{ ref('x') }}`): see relationText.ts.
  const compiled = replaceMapped(out, SENTINEL, relationReplacer(out.text, (i) => session.relations[i]?.display ?? ''));
  const lineage = replaceMapped(out, SENTINEL, relationReplacer(out.text, (i) => {
    const target = targetOf(i);
    let key = byTarget.get(target);
    if (key === undefined) {
      key = `r${byTarget.size}`;
      byTarget.set(target, key);
      ph[key] = target;
    }
    return `mallard__rel.${key}`;
  }));
  return { compiledSql: compiled.text, compiledMap: toRenderMap(compiled, lines), lineageSql: lineage.text, lineageMap: toRenderMap(lineage, lines), placeholders: ph };
}
