import type { Diagnostic, Provenance } from '../model/entities';
import { relationId } from '../model/ids';
import type { Dialect, ParsedSql, ParsedStatement, RelationName } from './contracts';
import { effectiveName, qualifiedText, relationKey, RelationNames, type NameScope } from './nameResolution';
import { assignTargets, type FileTarget } from './plainTargets';
import type { SqlNameFacts } from './sqlNameScan';
import type { TargetRule } from './targetRules';

/**
 * The relations of the plain SQL files of a workspace and what each statement's names resolve to:
 * every statement's target (written, or named by its file's target rule) is a relation the
 * workspace writes; each name a statement reads resolves to one of them (`nameResolution.ts`), or
 * is a relation only read here; an ambiguous name resolves to nothing and is reported at the place
 * it is written, with its candidates.
 */

/** One parsed plain SQL file. */
export interface PlainSqlFile {
  path: string;
  parsed: ParsedSql;
  /** The file's dialect (identifier case rules); default postgresql. */
  dialect?: Dialect;
  /** Name positions and scope changes (`sqlNameScan.ts`); absent in results cached before them. */
  names?: SqlNameFacts;
}

/** Options of the plain SQL assembly (from `.mallard.json` / settings). */
export interface PlainSqlOptions {
  /** Target rules; default `["table-folder", "file-name"]`. */
  targets?: readonly TargetRule[];
  /** Default `schema` or `database.schema` of unqualified names. */
  defaultSchema?: string;
}

/** A relation of the catalog. */
export interface Relation extends RelationName {
  id: string;
  key: string;
  kind: 'table' | 'view';
  /** True when created by DDL in the workspace. */
  defined: boolean;
  provenance: Provenance;
  writes: StatementContext[];
  declared: { name: string; type?: string }[];
  meta: Record<string, unknown>;
}

/** A statement with its scope and what its names resolve to. */
export interface StatementContext {
  file: PlainSqlFile;
  index: number;
  stmt: ParsedStatement;
  scope: NameScope;
  target?: Relation;
  /** Per read of `stmt.reads`: the relation, or undefined when ambiguous. */
  reads: (Relation | undefined)[];
  /** Ambiguous reads: the name as written and the candidates. */
  ambiguous: { name: string; candidates: Relation[] }[];
}

/** Everything `buildRelations` finds. */
export interface PlainRelations {
  relations: Map<string, Relation>;
  statements: StatementContext[];
  diagnostics: Diagnostic[];
  /** Resolves a name written in a statement (column lineage sources) to its relation. */
  lookup: (ctx: StatementContext, rel: RelationName) => Relation | undefined;
}

/** `schema` or `database.schema` → scope defaults. */
function parseDefaultSchema(text: string | undefined): { database?: string; schema?: string } {
  if (!text) return {};
  const parts = text.split('.');
  const schema = parts.pop();
  return { ...(schema ? { schema } : {}), ...(parts.length > 0 ? { database: parts.join('.') } : {}) };
}

/** The scope of statement `index`: scope changes before it, else the rule's folder, else the configured default. */
function scopeOf(file: PlainSqlFile, stmt: ParsedStatement, target: FileTarget | undefined, configured: { database?: string; schema?: string }): NameScope {
  // The rule's folder names the schema (and maybe the database); the configured default fills the rest.
  const scope: NameScope = { dialect: file.dialect ?? 'postgresql', ...configured, ...target?.defaults };
  for (const change of file.names?.scopes ?? []) {
    // A change on the statement's own line precedes it unless the statement is the change itself.
    if (change.line > stmt.line || (change.line === stmt.line && stmt.kind === 'other')) break;
    if (change.database !== undefined) scope.database = change.database;
    if (change.schema !== undefined) scope.schema = change.schema;
  }
  return scope;
}

/** Builds the relations and resolves every statement's names. */
export function buildRelations(project: string, files: readonly PlainSqlFile[], options: PlainSqlOptions = {}): PlainRelations {
  const { byPath, diagnostics } = assignTargets(files, options.targets ?? ['table-folder', 'file-name']);
  const configured = parseDefaultSchema(options.defaultSchema);
  const relations = new Map<string, Relation>();
  const ids = new Set<string>();
  const index = new RelationNames<Relation>();
  const newRelation = (rel: RelationName, key: string, provenance: Provenance): Relation => {
    // BigQuery names that differ only in case are distinct relations; ids are lower-case.
    const base = relationId(project, qualifiedText(rel));
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}~${n}`;
    ids.add(id);
    const r: Relation = { ...rel, id, key, kind: 'table', defined: false, provenance, writes: [], declared: [], meta: {} };
    relations.set(key, r);
    return r;
  };
  const statements: StatementContext[] = [];
  for (const file of files) {
    const target = byPath.get(file.path);
    file.parsed.statements.forEach((written, i) => {
      const named = target?.index === i ? target.target : undefined;
      const stmt = named ? { ...written, target: named } : written;
      statements.push({ file, index: i, stmt, scope: scopeOf(file, written, target, configured), reads: [], ambiguous: [] });
    });
  }
  // Writers first: every name a statement reads resolves against the complete set of them.
  for (const ctx of statements) {
    const { stmt, file } = ctx;
    if (!stmt.target) continue;
    const rule = byPath.get(file.path);
    const fromRule = rule?.index === ctx.index && rule.rule !== undefined;
    // A rule names the whole target: SQL's default schema does not move it.
    const full = fromRule ? stmt.target : effectiveName(stmt.target, ctx.scope);
    const key = relationKey(full, ctx.scope.dialect);
    const column = file.names?.columns[ctx.index] ?? 0;
    let r = relations.get(key);
    if (!r) {
      r = newRelation(full, key, { file: file.path, line: stmt.line, column, extractor: fromRule ? 'sql-target-rule' : 'sql-ddl', confidence: fromRule ? 0.8 : 0.9 });
      index.add(r);
      if (fromRule) {
        r.kind = rule.kind;
        r.meta = { targetRule: rule.rule };
      }
    }
    const creates = stmt.kind === 'create_table' || stmt.kind === 'create_view';
    if (creates && !r.defined) {
      r.defined = true;
      r.kind = stmt.kind === 'create_view' ? 'view' : 'table';
      r.provenance = { file: file.path, line: stmt.line, column, extractor: 'sql-ddl', confidence: 1 };
      if (stmt.declaredColumns && stmt.declaredColumns.length > 0) r.declared = stmt.declaredColumns;
    }
    ctx.target = r;
    r.writes.push(ctx);
  }
  const resolveIn = (ctx: StatementContext, rel: RelationName): { found?: Relation; ambiguous?: Relation[]; missing?: RelationName } => {
    const res = index.resolve(rel, ctx.scope, ctx.target);
    if ('found' in res) return { found: res.found };
    if ('ambiguous' in res) return { ambiguous: res.ambiguous };
    return { found: relations.get(relationKey(res.missing, ctx.scope.dialect)), missing: res.missing };
  };
  const reported = new Set<string>();
  for (const ctx of statements) {
    ctx.stmt.reads.forEach((read, j) => {
      const res = resolveIn(ctx, read);
      if (res.ambiguous) {
        const at = ctx.file.names?.readAt[ctx.index]?.[j] ?? null;
        const name = at?.text ?? qualifiedText(read);
        ctx.ambiguous.push({ name, candidates: res.ambiguous });
        ctx.reads.push(undefined);
        const where = `${ctx.file.path}:${at?.line ?? ctx.stmt.line}:${at?.column ?? 1}:${name}`;
        if (!reported.has(where)) {
          reported.add(where);
          diagnostics.push(ambiguityDiagnostic(ctx, at, name, res.ambiguous));
        }
        return;
      }
      if (res.found) {
        ctx.reads.push(res.found);
        return;
      }
      const missing = res.missing as RelationName;
      const provenance: Provenance = { file: ctx.file.path, line: ctx.stmt.line, column: 0, extractor: 'sql-reads', confidence: 0.5 };
      ctx.reads.push(newRelation(missing, relationKey(missing, ctx.scope.dialect), provenance));
    });
  }
  const lookup = (ctx: StatementContext, rel: RelationName): Relation | undefined => {
    const j = ctx.stmt.reads.findIndex((r) => r === rel || qualifiedText(r) === qualifiedText(rel));
    if (j >= 0) return ctx.reads[j];
    return resolveIn(ctx, rel).found;
  };
  return { relations, statements, diagnostics, lookup };
}

/** The located warning for a name several relations could be. */
function ambiguityDiagnostic(ctx: StatementContext, at: { line: number; column: number } | null, name: string, candidates: readonly Relation[]): Diagnostic {
  const list = candidates.map((c) => `${qualifiedText(c)} (${c.provenance.file}:${c.provenance.line})`).sort().join(', ');
  const message = `"${name}" could be ${candidates.length} relations: ${list}. Mallard does not guess: no lineage is recorded from it. Qualify the name, or set the default schema of this file (SET search_path, USE, a "targets" rule's folder, or "defaultSchema" in .mallard.json).`;
  return { file: ctx.file.path, line: at?.line ?? ctx.stmt.line, column: at?.column ?? ctx.file.names?.columns[ctx.index] ?? 1, severity: 'warning', code: 'ambiguous-relation', message, extractor: 'sql-names' };
}
