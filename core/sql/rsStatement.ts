import type { ParsedStatement, RelationName, StatementKind } from '../pipeline/contracts';
import { relationFromParts } from './astNames';
import type { IrOutput, IrRef, IrSelect, IrSource, IrStatement } from './ir';
import { addUnique, collectReads } from './irReads';
import { arr, identValue, isQuery, nameParts, obj, relationParts, variant, type RsContext, type RsNode } from './rsAst';
import { collectRefs } from './rsExpr';
import { buildQuery, buildWith, valuesQuery } from './rsQuery';
import { addFrom } from './rsSources';
import { declaredType } from './declaredType';

/** A parsed statement without its line (the caller knows where it starts). */
export type StatementFacts = Omit<ParsedStatement, 'line'>;

/** Statements that hold other statements (scripts, procedures): analysed statement by statement. */
export const BLOCK_STATEMENTS = new Set(['StartTransaction', 'CreateProcedure', 'If', 'While', 'Case', 'Loop', 'Repeat', 'For']);

/** Converts one sqlparser-rs statement into facts and IR. */
export function statementToIr(ast: unknown, ctx: RsContext): StatementFacts {
  const [tag, p] = variant(ast) ?? [];
  const node = obj(p);
  if (!node) return other();
  switch (tag) {
    case 'Query':
      return queryFacts(node, ctx);
    case 'Insert':
      return insertFacts(node, ctx);
    case 'CreateTable':
      return createTableFacts(node, ctx);
    case 'CreateView':
      return finish('create_view', relationFromParts(relationParts(node.name)), withQuery(node.query, names(node.columns), ctx));
    case 'Update':
      return updateFacts(node, ctx);
    case 'Delete':
      return deleteFacts(node, ctx);
    case 'Merge':
      return mergeFacts(node, ctx);
    case 'Copy':
      return copyFacts(node, ctx);
    case 'CopyIntoSnowflake': {
      // `COPY INTO t FROM @stage|'s3://…'` loads t from files; `COPY INTO @stage FROM (query)` exports.
      if (isQuery(node.from_query)) return finish('select', undefined, withQuery(node.from_query, [], ctx));
      return node.kind === 'Table' ? finish('insert', relationFromParts(relationParts(node.into)), {}) : other();
    }
    case 'Directory':
      // `INSERT OVERWRITE DIRECTORY 'path' SELECT …` writes files: the query's reads, no relation written.
      return finish('select', undefined, withQuery(node.source, [], ctx));
    default:
      return other();
  }
}

function other(): StatementFacts {
  return { kind: 'other', reads: [], ir: {} satisfies IrStatement };
}

function finish(kind: StatementKind, target: RelationName | undefined, ir: IrStatement): StatementFacts {
  const facts: StatementFacts = { kind, reads: collectReads(ir.q), ir };
  if (target) facts.target = target;
  return facts;
}

function withQuery(query: unknown, cols: string[], ctx: RsContext): IrStatement {
  const ir: IrStatement = {};
  if (isQuery(query)) ir.q = buildQuery(query, ctx);
  if (cols.length > 0) ir.cols = cols;
  return ir;
}

/** Column names of a column list (`Ident`s, `ObjectName`s or `{ name }` definitions). */
function names(value: unknown): string[] {
  return arr(value)
    .map((c) => identValue(c) ?? identValue(obj(c)?.name) ?? nameParts(c).pop())
    .filter((n): n is string => n !== undefined);
}

/** A query; `WITH … INSERT|UPDATE|DELETE|MERGE` is the DML with the CTEs in front of its query. */
function queryFacts(query: RsNode, ctx: RsContext): StatementFacts {
  const body = variant(query.body);
  if (body && ['Insert', 'Update', 'Delete', 'Merge'].includes(body[0])) {
    const facts = statementToIr(body[1], ctx);
    const ir = facts.ir as IrStatement;
    const ctes = buildWith(query.with, ctx);
    if (ir.q && ctes.length > 0) {
      ir.q.w = [...ctes, ...(ir.q.w ?? [])];
      facts.reads = collectReads(ir.q);
    }
    return facts;
  }
  const q = buildQuery(query, ctx);
  // `SELECT … INTO t FROM …` (T-SQL, PostgreSQL) creates t.
  const into = relationParts(obj(firstSelectNode(query.body)?.into)?.name);
  const target = into.length > 0 ? relationFromParts(into) : undefined;
  return finish(target ? 'create_table' : 'select', target, { q });
}

function insertFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const table = variant(node.table);
  const target = table?.[0] === 'TableName' ? relationFromParts(relationParts(table[1])) : relationFromParts(relationParts(node.table_name ?? node.table));
  const ir: IrStatement = {};
  if (isQuery(node.source)) ir.q = buildQuery(node.source, ctx);
  const cols = names(node.columns);
  // MySQL `INSERT … SET a = x`: the assignments are the outputs.
  const assignments = arr(node.assignments);
  if (!ir.q && assignments.length > 0) {
    const select: IrSelect = { f: [], o: assignmentOutputs(assignments, ctx), x: [] };
    ir.q = select;
    ir.cols = select.o.map((o) => o.n);
  } else if (cols.length > 0) ir.cols = cols;
  return finish('insert', target, ir);
}

function createTableFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const target = relationFromParts(relationParts(node.name));
  const ir = withQuery(node.query, [], ctx);
  // `CREATE TABLE a CLONE b` copies every column of b: `SELECT * FROM b`.
  const clone = relationFromParts(relationParts(node.clone));
  if (!ir.q && clone) ir.q = { f: [{ rel: clone }], o: [{ n: '*', r: [], star: {} }], x: [] };
  const facts = finish('create_table', target, ir);
  const declared = arr(node.columns).flatMap((def) => {
    const d = obj(def);
    const name = identValue(d?.name);
    if (!d || !name) return [];
    const type = declaredType(ctx, d.name);
    return [type ? { name, type } : { name }];
  });
  if (declared.length > 0) facts.declaredColumns = declared;
  // `CREATE TABLE t LIKE s` copies s's columns.
  const like = obj(variant(node.like)?.[1]) ?? obj(node.like);
  const likeRel = relationFromParts(relationParts(like?.name ?? node.like));
  if (likeRel) addUnique(facts.reads, likeRel);
  return facts;
}

/** `SET a = x, t.b = y` → outputs `a ← x`, `b ← y`. */
function assignmentOutputs(assignments: unknown[], ctx: RsContext): IrOutput[] {
  const outputs: IrOutput[] = [];
  for (const item of assignments) {
    const a = obj(item);
    const [tag, target] = variant(a?.target) ?? [];
    const columns = tag === 'Tuple' ? arr(target).map((t) => nameParts(t).pop()) : [nameParts(target ?? a?.id).pop()];
    for (const name of columns) {
      if (!name) continue;
      const refs: IrRef[] = [];
      collectRefs(a?.value, 'direct', false, refs, ctx, true);
      outputs.push({ n: name, r: refs });
    }
  }
  return outputs;
}

/** UPDATE … SET c = expr FROM s WHERE …: a select over the target and FROM items whose outputs are the SET columns. */
function updateFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const select: IrSelect = { f: [], o: [], x: [] };
  addFrom(node.table, select, ctx);
  const targetSource = select.f[0];
  let target = targetSource?.rel;
  const from = variant(node.from);
  const fromSelect: IrSelect = { f: [], o: [], x: [] };
  for (const item of arr(from?.[1])) addFrom(item, fromSelect, ctx);
  // T-SQL `UPDATE alias SET … FROM real_table AS alias`: the target is the aliased FROM item.
  const aliased = target && !target.schema && !targetSource?.as ? fromSelect.f.find((s) => s.rel && s.as?.toLowerCase() === target?.name.toLowerCase()) : undefined;
  if (aliased?.rel) {
    target = aliased.rel;
    select.f.shift();
    aliased.tg = true;
  } else if (targetSource) targetSource.tg = true;
  select.f.push(...fromSelect.f);
  select.x.push(...fromSelect.x);
  select.o = assignmentOutputs(arr(node.assignments), ctx);
  collectRefs(node.selection, 'filter', false, select.x, ctx);
  return finish('update', target, { q: select, cols: select.o.map((o) => o.n) });
}

function deleteFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const select: IrSelect = { f: [], o: [], x: [] };
  for (const item of arr(variant(node.from)?.[1])) addFrom(item, select, ctx);
  for (const item of arr(node.using)) addFrom(item, select, ctx);
  const named = arr(node.tables).map((t) => relationFromParts(relationParts(t))).find((r) => r !== undefined);
  const target = named ?? select.f[0]?.rel;
  for (const source of select.f) {
    const rel = source.rel;
    if (!rel || !target) continue;
    const sameName = rel.name.toLowerCase() === target.name.toLowerCase() && (rel.schema ?? '').toLowerCase() === (target.schema ?? '').toLowerCase();
    // MySQL `DELETE t1 FROM t1 JOIN t2`: the named table may be an alias of a FROM item.
    if (sameName || (named && !named.schema && source.as?.toLowerCase() === named.name.toLowerCase())) source.tg = true;
  }
  collectRefs(node.selection, 'filter', false, select.x, ctx);
  return finish('delete', target, { q: select });
}

/** MERGE: a select over (target, source) joined ON …, whose outputs are the SET and INSERT columns. */
function mergeFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const select: IrSelect = { f: [], o: [], x: [] };
  addFrom({ relation: node.table, joins: [] }, select, ctx);
  const targetSource: IrSource | undefined = select.f[0];
  if (targetSource) targetSource.tg = true;
  addFrom({ relation: node.source, joins: [] }, select, ctx);
  collectRefs(node.on, 'join', false, select.x, ctx);
  for (const clause of arr(node.clauses)) {
    const c = obj(clause);
    collectRefs(c?.predicate, 'filter', false, select.x, ctx);
    const [action, payload] = variant(c?.action) ?? [];
    const a = obj(payload);
    if (action === 'Update') select.o.push(...assignmentOutputs(arr(a?.assignments), ctx));
    else if (action === 'Insert') {
      const cols = names(a?.columns);
      const values = variant(a?.kind);
      const row = values?.[0] === 'Values' ? valuesQuery(obj(values[1]), ctx) : undefined;
      cols.forEach((name, i) => {
        const output = row?.o[i];
        if (output) select.o.push({ n: name, r: output.r });
      });
    }
  }
  const ir: IrStatement = { q: select, cols: select.o.map((o) => o.n) };
  return finish('merge', targetSource?.rel, ir);
}

/** The first SELECT of a query body (the left branch of set operations), which holds `INTO`. */
function firstSelectNode(body: unknown): RsNode | undefined {
  for (let b = body, depth = 0; depth < 64; depth++) {
    const [tag, p] = variant(b) ?? [];
    if (tag === 'Select') return obj(p);
    if (tag === 'SetOperation') b = obj(p)?.left;
    else if (tag === 'Query') b = obj(p)?.body;
    else return undefined;
  }
  return undefined;
}

/** PostgreSQL/Redshift `COPY t FROM 'file'` loads t; `COPY t|(query) TO 'file'` exports what it reads. */
function copyFacts(node: RsNode, ctx: RsContext): StatementFacts {
  const [tag, source] = variant(node.source) ?? [];
  if (tag === 'Query') return finish('select', undefined, withQuery(source, [], ctx));
  const table = relationFromParts(relationParts(obj(source)?.table_name));
  if (!table) return other();
  if (node.to === true) return finish('select', undefined, { q: { f: [{ rel: table }], o: [{ n: '*', r: [], star: {} }], x: [] } });
  const ir: IrStatement = {};
  const cols = names(obj(source)?.columns);
  if (cols.length > 0) ir.cols = cols;
  return finish('insert', table, ir);
}
