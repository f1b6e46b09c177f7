import type { Sql } from 'postgres';
import { literal } from './attackCatalog';
import type { Relation } from './attackCatalog';
import { people, world } from './attackWorld';

/**
 * Gives a table the attack world does not know (in public or private) a row in organization A and one in B,
 * built from the catalog: references point at the same organization's row of the referenced table,
 * org_id/team_id at the organization and its first team, required scalars get a plain value. So a
 * table added by a later migration is attacked without editing the world (attackWorld.ts) or the
 * test; if no valid row can be built generically, the suite fails and says which table.
 */

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

const plain: Record<string, string> = {
  text: `'x'`, boolean: 'false', integer: '1', bigint: '1', smallint: '1', real: '0', 'double precision': '0', jsonb: `'{}'::jsonb`,
  'timestamp with time zone': 'now()', uuid: 'gen_random_uuid()', bytea: `'\\x00'::bytea`, 'text[]': `'{}'::text[]`,
};

async function hasRow(sql: Sql, rel: Relation, org: string): Promise<boolean> {
  const column = rel.qualified === 'public.organizations' ? 'id' : 'org_id';
  const rows = await sql.unsafe(`select 1 from ${rel.qualified} where ${q(column)} = ${literal(org)} limit 1`);
  return rows.length > 0;
}

/** For columns a CHECK limits to a list (`col in ('a', 'b')`), the first allowed value. */
async function listedValues(sql: Sql, rel: Relation): Promise<Map<string, string>> {
  const defs = await sql<{ def: string }[]>`select pg_get_constraintdef(c.oid) as def from pg_constraint c
    where c.conrelid = ${rel.qualified}::regclass and c.contype = 'c'`;
  const out = new Map<string, string>();
  for (const { def } of defs) {
    const m = /\(\(?([a-z_]+) = ANY \(ARRAY\['((?:[^']|'')*)'/.exec(def);
    if (m?.[1] && m[2] !== undefined) out.set(m[1], literal(m[2].replaceAll("''", "'")));
  }
  return out;
}

/** An expression for each column of a new row of `rel` in `org`, or undefined when one is missing. */
async function rowValues(sql: Sql, rels: Relation[], rel: Relation, org: string): Promise<Map<string, string> | undefined> {
  const values = new Map<string, string>();
  const listed = await listedValues(sql, rel);
  for (const fk of rel.foreignKeys) {
    const refName = `${fk.refSchema}.${fk.refTable}`;
    let ref: Record<string, unknown> | undefined;
    if (refName === 'auth.users') ref = { id: org === world.orgA ? people.aOwner : people.bOwner };
    else if (refName === 'public.organizations') ref = { id: org };
    else {
      const target = rels.find((r) => r.qualified === refName);
      if (target?.columns.some((c) => c.name === 'org_id')) {
        const rows = await sql.unsafe(`select to_jsonb(t) as row from ${refName} t where org_id = ${literal(org)} limit 1`);
        ref = rows[0]?.row as Record<string, unknown> | undefined;
      }
    }
    if (!ref) continue;
    fk.columns.forEach((c, i) => {
      const v = ref[fk.refColumns[i] ?? ''];
      if (v !== null && v !== undefined && !values.has(c)) values.set(c, literal(String(v)));
    });
  }
  if (rel.columns.some((c) => c.name === 'org_id')) values.set('org_id', literal(org));
  for (const c of rel.columns) {
    if (values.has(c.name) || c.identity === 'a' || c.generated || !c.notNull || c.hasDefault) continue;
    const v = listed.get(c.name) ?? plain[c.type];
    if (!v) return undefined;
    values.set(c.name, `${v}::${c.type}`);
  }
  return values;
}

/** Adds a row in A and in B to every organization-scoped table of public and private that lacks one. */
export async function synthesizeMissingRows(probe: Sql, rels: Relation[]): Promise<string[]> {
  const added: string[] = [];
  const scoped = rels.filter((r) => (r.schema === 'public' || r.schema === 'private') && r.kind === 'r' && r.columns.some((c) => c.name === 'org_id'));
  // Several passes, so a new table referencing another new table finds its row.
  for (let pass = 0; pass < 4; pass += 1) {
    for (const rel of scoped) {
      for (const org of [world.orgA, world.orgB]) {
        if (await hasRow(probe, rel, org)) continue;
        const values = await rowValues(probe, rels, rel, org);
        if (!values) continue;
        const cols = [...values.keys()];
        // As postgres with the org owner's claims, so author defaults resolve.
        await probe.begin(async (tx) => {
          await tx`select set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: org === world.orgA ? people.aOwner : people.bOwner })}, true)`;
          await tx.unsafe(`insert into ${rel.qualified} (${cols.map(q).join(', ')}) values (${cols.map((c) => values.get(c)).join(', ')})`);
        }).then(() => added.push(`${rel.qualified} (${org === world.orgA ? 'A' : 'B'})`), () => undefined);
      }
    }
  }
  return added;
}
