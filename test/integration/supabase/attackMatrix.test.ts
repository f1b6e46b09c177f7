import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { readRelations, readRoutines } from './attackCatalog';
import type { Relation, Routine } from './attackCatalog';
import { allowances, isAllowed } from './attackExpectations';
import { planAttempts } from './attackPlan';
import type { Attempt } from './attackPlan';
import { installRunner, runAs } from './attackRunner';
import { synthesizeMissingRows } from './attackSynth';
import type { Outcome } from './attackRunner';
import { actors, seedAttackWorld } from './attackWorld';
import type { Actor } from './attackWorld';

/**
 * The generated attack suite (issue 12): actor × relation × operation, built from the migrated
 * database's own catalog (attackCatalog.ts, attackPlan.ts), run under both of Supabase's grant
 * defaults. Every success must match a reviewed allowance (attackExpectations.ts); every other
 * attempt must be refused — by a privilege/RLS/guard error or, for reads, updates and deletes,
 * by touching nothing. Prints the counts.
 */

/** SQLSTATEs that are refusals: privilege/RLS (42501), tenant integrity (23503), guards (P0001), checks. */
const refusals = new Set(['42501', '23503', 'P0001', '23514', '23502', '23505']);
const notExecutable = /permission denied for (function|schema)/;

type Verdict = { kind: 'allowed' } | { kind: 'denied'; how: string } | { kind: 'unexpected'; how: string };

function judge(attempt: Attempt, actor: Actor, outcome: Outcome): Verdict {
  if (attempt.variant === 'call') {
    if (outcome.code === '42501' && notExecutable.test(outcome.message ?? '')) return { kind: 'denied', how: '42501' };
    return { kind: 'allowed' };
  }
  if (outcome.code === null) {
    if ((outcome.rows ?? 0) > 0) return { kind: 'allowed' };
    // A filtered read/update/delete touches nothing; anon and inserts must be refused outright.
    if (actor === 'anon' || attempt.variant.startsWith('insert')) return { kind: 'unexpected', how: 'zero rows instead of an error' };
    return { kind: 'denied', how: 'zero rows' };
  }
  if (actor === 'anon' && outcome.code !== '42501') return { kind: 'unexpected', how: `${outcome.code}: ${outcome.message}` };
  if (refusals.has(outcome.code)) return { kind: 'denied', how: outcome.code };
  return { kind: 'unexpected', how: `${outcome.code}: ${outcome.message}` };
}

for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  const mode = kind === 'migrated' ? 'strict grants' : 'Supabase automatic grants';
  describe(`supabase: generated attack suite (${mode})`, function () {
    this.timeout(300_000);
    let db: TestDatabase;
    let relations: Relation[];
    let routines: Routine[];
    let attempts: Attempt[];

    before(async () => {
      db = await freshDatabase(kind);
      await seedAttackWorld(db.admin);
      relations = await readRelations(db.admin);
      // A table the world does not know (a later migration's) gets rows in A and B built from the catalog.
      await synthesizeMissingRows(db.owner, relations);
      routines = await readRoutines(db.admin);
      attempts = await planAttempts(db.admin, db.owner, relations, routines);
      await installRunner(db.admin);
    });
    after(async () => {
      await db?.drop();
    });

    it('attacks every table, view, column, foreign key and function of the migrated schemas', async () => {
      const tables = await db.admin<{ name: string }[]>`
        select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'private', 'mallard_audit') and c.relkind in ('r', 'v', 'p') order by 1`;
      const missing: string[] = [];
      for (const { name } of tables) {
        const rel = relations.find((r) => r.qualified === name);
        const variants = new Set(attempts.filter((a) => a.target === name).map((a) => a.variant));
        for (const v of ['select:row', 'select:*', 'insert:base', 'delete']) if (!variants.has(v)) missing.push(`${name} ${v}`);
        for (const c of rel?.columns ?? []) {
          if (c.identity !== 'a' && !c.generated && !variants.has(`update:self:${c.name}`)) missing.push(`${name} update:self:${c.name}`);
        }
        for (const fk of rel?.foreignKeys ?? []) {
          // A key into a table without organizations (auth.users aside) has no "other organization" value.
          if (fk.refTable === 'permissions') continue;
          if (!variants.has(`update:fk:${fk.name}`) || !variants.has(`insert:fk:${fk.name}`)) missing.push(`${name} fk ${fk.name}`);
        }
        if (rel?.columns.some((c) => c.name === 'org_id') && ![...variants].some((v) => /^update:(fk:.*|set:org_id=B)/.test(v))) missing.push(`${name} org_id`);
      }
      const calls = new Set(attempts.filter((a) => a.variant === 'call').map((a) => a.target));
      for (const r of routines) if (!calls.has(r.signature)) missing.push(`${r.signature} call`);
      assert.ok(tables.length >= 24, 'the catalog lists the migrated tables');
      assert.deepEqual(missing, []);
    });

    it('every success is a reviewed expectation and every other attempt is refused (counts below)', async () => {
      const mismatches: string[] = [];
      const denials = new Map<string, number>();
      let allowed = 0;
      for (const actor of actors) {
        const outcomes = await runAs(db, actor, attempts.map((a) => a.sql));
        outcomes.forEach((outcome, i) => {
          const attempt = attempts[i]!;
          const verdict = judge(attempt, actor, outcome);
          const expected = isAllowed(attempt.target, attempt.variant, actor);
          const label = `${attempt.target} ${attempt.variant} by ${actor}`;
          if (verdict.kind === 'unexpected') mismatches.push(`${label}: unexpected ${verdict.how}`);
          else if (verdict.kind === 'allowed' && !expected) mismatches.push(`${label}: ALLOWED but not a reviewed expectation`);
          else if (verdict.kind === 'denied' && expected) mismatches.push(`${label}: expected allowed, refused (${verdict.how}; ${outcome.message ?? ''})`);
          else if (verdict.kind === 'allowed') allowed += 1;
          else denials.set(verdict.how, (denials.get(verdict.how) ?? 0) + 1);
        });
      }
      const total = attempts.length * actors.length;
      const denied = [...denials.values()].reduce((s, n) => s + n, 0);
      const breakdown = [...denials.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
      console.log(`      ${mode}: ${total} attempts (${attempts.length} per actor × ${actors.length} actors): ` +
        `${denied} denied [${breakdown}], ${allowed} allowed as intended, ${mismatches.length} mismatches`);
      assert.deepEqual(mismatches.slice(0, 400), [], `${mismatches.length} mismatches`);
    });

    it('every reviewed allowance matches some attempt (no stale expectations)', () => {
      const stale = allowances.filter((a) => !attempts.some((attempt) =>
        a.targets.includes(attempt.target) && a.variants.test(attempt.variant))).map((a) => a.why);
      assert.deepEqual(stale, []);
    });
  });
}
