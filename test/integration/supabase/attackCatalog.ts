import type { Sql } from 'postgres';

/**
 * What the generated attack suite knows about the schema, read from the migrated database's own
 * catalog (pg_catalog) rather than written down: every table and view of the schemas the
 * migrations own, their columns, primary keys, unique indexes and foreign keys, and every function.
 * A table, column, key or function added by a later migration is attacked without editing a test.
 */

/** The schemas whose relations and functions the suite attacks (platform schemas are Supabase's). */
export const attackedSchemas = ['public', 'private', 'mallard_audit'] as const;

/** One column. */
export interface Column {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** 'a' (generated always as identity), 'd' (by default) or ''. */
  identity: string;
  generated: boolean;
  /** Clients (authenticated) may name it in an INSERT. */
  clientInsert: boolean;
}

/** One foreign key. */
export interface ForeignKey {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

/** One table or view. */
export interface Relation {
  schema: string;
  name: string;
  /** 'r' table, 'v' view. */
  kind: string;
  qualified: string;
  columns: Column[];
  primaryKey: string[];
  /** Unique indexes by name (the name a 23505 error reports), with their plain columns. */
  uniques: Map<string, string[]>;
  foreignKeys: ForeignKey[];
  /** Columns some CHECK constraint reads (an arbitrary new value would only test the check). */
  checked: Set<string>;
}

/** One callable function (trigger functions are listed by functionGrants.test.ts, not called). */
export interface Routine {
  /** `schema.name(argtypes)`. */
  signature: string;
  /** `schema.name`. */
  name: string;
  argTypes: string[];
}

/** Reads every attacked relation. */
export async function readRelations(sql: Sql): Promise<Relation[]> {
  const rels = await sql<{ oid: number; schema: string; name: string; kind: string }[]>`
    select c.oid::int as oid, n.nspname::text as schema, c.relname::text as name, c.relkind::text as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any (${[...attackedSchemas]}) and c.relkind in ('r', 'v', 'p') order by 2, 3`;
  const out: Relation[] = [];
  for (const r of rels) {
    // A view's column carries the identity/generated flags of the base column it shows.
    const columns = await sql<Column[]>`
      select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
             a.atthasdef as "hasDefault", coalesce(b.attidentity, a.attidentity)::text as identity,
             coalesce(b.attgenerated, a.attgenerated) <> '' as generated,
             has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') as "clientInsert"
      from pg_attribute a
      left join information_schema.view_column_usage u
        on u.view_schema = ${r.schema} and u.view_name = ${r.name} and u.column_name = a.attname
      left join pg_attribute b on b.attrelid = to_regclass(quote_ident(u.table_schema) || '.' || quote_ident(u.table_name))
        and b.attname = a.attname
      where a.attrelid = ${r.oid} and a.attnum > 0 and not a.attisdropped order by a.attnum`;
    const indexes = await sql<{ name: string; primary: boolean; columns: string[] }[]>`
      select ic.relname::text as name, i.indisprimary as primary,
             coalesce(array_agg(a.attname::text order by k.n) filter (where a.attname is not null), '{}') as columns
      from pg_index i join pg_class ic on ic.oid = i.indexrelid
      cross join lateral unnest(i.indkey::int2[]) with ordinality k(attnum, n)
      left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = ${r.oid} and i.indisunique group by ic.relname, i.indisprimary order by 1`;
    const fks = await sql<ForeignKey[]>`
      select con.conname::text as name,
             array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as columns,
             rn.nspname::text as "refSchema", rc.relname::text as "refTable",
             array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o)
                   join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o) as "refColumns"
      from pg_constraint con join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
      where con.conrelid = ${r.oid} and con.contype = 'f' order by 1`;
    const checked = await sql<{ name: string }[]>`
      select distinct a.attname::text as name from pg_constraint con
      cross join lateral unnest(con.conkey) k(n) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n
      where con.conrelid = ${r.oid} and con.contype = 'c'`;
    const primary = indexes.find((i) => i.primary);
    out.push({
      schema: r.schema,
      name: r.name,
      kind: r.kind === 'p' ? 'r' : r.kind,
      qualified: `${r.schema}.${r.name}`,
      columns: [...columns],
      primaryKey: primary?.columns ?? [],
      uniques: new Map(indexes.map((i) => [i.name, i.columns])),
      foreignKeys: [...fks],
      checked: new Set(checked.map((c) => c.name)),
    });
  }
  return out;
}

/** Reads every callable function of the attacked schemas. */
export async function readRoutines(sql: Sql): Promise<Routine[]> {
  const rows = await sql<Routine[]>`
    select n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as signature,
           n.nspname || '.' || p.proname as name,
           array(select format_type(t, null) from unnest(p.proargtypes) t) as "argTypes"
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any (${[...attackedSchemas]}) and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
    order by 1`;
  return [...rows];
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
