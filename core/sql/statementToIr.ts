import type { ParsedStatement, RelationName, StatementKind } from '../pipeline/contracts';
import { identName, relationFromParts, relationOf } from './astNames';
import { asNode, buildQuery, collectRefs, queryNode, valuesQuery, type AstContext, type AstNode } from './astToIr';
import type { IrOutput, IrQuery, IrRef, IrSelect, IrSource, IrStatement } from './ir';
import { addUnique, collectReads } from './irReads';

/** A parsed statement without its line (the caller knows where it starts). */
export type StatementFacts = Omit<ParsedStatement, 'line'>;

/** Converts one node-sql-parser statement AST into the statement facts and IR. */
export function statementToIr(ast: AstNode, ctx: AstContext): StatementFacts {
  const type = typeof ast.type === 'string' ? ast.type.toLowerCase() : '';
  if (type === 'select') {
    // `SELECT … INTO t FROM …` (T-SQL, PostgreSQL) creates t.
    const into = asNode(ast.into);
    const intoName = into ? identName(into.expr) : undefined;
    const intoTarget = intoName ? relationFromParts(intoName.split('.')) : undefined;
    return finish(intoTarget ? 'create_table' : 'select', intoTarget, { q: buildQuery(ast, ctx) });
  }
  if (type === 'insert' || type === 'replace') return insertFacts(ast, ctx);
  if (type === 'create') return createFacts(ast, ctx);
  if (type === 'update') return updateFacts(ast, ctx);
  if (type === 'delete') return deleteFacts(ast, ctx);
  return { kind: 'other', reads: [], ir: {} satisfies IrStatement };
}

function finish(kind: StatementKind, target: RelationName | undefined, ir: IrStatement, extraReads: RelationName[] = []): StatementFacts {
  const reads = collectReads(ir.q);
  for (const r of extraReads) addUnique(reads, r);
  const facts: StatementFacts = { kind, reads, ir };
  if (target) facts.target = target;
  return facts;
}

function firstRelation(value: unknown): RelationName | undefined {
  const list = Array.isArray(value) ? value : [value];
  const first = asNode(list[0]);
  return first ? relationOf(first) : undefined;
}

function names(value: unknown): string[] {
  return (Array.isArray(value) ? value : []).map(identName).filter((n): n is string => n !== undefined);
}

function insertFacts(ast: AstNode, ctx: AstContext): StatementFacts {
  const target = firstRelation(ast.table);
  const values = asNode(ast.values);
  const sub = queryNode(values) ?? queryNode(values?.value);
  const ir: IrStatement = {};
  if (sub) ir.q = buildQuery(sub, ctx);
  else if (values?.type === 'values') ir.q = valuesQuery(values, ctx);
  const cols = names(ast.columns);
  if (cols.length > 0) ir.cols = cols;
  return finish('insert', target, ir);
}

function createFacts(ast: AstNode, ctx: AstContext): StatementFacts {
  const keyword = typeof ast.keyword === 'string' ? ast.keyword.toLowerCase() : '';
  const view = asNode(ast.view);
  const target = view ? relationOf({ ...view, table: view.view }) : firstRelation(ast.table);
  const sub = queryNode(ast.query_expr) ?? queryNode(ast.select) ?? queryNode(ast.as);
  const ir: IrStatement = {};
  if (sub) ir.q = buildQuery(sub, ctx);
  const cols = names(ast.columns);
  if (cols.length > 0) ir.cols = cols;
  const kind: StatementKind = keyword === 'view' || view ? 'create_view' : keyword === 'table' ? 'create_table' : 'other';
  const facts = finish(kind, target, ir);
  const declared = declaredColumns(ast.create_definitions);
  if (declared.length > 0) facts.declaredColumns = declared;
  // `CREATE TABLE t LIKE s` copies s's columns.
  const like = asNode(ast.like);
  const likeRel = like ? firstRelation(like.table) : undefined;
  if (likeRel) addUnique(facts.reads, likeRel);
  return facts;
}

function declaredColumns(defs: unknown): { name: string; type?: string }[] {
  const out: { name: string; type?: string }[] = [];
  for (const def of Array.isArray(defs) ? defs : []) {
    const node = asNode(def);
    if (!node || node.resource !== 'column') continue;
    const name = identName(node.column);
    if (!name) continue;
    const definition = asNode(node.definition);
    const dataType = typeof definition?.dataType === 'string' ? definition.dataType : undefined;
    const length = definition?.length;
    const scale = definition?.scale;
    let type = dataType;
    if (type && typeof length === 'number') type += typeof scale === 'number' ? `(${length},${scale})` : `(${length})`;
    out.push(type ? { name, type } : { name });
  }
  return out;
}

/** UPDATE … SET c = expr FROM s WHERE …: a select over the target and FROM items whose outputs are the SET columns. */
function updateFacts(ast: AstNode, ctx: AstContext): StatementFacts {
  const tables = Array.isArray(ast.table) ? ast.table : [ast.table];
  let target = firstRelation(tables);
  // T-SQL `UPDATE alias SET … FROM real_table AS alias`: the target is the aliased FROM item.
  const aliased = target && !target.schema ? aliasedFromItem(ast.from, target.name) : undefined;
  const targetAlias = aliased ? target?.name.toLowerCase() : undefined;
  if (aliased) {
    target = aliased;
    tables.splice(0, 1);
  }
  const select: IrSelect = { f: [], o: [], x: [] };
  tables.forEach((t, i) => {
    const item = asNode(t);
    const rel = item ? relationOf(item) : undefined;
    if (!rel || !item) return;
    const source: IrSource = { rel };
    const alias = identName(item.as);
    if (alias) source.as = alias;
    if (i === 0) source.tg = true;
    select.f.push(source);
  });
  for (const item of Array.isArray(ast.from) ? ast.from : []) {
    const node = asNode(item);
    const rel = node ? relationOf(node) : undefined;
    const sub = queryNode(node?.expr);
    const alias = identName(node?.as);
    const source: IrSource | undefined = rel ? { rel } : sub ? { q: buildQuery(sub, ctx) } : undefined;
    if (!source) continue;
    if (targetAlias && alias?.toLowerCase() === targetAlias) source.tg = true;
    if (alias) source.as = alias;
    select.f.push(source);
    collectRefs(node?.on, 'join', false, select.x, ctx);
  }
  for (const item of Array.isArray(ast.set) ? ast.set : []) {
    const set = asNode(item);
    const name = identName(set?.column);
    if (!set || !name) continue;
    const refs: IrRef[] = [];
    collectRefs(set.value, 'direct', false, refs, ctx, true);
    select.o.push({ n: name.split('.').pop() as string, r: refs } satisfies IrOutput);
  }
  collectRefs(ast.where, 'filter', false, select.x, ctx);
  return finish('update', target, { q: select, cols: select.o.map((o) => o.n) });
}

function deleteFacts(ast: AstNode, ctx: AstContext): StatementFacts {
  const target = firstRelation(ast.table) ?? firstRelation(ast.from);
  const select: IrSelect = { f: [], o: [], x: [] };
  for (const item of [...(Array.isArray(ast.from) ? ast.from : []), ...(Array.isArray(ast.using) ? ast.using : [])]) {
    const node = asNode(item);
    const rel = node ? relationOf(node) : undefined;
    if (!rel || !node) continue;
    const source: IrSource = { rel };
    const alias = identName(node.as);
    if (alias) source.as = alias;
    if (target && rel.name === target.name && rel.schema === target.schema) source.tg = true;
    select.f.push(source);
  }
  collectRefs(ast.where, 'filter', false, select.x, ctx);
  const q: IrQuery = select;
  return finish('delete', target, { q });
}

function aliasedFromItem(from: unknown, alias: string): RelationName | undefined {
  for (const item of Array.isArray(from) ? from : []) {
    const node = asNode(item);
    if (node && identName(node.as)?.toLowerCase() === alias.toLowerCase()) return relationOf(node);
  }
  return undefined;
}
