import type { DbtProjectContext } from './api';
import { staticBuiltins } from './builtins';
import { indexOf, type DbtIndex } from './contextIndex';
import { configObject } from './configObject';
import { dbtNamespace } from './dbtNamespace';
import { DEFAULT_RENDER_BUDGET, WorkCancelled, type RenderBudget } from './jinja/budget';
import { Interpreter } from './jinja/evaluator';
import { Scope, type Template } from './jinja/scope';
import { JinjaError, LineIndex } from './jinja/lexer';
import { parseTemplate } from './jinja/parser';
import { declaredMacroNames, MACRO_NOT_LOADED, parsedMacros } from './macroFiles';
import { Callable, fromPlain, obj, Obj, str, Unknown } from './jinja/values';
import { DELEGATES_TO_DBT, STAND_INS } from './standIns';
import { unknownSentinel } from './unknownSites';
import { resolveVar } from './vars';
import { displayRelation, nodeRelation, resolveRefTarget, type RelationParts } from './relationNames';

/** One recorded `ref()`/`source()` call. */
export interface RecordedCall {
  kind: 'ref' | 'source';
  /** Package for `ref('pkg','m')`, source name for sources. */
  first?: string;
  name: string;
  version?: string;
  file: string;
  line: number;
  column: number;
}

/** Identity of the node being rendered. */
export interface NodeIdentity {
  project: string;
  name: string;
  id: string;
  file: string;
  schema: string;
  alias: string;
}

const ADAPTER_PARENTS: Record<string, string[]> = { redshift: ['postgres'], duckdb: ['postgres'], materialize: ['postgres'], databricks: ['spark'] };

/** `RenderSession.relationOf` results per context object (dropped with the context). */
const relationMemos = new WeakMap<DbtProjectContext, Map<string, RelationParts | undefined>>();

/** Parsed stand-in macro files (see `standIns.ts`), parsed once per process. */
const standInTemplates = new Map<string, Template>();

function standInTemplate(pkg: string): Template | undefined {
  const text = STAND_INS[pkg];
  if (text === undefined) return undefined;
  let tpl = standInTemplates.get(pkg);
  if (!tpl) {
    tpl = { file: `(Mallard's stand-in for ${pkg})`, text, nodes: parseTemplate(text), lines: new LineIndex(text) };
    standInTemplates.set(pkg, tpl);
  }
  return tpl;
}

/** State of rendering one node: the interpreter, macro scopes, and what the template called. */
export class RenderSession {
  readonly interp: Interpreter;
  readonly calls: RecordedCall[] = [];
  /** The latest value of every key set by a `config()` call (later calls win), for `config.get`. */
  readonly config = new Map<string, unknown>();
  /** Each `config()` call's options in call order; the renderer merges them as dbt does. */
  readonly configCalls: Map<string, unknown>[] = [];
  /** Relations referenced in the output: sentinel index → display name and target key. */
  readonly relations: { kind: 'ref' | 'source' | 'this'; call?: RecordedCall; display: string; target?: string }[] = [];
  readonly packageScopes = new Map<string, Scope>();
  /** Values output by `{{ … }}` that could not be evaluated, in sentinel order (see `unknownSites.ts`). */
  readonly unknowns: Unknown[] = [];
  /** Namespaces of packages that are not installed and have stand-ins, built on first use. */
  private readonly standIns = new Map<string, Obj | undefined>();
  readonly idx: DbtIndex;
  private readonly builtins = staticBuiltins();

  constructor(
    readonly ctx: DbtProjectContext,
    readonly node: NodeIdentity,
    readonly baseConfig: Record<string, unknown>,
    /** The work budget of the whole render: the node's template, its macros, vars and config values. */
    budget: RenderBudget = DEFAULT_RENDER_BUDGET,
  ) {
    this.idx = indexOf(ctx);
    this.interp = new Interpreter((name) => this.lookup(name), { ...budget, maxDepth: 100 });
    const missing = new Set(ctx.missingPackages ?? []);
    this.interp.hooks = {
      renderUnknown: (value) => unknownSentinel(this.unknowns.push(value) - 1),
      // A package that is not installed is reported once, at its packages.yml entry, not per call.
      noticeUnknown: (name) => !missing.has(name.split('.')[0] ?? name),
    };
    this.installBuiltins();
    const macros = parsedMacros(ctx);
    for (const m of macros) {
      const scope = this.scopeOf(m.project);
      for (const n of m.tpl.nodes) if (n.t === 'macro') scope.vars.set(n.name, this.interp.makeMacro(n.name, n.params, n.body, scope, m.tpl));
    }
    // A macro of a file that does not parse is not "unknown": say so where it is called (the file's
    // own error is reported once, by the loader, see `macroLoadErrors`).
    for (const m of macros) {
      if (!m.error) continue;
      const scope = this.scopeOf(m.project);
      const at = m.tpl.lines.at(m.error.offset);
      for (const name of declaredMacroNames(m.tpl.text)) {
        if (scope.vars.has(name)) continue;
        scope.vars.set(name, new Callable(name, () => {
          const root = this.interp.rootTpl;
          if (root) this.interp.notice(root, this.interp.rootPos, MACRO_NOT_LOADED, `macro \`${name}\` could not be loaded (see ${m.tpl.file}:${at.line}:${at.column})`);
          return new Unknown(name);
        }));
      }
    }
    // `this` goes through the root's generate_*_name overrides, so it is set once macros exist.
    const self = this.relationOf(node.id) ?? { schema: node.schema, identifier: node.alias };
    this.builtins.set('this', this.relation('this', displayRelation(self), undefined, self));
  }

  private scopeOf(project: string): Scope {
    let s = this.packageScopes.get(project);
    if (!s) {
      s = new Scope();
      this.packageScopes.set(project, s);
    }
    return s;
  }

  /** The root scope for the node's own template: its project's macros are visible first. */
  nodeScope(): Scope {
    return new Scope(this.scopeOf(this.node.project));
  }

  private lookup(name: string): unknown {
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    for (const p of [this.node.project, this.ctx.projectName]) {
      const v = this.packageScopes.get(p)?.vars.get(name);
      if (v !== undefined) return v;
    }
    const pkg = this.packageScopes.get(name);
    if (pkg && this.ctx.projects.some((p) => p.name === name)) return new Obj(pkg.vars, name);
    for (const [, s] of this.packageScopes) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return this.standIn(name);
  }

  /** The stand-in namespace of a package that is not installed (see `standIns.ts`), if any. */
  private standIn(pkg: string): Obj | undefined {
    if (this.standIns.has(pkg)) return this.standIns.get(pkg);
    let ns: Obj | undefined;
    const tpl = this.ctx.projects.some((p) => p.name === pkg) ? undefined : standInTemplate(pkg);
    if (tpl) {
      const scope = new Scope();
      for (const n of tpl.nodes) if (n.t === 'macro') scope.vars.set(n.name, this.interp.makeMacro(n.name, n.params, n.body, scope, tpl));
      const attrs = new Map(scope.vars);
      const dbt = this.builtins.get('dbt');
      if (DELEGATES_TO_DBT[pkg] && dbt instanceof Obj) for (const [k, v] of dbt.attrs) if (!attrs.has(k)) attrs.set(k, v);
      ns = new Obj(attrs, pkg);
    }
    this.standIns.set(pkg, ns);
    return ns;
  }

  /** A relation sentinel for something Mallard cannot see into (an unknown macro's relation). */
  unknownRelation(name: string): string {
    return this.relation('source', name, undefined, { schema: this.ctx.target.schema, identifier: name }).text;
  }

  /** Sentinel for a relation in rendered output; resolved into display/placeholder names afterwards. */
  private relation(kind: 'ref' | 'source' | 'this', display: string, call?: RecordedCall, parts?: { schema: string; identifier: string; database?: string }, target?: string): Obj {
    const i = this.relations.length;
    this.relations.push({ kind, display, ...(call ? { call } : {}), ...(target ? { target } : {}) });
    const sentinel = `\uE000${i}\uE001`;
    const attrs: Record<string, unknown> = {
      database: parts?.database ?? this.ctx.target.database ?? null,
      schema: parts?.schema ?? this.ctx.target.schema,
      identifier: parts?.identifier ?? display,
      name: parts?.identifier ?? display,
      table: parts?.identifier ?? display,
      is_table: true,
      is_view: false,
      type: 'table',
    };
    // dbt relations are mappings whose metadata type ends in 'Relation' (dbt_utils checks this).
    const rel = new Obj(new Map(Object.entries(attrs)), sentinel, false, true);
    const metadata = new Map<unknown, unknown>([['type', `${this.ctx.target.type.replace(/^./, (c) => c.toUpperCase())}Relation`]]);
    rel.attrs.set('metadata', metadata);
    rel.attrs.set('get', new Callable('get', (a) => (rel.attrs.has(str(a[0])) ? rel.attrs.get(str(a[0])) : (a[1] ?? null))));
    rel.attrs.set('include', new Callable('include', () => rel));
    rel.attrs.set('render', new Callable('render', () => sentinel));
    rel.attrs.set('quote', new Callable('quote', () => rel));
    rel.attrs.set('incorporate', new Callable('incorporate', () => rel));
    return rel;
  }

  private record(kind: 'ref' | 'source', name: string, pos: number, first?: string, version?: string): RecordedCall {
    void pos;
    const tpl = this.interp.rootTpl;
    const at = tpl ? tpl.lines.at(this.interp.rootPos) : { line: 1, column: 1 };
    const call: RecordedCall = { kind, name, file: tpl?.file ?? this.node.file, line: at.line, column: at.column, ...(first !== undefined ? { first } : {}), ...(version !== undefined ? { version } : {}) };
    this.calls.push(call);
    return call;
  }

  private installBuiltins(): void {
    const b = this.builtins;
    const t = this.ctx.target;
    const ref = new Callable('ref', (a, kw, pos) => {
      const args = a.map(str);
      const v = kw.get('v') ?? kw.get('version');
      const version = v === undefined || v === null ? undefined : str(v);
      const [first, second] = args;
      if (first === undefined) throw new JinjaError('ref() takes a model name', pos, 'jinja-runtime');
      const call = second === undefined ? this.record('ref', first, pos, undefined, version) : this.record('ref', second, pos, first, version);
      const target = resolveRefTarget(this.ctx, this.idx, this.node.project, call);
      const parts = (target === undefined ? undefined : this.relationOf(target)) ?? { schema: t.schema, identifier: call.name };
      return this.relation('ref', displayRelation(parts), call, parts);
    });
    const source = new Callable('source', (a, kw, pos) => {
      const named = [kw.get('source_name'), kw.get('table_name')].filter((x) => x !== undefined);
      const [src, table] = [...a, ...named].map(str);
      if (src === undefined || table === undefined) throw new JinjaError('source() takes a source name and a table name', pos, 'jinja-runtime');
      const call = this.record('source', table, pos, src);
      const decl = this.idx.sources[this.node.project]?.[`${src}.${table}`] ?? Object.values(this.idx.sources).map((s) => s[`${src}.${table}`]).find((x) => x);
      const database = decl?.database ?? t.database;
      const parts = { schema: decl?.schema ?? src, identifier: decl?.identifier ?? table, ...(database ? { database } : {}) };
      return this.relation('source', displayRelation(parts), call, parts);
    });
    const config = configObject(this);
    const varFn = new Callable('var', (a, _kw, pos) => this.var(str(a[0]), a.length > 1 ? a[1] : undefined, pos), new Map([['has_var', new Callable('has_var', (a) => this.var(str(a[0]), null, 0) !== null)]]));
    b.set('ref', ref);
    b.set('source', source);
    b.set('config', config);
    b.set('var', varFn);
    b.set('env_var', new Callable('env_var', (a, _kw, pos) => {
      if (a.length > 1) return a[1];
      throw new JinjaError(`env_var '${str(a[0])}' is not set and has no default`, pos, 'dbt-env-var');
    }));
    b.set('target', obj({ name: t.name, schema: t.schema, type: t.type, database: t.database ?? null, dbname: t.database ?? null, project: t.database ?? null, profile_name: 'mallard', threads: 1, user: 'mallard' }, t.name));
    b.set('model', obj({ name: this.node.name, unique_id: this.node.id, package_name: this.node.project, original_file_path: this.node.file, config: new Map() }));
    b.set('project_name', this.ctx.projectName);
    b.set('builtins', obj({ ref, source, config }));
    b.set('adapter', this.adapterObj());
    b.set('api', obj({ Relation: obj({ create: new Callable('create', (_a, kw) => this.relation('source', str(kw.get('identifier')), undefined, { schema: str(kw.get('schema') ?? t.schema), identifier: str(kw.get('identifier')) })) }) }));
    b.set('doc', new Callable('doc', () => ''));
    b.set('dbt', dbtNamespace(t.type));
  }

  private adapterObj(): Obj {
    const dispatch = new Callable('dispatch', (a, kw) => {
      const name = str(a[0] ?? kw.get('macro_name'));
      const ns = a[1] ?? kw.get('macro_namespace');
      const found = this.dispatch(name, ns === undefined || ns === null ? undefined : str(ns));
      if (found) return found;
      if (this.interp.rootTpl) this.interp.notice(this.interp.rootTpl, this.interp.rootPos, 'dynamic-jinja', `adapter.dispatch found no implementation of '${name}' for ${this.ctx.target.type}`);
      return new Callable(name, (a, kw) => new Unknown(name, a, kw));
    });
    const none = (n: string): Callable => new Callable(n, () => null);
    const existing = (n: string): Callable => new Callable(n, (a, kw) => {
      const arg = (i: number, k: string): string => str(kw.get(k) ?? a[i] ?? '');
      const rel = a[0] instanceof Obj && a.length === 1 ? a[0] : undefined;
      return rel ? rel : this.declaredRelation(arg(1, 'schema'), arg(2, 'identifier'));
    });
    return obj({
      dispatch,
      quote: new Callable('quote', (a) => `"${str(a[0])}"`),
      get_relation: existing('get_relation'),
      load_relation: existing('load_relation'),
      get_columns_in_relation: new Callable('get_columns_in_relation', () => []),
      type: new Callable('type', () => this.ctx.target.type),
      already_exists: new Callable('already_exists', () => false),
      config: obj({ credentials: obj({ database: this.ctx.target.database ?? null, schema: this.ctx.target.schema }) }),
    });
  }

  /**
   * `adapter.get_relation(database, schema, identifier)`: dbt's parse step answers None (no
   * warehouse), which sends macros such as Fivetran's union helpers down their "table missing"
   * branch (`select null … limit 0`) and loses all lineage. A catalog wants what `dbt compile`
   * sees with the warehouse in place, so a relation that a declared source names is taken to exist
   * and is returned as that source's relation; anything else is still None.
   */
  private declaredRelation(schema: string, identifier: string): Obj | null {
    const want = `${schema}.${identifier}`.toLowerCase();
    for (const tables of Object.values(this.idx.sources)) {
      for (const decl of Object.values(tables)) {
        const database = decl.database ?? this.ctx.target.database;
        const parts = { schema: decl.schema, identifier: decl.identifier, ...(database ? { database } : {}) };
        if (`${parts.schema}.${parts.identifier}`.toLowerCase() === want) return this.relation('source', displayRelation(parts), undefined, parts, decl.id);
      }
    }
    return null;
  }

  /** dbt's dispatch search: packages in order, then adapter prefixes (`<type>`, parents, `default`). */
  private dispatch(name: string, namespace?: string): Callable | undefined {
    const prefixes = [this.ctx.target.type, ...(ADAPTER_PARENTS[this.ctx.target.type] ?? []), 'default'];
    let packages: (string | undefined)[] = [undefined];
    if (namespace !== undefined) {
      const configured = this.ctx.dispatch.find((d) => d.macroNamespace === namespace);
      if (configured) packages = configured.searchOrder;
      else if (this.ctx.projects.some((p) => p.name === namespace)) packages = [this.ctx.projectName, namespace];
    }
    for (const pkg of packages) {
      for (const prefix of prefixes) {
        const macro = pkg === undefined ? this.lookup(`${prefix}__${name}`) : this.packageScopes.get(pkg)?.vars.get(`${prefix}__${name}`);
        if (macro instanceof Callable) return macro;
      }
    }
    return undefined;
  }

  private var(name: string, dflt: unknown, pos: number): unknown {
    const found = resolveVar(this.ctx, this.node.project, name);
    if (found.found) {
      const value = found.value;
      if (typeof value === 'string' && (value.includes('{{') || value.includes('{%'))) return this.renderString(value, pos);
      return fromPlain(value);
    }
    if (dflt !== undefined) return dflt;
    throw new JinjaError(`required var '${name}' not found in dbt_project.yml and no default given`, pos, 'dbt-var-missing');
  }

  /**
   * Where node `id` is built (dbt's relation naming; see relationNames.ts). A pure function of the
   * context, memoized per context: many models ref the same upstreams, and the root overrides are
   * Jinja calls.
   */
  relationOf(id: string): RelationParts | undefined {
    let memo = relationMemos.get(this.ctx);
    if (!memo) relationMemos.set(this.ctx, (memo = new Map()));
    if (memo.has(id)) return memo.get(id);
    const parts = nodeRelation(this.ctx, this.idx, id, (name, args) => this.callRootMacro(name, args), (fields) => obj({ ...fields, config: fromPlain(fields.config) }));
    memo.set(id, parts);
    return parts;
  }

  /**
   * Calls a root-project macro (e.g. a `generate_schema_name` override) and returns its trimmed
   * text, or undefined when the project does not define it or it fails.
   */
  callRootMacro(name: string, args: unknown[]): string | undefined {
    const macro = this.packageScopes.get(this.ctx.projectName)?.vars.get(name);
    if (!(macro instanceof Callable)) return undefined;
    try {
      const v = macro.fn(args, new Map(), 0);
      const text = str(v).trim();
      return text === '' || v instanceof Unknown ? undefined : text;
    } catch (err) {
      if (WorkCancelled.is(err)) throw err;
      return undefined;
    }
  }

  /** Renders a Jinja string (var values, project config values) in this node's context. */
  renderString(text: string, pos = 0): unknown {
    let nodes;
    try {
      nodes = parseTemplate(text);
    } catch {
      return text;
    }
    const tpl: Template = { file: this.node.file, text, nodes, lines: new LineIndex(text) };
    try {
      const single = nodes.length === 1 && nodes[0]?.t === 'output' ? nodes[0] : undefined;
      if (single) return this.interp.eval(single.expr, this.nodeScope(), tpl);
      return this.interp.render(nodes, this.nodeScope(), tpl);
    } catch (err) {
      if (err instanceof JinjaError) throw new JinjaError(`in var value '${text}': ${err.reason}`, pos, err.code);
      throw err;
    }
  }
}

