import { randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { literal } from './attackCatalog';
import type { Relation, Routine } from './attackCatalog';
import { people, world } from './attackWorld';

/**
 * Turns the catalog into attempts: for every relation, one target row of organization A and, for
 * every operation, the statements an attacker composes — select the row (key columns, then every
 * column), update every column (to itself: does the caller hold the privilege and pass the policy?),
 * rewrite every foreign key, org_id and team_id to organization B's values (whole key and each of
 * its columns), insert a copy of the row (the columns a client may send, then each other column
 * added, then each foreign key pointed at B), and delete the row; plus a call of every function.
 */

/** One generated attempt. */
export interface Attempt {
  /** `schema.table`, or the function signature for calls. */
  target: string;
  /** e.g. `select:row`, `update:self:name`, `update:fk:catalog_columns_entity_fk`, `insert:base`, `insert:+user_id`, `delete`, `call`. */
  variant: string;
  sql: string;
}

/** Rows the target of a table without org_id is picked by (A's share of global data). */
const targetFilters: Record<string, string> = {
  'public.profiles': `id = ${literal(people.bystander)}`,
};

/**
 * Values that keep an inserted copy of a composite-key row unique (the generic rules below handle
 * uuid ids and text or bytea keys): another member, a user without membership or profile, another
 * permission.
 */
const insertOverrides: Record<string, Record<string, string>> = {
  'public.organization_members': { user_id: people.joiner },
  'public.team_members': { user_id: people.newcomer },
  'public.role_assignments': { user_id: people.newcomer },
  'public.profiles': { id: people.ghost },
  'public.role_permissions': { permission_key: 'scan.run' },
};

type Row = Record<string, unknown>;

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const populate = (rel: Relation, row: Row) => `jsonb_populate_record(null::${rel.qualified}, ${literal(JSON.stringify(row))}::jsonb)`;

function keyOf(rel: Relation): string[] {
  if (rel.primaryKey.length > 0) return rel.primaryKey;
  return rel.columns.some((c) => c.name === 'id') ? ['id'] : rel.columns.map((c) => c.name);
}

function whereKey(rel: Relation, row: Row): string {
  const key = keyOf(rel);
  const keyRow = Object.fromEntries(key.map((k) => [k, row[k]]));
  return `(${key.map(q).join(', ')}) = (select ${key.map(q).join(', ')} from ${populate(rel, keyRow)})`;
}

async function firstRow(sql: Sql, rel: Relation, filter: string | undefined): Promise<Row | undefined> {
  const order = keyOf(rel).map(q).join(', ');
  const rows = await sql.unsafe(`select to_jsonb(t) as row from ${rel.qualified} t ${filter ? `where ${filter}` : ''} order by ${order} limit 1`);
  return rows[0]?.row as Row | undefined;
}

function orgFilter(rel: Relation, org: string): string | undefined {
  if (rel.qualified === 'public.organizations') return `id = ${literal(org)}`;
  if (rel.columns.some((c) => c.name === 'org_id')) return `org_id = ${literal(org)}`;
  return undefined;
}

/** The values a foreign key would take to point at organization B's row of the referenced table. */
async function otherOrgValues(sql: Sql, rels: Relation[], refQualified: string, refColumns: string[]): Promise<Row | undefined> {
  if (refQualified === 'auth.users') return { id: people.bOwner };
  const ref = rels.find((r) => r.qualified === refQualified);
  if (!ref) return undefined;
  const filter = orgFilter(ref, world.orgB);
  if (!filter) return undefined;
  const row = await firstRow(sql, ref, filter);
  return row && Object.fromEntries(refColumns.map((c) => [c, row[c]]));
}

/** Every way of pointing the row at organization B: per foreign key (whole and per column), plus org_id/team_id. */
async function rewrites(sql: Sql, rels: Relation[], rel: Relation): Promise<{ name: string; values: Row }[]> {
  const out: { name: string; values: Row }[] = [];
  const covered = new Set<string>();
  for (const fk of rel.foreignKeys) {
    const ref = await otherOrgValues(sql, rels, `${fk.refSchema}.${fk.refTable}`, fk.refColumns);
    if (!ref) continue;
    const values = Object.fromEntries(fk.columns.map((c, i) => [c, ref[fk.refColumns[i] ?? '']]));
    out.push({ name: `fk:${fk.name}`, values });
    if (fk.columns.length > 1) for (const c of fk.columns) out.push({ name: `fk:${fk.name}:${c}`, values: { [c]: values[c] } });
    fk.columns.forEach((c) => covered.add(c));
  }
  for (const [column, value] of [['org_id', world.orgB], ['team_id', world.teamB]] as const) {
    if (!covered.has(column) && rel.columns.some((c) => c.name === column)) out.push({ name: `set:${column}=B`, values: { [column]: value } });
  }
  return out;
}

/** A different value for a column, computed from the current one (undefined: no generic way). */
function changedValue(type: string, column: string): string | undefined {
  const c = q(column);
  if (type === 'uuid') return 'gen_random_uuid()';
  if (type === 'text') return `coalesce(${c} || '_x', 'x')`;
  if (type === 'boolean') return `not coalesce(${c}, false)`;
  if (['integer', 'bigint', 'smallint', 'real', 'double precision'].includes(type) || type.startsWith('numeric')) return `coalesce(${c}, 0) + 1`;
  if (type === 'timestamp with time zone') return `coalesce(${c}, now()) + interval '1 day'`;
  if (type === 'jsonb') return `coalesce(${c}, '{}'::jsonb) || '{"x": 1}'::jsonb`;
  if (type === 'text[]') return `array_append(coalesce(${c}, '{}'), 'x')`;
  if (type === 'bytea') return `'\\x00'::bytea || coalesce(${c}, ''::bytea)`;
  return undefined;
}

function mutate(rel: Relation, row: Row, columns: string[], fixed: Set<string>): string | undefined {
  const fkColumns = new Set(rel.foreignKeys.flatMap((f) => f.columns));
  const candidates = rel.columns.filter((c) => columns.includes(c.name) && !fixed.has(c.name));
  const pick = candidates.find((c) => c.type === 'uuid' && !fkColumns.has(c.name))
    ?? candidates.find((c) => c.type === 'text' && !fkColumns.has(c.name))
    ?? candidates.find((c) => c.type === 'bytea');
  if (!pick) return undefined;
  if (pick.type === 'uuid') row[pick.name] = randomUUID();
  else if (pick.type === 'text') row[pick.name] = `${String(row[pick.name])}_x`;
  else row[pick.name] = `\\x${randomBytes(8).toString('hex')}`;
  return pick.name;
}

/**
 * Inserts `row` restricted to `columns` as `postgres` carrying A's owner's claims, so column defaults
 * such as the author resolve (rolled back); on a unique violation it changes one column of the
 * violated key that the variant did not set on purpose, and retries.
 */
async function uniqueInsert(probe: Sql, rel: Relation, row: Row, columns: string[], fixed: Set<string>): Promise<string> {
  const cols = [...columns];
  const build = () => `insert into ${rel.qualified} (${cols.map(q).join(', ')}) select ${cols.map(q).join(', ')} from ${populate(rel, row)} returning 1`;
  if (rel.kind !== 'r') return build();
  const conn = await probe.reserve();
  try {
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await conn.unsafe('begin');
      await conn.unsafe(`select set_config('request.jwt.claims', ${literal(JSON.stringify({ role: 'authenticated', sub: people.aOwner }))}, true)`);
      try {
        await conn.unsafe(build());
        return build();
      } catch (err) {
        const e = err as { code?: string; constraint_name?: string };
        if (e.code !== '23505' || !e.constraint_name) return build();
        const key = rel.uniques.get(e.constraint_name) ?? [];
        const changed = mutate(rel, row, key, fixed);
        if (!changed) return build();
        if (!cols.includes(changed)) cols.push(changed);
      } finally {
        await conn.unsafe('rollback');
      }
    }
    return build();
  } finally {
    conn.release();
  }
}

/** Every attempt on one relation. */
async function relationAttempts(admin: Sql, probe: Sql, rels: Relation[], rel: Relation): Promise<Attempt[]> {
  const target = await firstRow(admin, rel, targetFilters[rel.qualified] ?? orgFilter(rel, world.orgA));
  if (!target) throw new Error(`the attack world has no row of organization A in ${rel.qualified}`);
  const out: Attempt[] = [];
  const add = (variant: string, sql: string) => out.push({ target: rel.qualified, variant, sql });
  const where = whereKey(rel, target);
  const writable = rel.columns.filter((c) => c.identity !== 'a' && !c.generated);
  const changes = await rewrites(admin, rels, rel);

  add('select:row', `select ${keyOf(rel).map(q).join(', ')} from ${rel.qualified} where ${where}`);
  add('select:*', `select * from ${rel.qualified} where ${where}`);
  for (const c of writable) add(`update:self:${c.name}`, `update ${rel.qualified} set ${q(c.name)} = ${q(c.name)} where ${where} returning 1`);
  // A real change of every column that is neither a key nor a reference (those have their own
  // variants) nor read by a CHECK (a generic new value would only test the check).
  const skip = new Set([...rel.primaryKey, ...rel.foreignKeys.flatMap((f) => f.columns), ...rel.checked]);
  for (const c of writable.filter((w) => !skip.has(w.name))) {
    const value = changedValue(c.type, c.name);
    if (value) add(`update:value:${c.name}`, `update ${rel.qualified} set ${q(c.name)} = ${value} where ${where} returning 1`);
  }
  for (const change of changes) {
    const cols = Object.keys(change.values);
    add(`update:${change.name}`, `update ${rel.qualified} set (${cols.map(q).join(', ')}) = (select ${cols.map(q).join(', ')} from ${populate(rel, { ...target, ...change.values })}) where ${where} returning 1`);
  }
  add('delete', `delete from ${rel.qualified} where ${where} returning 1`);

  const template: Row = { ...target, ...(insertOverrides[rel.qualified] ?? {}) };
  const fixed = new Set(Object.keys(insertOverrides[rel.qualified] ?? {}));
  const base = rel.kind === 'v'
    ? writable.filter((c) => c.name !== 'id').map((c) => c.name)
    : writable.filter((c) => c.clientInsert || (c.notNull && !c.hasDefault) || fixed.has(c.name)).map((c) => c.name);
  add('insert:base', await uniqueInsert(probe, rel, { ...template }, base, fixed));
  for (const c of writable.filter((w) => !base.includes(w.name))) {
    // The variant is about naming the column at all; its value may change to stay unique.
    add(`insert:+${c.name}`, await uniqueInsert(probe, rel, { ...template }, [...base, c.name], fixed));
  }
  for (const change of changes) {
    const cols = [...new Set([...base, ...Object.keys(change.values)])];
    add(`insert:${change.name}`, await uniqueInsert(probe, rel, { ...template, ...change.values }, cols,
      new Set([...fixed, ...Object.keys(change.values)])));
  }
  return out;
}

/** A call of every function with null arguments: what matters is whether the caller may execute it. */
function callAttempts(routines: Routine[]): Attempt[] {
  return routines.map((r) => ({
    target: r.signature,
    variant: 'call',
    sql: `select ${r.name}(${r.argTypes.map((t) => `null::${t}`).join(', ')})`,
  }));
}

/**
 * Every attempt of the suite, in a stable order. `admin` (a superuser) reads the world; `probe`
 * (`postgres`) checks that generated inserts are unique.
 */
export async function planAttempts(admin: Sql, probe: Sql, rels: Relation[], routines: Routine[]): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for (const rel of rels) out.push(...(await relationAttempts(admin, probe, rels, rel)));
  return [...out, ...callAttempts(routines)];
}
