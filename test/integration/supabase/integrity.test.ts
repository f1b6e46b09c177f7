import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';
import { builtin, scenario } from './scenario';

/**
 * Tenant integrity, attribution, one-way state, secrets only through RPCs, server-only usage and
 * quotas (issue 12), as the sequences an attacker would run, under both grant defaults.
 */

const service = { role: 'service_role' as const };

for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  describe(`supabase: integrity, attribution, state and quotas (${kind === 'migrated' ? 'strict grants' : 'Supabase automatic grants'})`, function () {
    this.timeout(120_000);
    let db: TestDatabase;

    before(async () => {
      db = await freshDatabase(kind);
    });
    after(async () => {
      await db?.drop();
    });

    it('the reported cross-tenant write: an owner of another org cannot write into A or re-point rows at A', async () => {
      const a = await scenario(db, 'victim');
      const x = await scenario(db, 'attacker');
      const [teamA] = await db.admin`insert into public.teams (org_id, name) values (${a.org}, 'a-team') returning id`;
      const [entityA] = await db.admin`insert into public.catalog_entities (org_id, team_id, user_id, entity_key, kind, name)
        values (${a.org}, ${teamA?.id}, ${a.owner}, 'model.a.orders', 'model', 'orders') returning id`;
      const [teamX] = await x.as(x.owner, (tx) => tx`insert into public.teams (org_id, name) values (${x.org}, 'x-team') returning id`);
      await x.refused(x.owner, '42501', (tx) => tx`insert into public.lineage_edges (org_id, team_id, from_key, to_key, level, kind)
        values (${a.org}, ${teamX?.id}, 'a', 'b', 'model', 'ref')`, 'edge in A with my team');
      await x.refused(x.owner, '23503', (tx) => tx`insert into public.lineage_edges (org_id, team_id, from_key, to_key, level, kind)
        values (${x.org}, ${teamA?.id}, 'a', 'b', 'model', 'ref')`, 'edge in my org with A\'s team');
      await x.refused(x.owner, '42501', (tx) => tx`insert into public.catalog_columns (entity_id, name) values (${entityA?.id}, 'stolen')`);
      await x.refused(x.owner, '23503', (tx) =>
        tx`insert into public.catalog_columns (org_id, entity_id, name) values (${x.org}, ${entityA?.id}, 'stolen')`);
      const [entityX] = await x.as(x.owner, (tx) => tx`insert into public.catalog_entities (org_id, entity_key, kind, name)
        values (${x.org}, 'model.x.a', 'model', 'a') returning id`);
      const [columnX] = await x.as(x.owner, (tx) => tx`insert into public.catalog_columns (entity_id, name) values (${entityX?.id}, 'c') returning id`);
      await x.refused(x.owner, '42501', (tx) => tx`update public.catalog_columns set entity_id = ${entityA?.id} where id = ${columnX?.id}`);
      await assert.rejects(withClaims(db.api, service, (tx) => tx`update public.catalog_columns set entity_id = ${entityA?.id} where id = ${columnX?.id}`),
        (err: unknown) => sqlState(err) === '42501' || sqlState(err) === '23503');
      // A's later team change cannot reach X's rows.
      await a.as(a.owner, (tx) => tx`update public.catalog_entities set team_id = null where id = ${entityA?.id}`);
      const [col] = await db.admin`select org_id, team_id from public.catalog_columns where id = ${columnX?.id}`;
      assert.deepEqual(col, { org_id: x.org, team_id: null });
    });

    it('attribution is set by the server from the caller: author, resolver, revoker, flag editor', async () => {
      const s = await scenario(db, 'attribution');
      const admin = await s.member('admin', builtin.admin);
      await s.refused(admin, '42501', (tx) => tx`insert into public.catalog_entities (org_id, user_id, entity_key, kind, name)
        values (${s.org}, ${s.owner}, 'model.x.y', 'model', 'y')`);
      const [entity] = await s.as(admin, (tx) => tx`insert into public.catalog_entities (org_id, entity_key, kind, name)
        values (${s.org}, 'model.x.y', 'model', 'y') returning user_id`);
      assert.equal(entity?.user_id, admin);
      const [event] = await db.admin`insert into public.compliance_events (org_id, rule, severity) values (${s.org}, 'r', 'low') returning id`;
      await s.refused(admin, '42501', (tx) => tx`update public.compliance_events set resolved_by = ${s.owner} where id = ${event?.id}`);
      const [closed] = await s.as(admin, (tx) => tx`update public.compliance_events set status = 'resolved', resolution = 'fixed'
        where id = ${event?.id} returning resolved_by, resolved_at is not null as stamped`);
      assert.deepEqual(closed, { resolved_by: admin, stamped: true });
      await s.refused(s.owner, '42501', (tx) => tx`update public.compliance_events set status = 'open' where id = ${event?.id}`, 'reopen');
      await assert.rejects(withClaims(db.api, service, (tx) => tx`update public.compliance_events set status = 'open' where id = ${event?.id}`), /stays closed/);
      await db.admin`insert into public.feature_flags (org_id, key) values (${s.org}, 'beta')`;
      const [flag] = await s.as(admin, (tx) => tx`update public.feature_flags set enabled = true where org_id = ${s.org} returning updated_by`);
      assert.equal(flag?.updated_by, admin);
    });

    it('revoke → un-revoke: revocation is stamped by the server and one-way for clients, the service role and postgres', async () => {
      const s = await scenario(db, 'revoke');
      const admin = await s.member('admin', builtin.admin);
      await s.as(admin, (tx) => tx`select public.create_api_token(${s.org}, 'ci', ${['catalog.read']})`);
      const [revoked] = await s.as(admin, (tx) => tx`update public.api_tokens set revoked_at = '2999-01-01' where org_id = ${s.org}
        returning revoked_by, revoked_at < now() + interval '1 minute' as server_time`);
      assert.deepEqual(revoked, { revoked_by: admin, server_time: true });
      await s.refused(admin, '42501', (tx) => tx`update public.api_tokens set revoked_at = null where org_id = ${s.org}`);
      await assert.rejects(withClaims(db.api, service, (tx) => tx`update public.api_tokens set revoked_at = null where org_id = ${s.org}`), /stays revoked/);
      await assert.rejects(db.owner`update public.api_tokens set revoked_at = null where org_id = ${s.org}`, /stays revoked/);
    });

    it('secrets and expiries come only from the RPCs: no direct insert, no later extension, no hash oracle', async () => {
      const s = await scenario(db, 'secrets');
      const admin = await s.member('admin', builtin.admin);
      await s.as(admin, (tx) => tx`select public.create_api_token(${s.org}, 'ci', ${['catalog.read']}, now() + interval '1 day')`);
      const [existing] = await db.admin`select token_hash from public.api_tokens where org_id = ${s.org}`;
      for (const hash of [existing?.token_hash as Buffer, Buffer.from('fresh')]) {
        // The same refusal whether or not the hash exists anywhere.
        await s.refused(admin, '42501', (tx) => tx`insert into public.api_tokens (org_id, name, token_hash, scopes, expires_at)
          values (${s.org}, 'forged', ${hash}, '{}', 'infinity')`);
      }
      await s.refused(admin, '42501', (tx) => tx`insert into public.invitations (org_id, email, role_id, token_hash, expires_at)
        values (${s.org}, 'x@world.test', ${builtin.viewer}, '\\x01'::bytea, 'infinity')`);
      await assert.rejects(withClaims(db.api, service, (tx) => tx`insert into public.invitations (org_id, email, role_id, token_hash)
        values (${s.org}, 'x@world.test', ${builtin.viewer}, '\\x01'::bytea)`), (err: unknown) => sqlState(err) === '42501');
      await s.refused(admin, '42501', (tx) => tx`update public.api_tokens set expires_at = 'infinity' where org_id = ${s.org}`);
      for (const change of ['expires_at = null', `token_hash = '\\x02'::bytea`, `scopes = '{org.delete}'`]) {
        await assert.rejects(withClaims(db.api, service, (tx) => tx.unsafe(`update public.api_tokens set ${change} where org_id = '${s.org}'`)),
          /is set by the server/, change);
      }
      await s.refused(admin, '22023', (tx) => tx`select public.create_api_token(${s.org}, 'old', ${['catalog.read']}, now() - interval '1 day')`);
    });

    it('usage rows are written by the server only, with validated amounts and a member as user', async () => {
      const s = await scenario(db, 'usage');
      const viewer = await s.member('viewer', builtin.viewer);
      const stranger = await s.user('stranger');
      await s.refused(viewer, '42501', (tx) => tx`insert into public.usage_logs (org_id, kind, tool, cost_usd) values (${s.org}, 'ai', 'x', -5)`);
      const server = (fn: Parameters<typeof withClaims>[2]) => withClaims(db.api, service, fn, { rollback: true });
      await assert.rejects(server((tx) => tx`insert into public.usage_logs (org_id, user_id, kind, tool, cost_usd) values (${s.org}, ${viewer}, 'ai', 'x', -5)`),
        (err: unknown) => sqlState(err) === '23514');
      await assert.rejects(server((tx) => tx`insert into public.usage_logs (org_id, user_id, kind, tool) values (${s.org}, ${stranger}, 'ai', 'x')`),
        (err: unknown) => sqlState(err) === '23503');
      const ok = await withClaims(db.api, service, (tx) =>
        tx`insert into public.usage_logs (org_id, user_id, kind, tool, cost_usd) values (${s.org}, ${viewer}, 'ai', 'x', 0.5) returning id`, { rollback: true });
      assert.equal(ok.length, 1);
    });

    it('quotas: organizations per user and per day, invitations pending per user', async () => {
      const s = await scenario(db, 'quota');
      const founder = await s.user('founder');
      await s.refused(founder, 'P0001', (tx) => tx`select public.create_organization('bulk-' || g, 'Bulk') from generate_series(1, 200) g`, '200 in one call');
      const [none] = await db.admin`select count(*)::int as n from public.organizations where created_by = ${founder}`;
      assert.equal(none?.n, 0, 'the refused call created nothing');
      for (let i = 1; i <= 5; i += 1) await s.as(founder, (tx) => tx`select public.create_organization(${`solo-${i}-${s.org.slice(0, 6)}`}, 'Solo')`);
      await s.refused(founder, 'P0001', (tx) => tx`select public.create_organization(${`solo-6-${s.org.slice(0, 6)}`}, 'Solo')`);
      await s.refused(s.owner, 'P0001', (tx) =>
        tx`select public.create_invitation(${s.org}, 'guest' || g || '@world.test', ${builtin.viewer}) from generate_series(1, 51) g`);
      await s.as(s.owner, (tx) => tx`select public.create_invitation(${s.org}, 'guest' || g || '@world.test', ${builtin.viewer}) from generate_series(1, 50) g`);
      await s.refused(s.owner, 'P0001', (tx) => tx`select public.create_invitation(${s.org}, 'one-more@world.test', ${builtin.viewer})`);
    });

    it('internal functions are not callable by clients (the single-user data move created organizations for anyone)', async () => {
      const s = await scenario(db, 'internal');
      const user = await s.user('curious');
      await assert.rejects(s.as(user, (tx) => tx`select private.migrate_single_user_data()`), /permission denied for function/);
      await assert.rejects(s.as(user, (tx) => tx`select mallard_audit.append(null, null, null, null, null, 'x', 'x', null, null, null, null)`),
        /permission denied/);
    });
  });
}
