import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';

/**
 * Every function of the schemas the migrations own, with exactly who may execute it (issue 12:
 * `private.migrate_single_user_data()` was executable by any signed-in user because functions are
 * executable by PUBLIC unless revoked), and every sequence (under Supabase's automatic grants,
 * anon could setval the audit sequence). Checked under both grant defaults. `owner` is the
 * function's owner; `audit` is the NOLOGIN role that owns schema mallard_audit.
 */

const policyHelper = ['owner', 'authenticated'];
const ownerOnly = ['owner'];
const verifier = ['owner', 'postgres', 'service_role'];
const server = ['owner', 'service_role'];

/** The reviewed EXECUTE grantees of every function (trigger functions included). */
const expectedGrantees: Record<string, string[]> = {
  'mallard_audit.append(uuid, uuid, uuid, text, text, text, text, text, jsonb, jsonb, bytea)': ownerOnly,
  // postgres attaches the audit trigger to tables later migrations create.
  'mallard_audit.record_change()': ['owner', 'postgres'],
  'mallard_audit.record_changes()': ['owner', 'postgres'],
  'mallard_audit.refuse_change()': ownerOnly,
  'mallard_audit.row_hash(bytea, bigint, uuid, uuid, uuid, uuid, text, text, text, text, text, jsonb, jsonb, bytea, timestamp with time zone)': verifier,
  'mallard_audit.same_image(jsonb, jsonb)': verifier,
  'mallard_audit.secrets_digest(jsonb, text[])': verifier,
  'mallard_audit.table_meta(regclass)': verifier,
  'mallard_audit.target_id(jsonb, text[])': verifier,
  'mallard_audit.verify(jsonb)': verifier,
  'mallard_audit.viewable_org_ids()': policyHelper,
  'private.acting_user_id()': ['audit', 'authenticated', 'owner', 'service_role'],
  'private.can_grant_role(uuid, uuid, uuid)': policyHelper,
  'private.can_manage_member(uuid, uuid)': policyHelper,
  'private.attach_audit(regclass)': ownerOnly,
  'private.catalog_child_consistent()': ownerOnly,
  'private.catalog_entity_team_moved()': ownerOnly,
  'private.catalog_fill_scope()': ownerOnly,
  'private.compliance_resolution()': ownerOnly,
  // The org-extract scheduler's selection, called by the functions' own login (the owner).
  'private.connector_due_runs(timestamp with time zone, uuid)': ownerOnly,
  'private.current_grants()': ownerOnly,
  'private.current_token_id()': ['audit', 'authenticated', 'owner', 'service_role'],
  'private.doc_approval()': ownerOnly,
  'private.end_membership()': ownerOnly,
  'private.grant_horizon(uuid, uuid, uuid)': policyHelper,
  'private.grant_horizon_for(uuid, uuid, uuid, uuid, uuid)': ownerOnly,
  'private.guard_builtin_roles()': ownerOnly,
  'private.guard_grant_member()': ownerOnly,
  'private.guard_last_owner()': ownerOnly,
  'private.guard_max_users()': ownerOnly,
  'private.guard_org_immutable()': ownerOnly,
  'private.guard_role_scope()': ownerOnly,
  'private.guard_team_cycle()': ownerOnly,
  'private.guard_usage_user()': ownerOnly,
  'private.has_permission(uuid, text, uuid)': policyHelper,
  'private.member_org_ids()': policyHelper,
  'private.migrate_single_user_data()': ownerOnly,
  'private.org_has_permanent_owner(uuid)': ownerOnly,
  'private.org_ids_with(text)': policyHelper,
  'private.principal_grant_expiries(uuid, uuid)': ownerOnly,
  'private.protect_columns()': ownerOnly,
  'private.quota(text)': ownerOnly,
  'private.resolve_api_token(text)': ['owner', 'service_role'],
  'private.role_permission_keys(uuid)': ownerOnly,
  'private.role_permissions_fill_org()': ownerOnly,
  'private.stamp_attribution()': ownerOnly,
  // Sync (issue 13): the edge functions call the replica helpers in the caller's transaction; the
  // org-catalog writer, GC, restore check and health are the server's; triggers are the owner's.
  'private.sync_check_restore(boolean)': server,
  'private.sync_delete_catalog_row(uuid, text, text)': server,
  'private.sync_delete_catalog_rows(uuid, jsonb)': server,
  'private.sync_entity_team(uuid, text, text)': ownerOnly,
  // Doc versions (issue 16): the function and sync-push call these under the caller's claims; each checks the caller itself.
  'private.doc_approval_on(uuid)': policyHelper,
  'private.doc_approval_required(uuid, uuid)': policyHelper,
  'private.doc_approval_targets(uuid, jsonb)': policyHelper,
  'private.doc_next_version(uuid, text, text)': ownerOnly,
  'private.doc_people(uuid, uuid[])': policyHelper,
  'private.doc_row_team(uuid, text, text)': policyHelper,
  'private.doc_submit_pending(uuid, jsonb)': policyHelper,
  'private.doc_version_for_update(uuid)': ownerOnly,
  'private.doc_version_review(uuid, boolean, text)': policyHelper,
  'private.doc_version_revert(uuid)': policyHelper,
  'private.doc_versions_record()': ownerOnly,
  'private.doc_write_description(uuid, text, text, text)': ownerOnly,
  'private.sync_entity_team_moved()': ownerOnly,
  'private.sync_gc()': server,
  'private.sync_guard()': ownerOnly,
  'private.sync_health()': server,
  'private.sync_open_replica(uuid, uuid, integer, boolean)': policyHelper,
  'private.sync_put_catalog_row(uuid, text, text, uuid, jsonb)': server,
  'private.sync_put_catalog_rows(uuid, uuid, jsonb)': server,
  'private.sync_record_request(uuid, text, boolean, integer, integer)': ownerOnly,
  'private.sync_replica_pulled(uuid, bigint, xid8, bigint, jsonb)': policyHelper,
  'private.sync_replica_pushed(uuid, bigint, bigint)': policyHelper,
  'private.sync_retired_replicas(uuid)': policyHelper,
  'private.sync_row_digest(text, text, jsonb)': server,
  'private.sync_scopes(uuid)': policyHelper,
  'private.sync_stamp()': ownerOnly,
  'private.sync_stream_bounds(uuid)': policyHelper,
  'private.team_ancestors(uuid)': ownerOnly,
  'private.team_scopes_with(text)': policyHelper,
  'private.token_revocation()': ownerOnly,
  'private.user_grant_expiries(uuid)': ownerOnly,
  'private.user_grants(uuid)': ownerOnly,
  'private.visible_user_ids()': policyHelper,
  'public.accept_invitation(text)': ['authenticated', 'owner'],
  // Admin function (issue 15): RPCs that check the caller themselves (security definer, claims-based).
  'public.admin_create_api_token(uuid, text, text[], timestamp with time zone)': ['authenticated', 'owner'],
  'public.admin_invite(uuid, text, uuid, uuid, timestamp with time zone)': ['authenticated', 'owner'],
  'public.admin_member_directory(uuid)': ['authenticated', 'owner'],
  'public.admin_my_grants(uuid)': ['authenticated', 'owner'],
  'public.admin_resend_invitation(uuid, uuid)': ['authenticated', 'owner'],
  'public.create_api_token(uuid, text, text[], timestamp with time zone)': ['authenticated', 'owner'],
  'public.create_invitation(uuid, text, uuid, uuid)': ['authenticated', 'owner'],
  'public.create_organization(text, text)': ['authenticated', 'owner'],
};

for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  describe(`supabase: function and sequence privileges (${kind === 'migrated' ? 'strict grants' : 'Supabase automatic grants'})`, function () {
    this.timeout(120_000);
    let db: TestDatabase;
    let auditRole: string;

    before(async () => {
      db = await freshDatabase(kind);
      [{ auditRole } = { auditRole: '' }] = await db.admin<{ auditRole: string }[]>`
        select nspowner::regrole::text as "auditRole" from pg_namespace where nspname = 'mallard_audit'`;
    });
    after(async () => {
      await db?.drop();
    });

    it('lists every function with exactly its reviewed EXECUTE grantees', async () => {
      const rows = await db.admin<{ sig: string; grantees: string[] }[]>`
        select n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as sig,
               array(select case when a.grantee = 0 then 'PUBLIC' when a.grantee = p.proowner then 'owner'
                                 when a.grantee = ${auditRole}::regrole then 'audit' else a.grantee::regrole::text end
                     from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                     where a.privilege_type = 'EXECUTE' order by 1) as grantees
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private', 'mallard_audit') order by 1`;
      const actual = Object.fromEntries(rows.map((r) => [r.sig, r.grantees]));
      const expected = Object.fromEntries(Object.entries(expectedGrantees).map(([k, v]) => [k, [...v].sort()]));
      assert.deepEqual(actual, expected);
      const exposed = rows.filter((r) => r.grantees.includes('PUBLIC') || r.grantees.includes('anon')).map((r) => r.sig);
      assert.deepEqual(exposed, [], 'nothing is executable by PUBLIC or anon');
    });

    it('every security definer function pins an empty search_path', async () => {
      const loose = await db.admin`
        select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private', 'mallard_audit') and p.prosecdef
          and not coalesce('search_path=""' = any (p.proconfig), false)`;
      assert.deepEqual([...loose], []);
    });

    it('no sequence is usable by anon, authenticated, service_role or PUBLIC, and setval is refused', async () => {
      const usable = await db.admin`
        select c.oid::regclass::text as seq, r.rolname
        from pg_class c cross join (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
        where c.relkind = 'S' and c.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema')
          and (has_sequence_privilege(r.rolname, c.oid, 'usage') or has_sequence_privilege(r.rolname, c.oid, 'update')
               or has_sequence_privilege(r.rolname, c.oid, 'select'))`;
      assert.deepEqual([...usable], []);
      for (const role of ['anon', 'authenticated', 'service_role'] as const) {
        for (const seq of ['mallard_audit.log_id_seq', 'public.usage_logs_id_seq']) {
          await assert.rejects(withClaims(db.api, { role }, (tx) => tx`select setval(${seq}::regclass, 9223372036854775000)`, { rollback: true }),
            (err: unknown) => sqlState(err) === '42501', `${role} setval ${seq}`);
        }
      }
      // The dashboard user owns usage_logs but not the audit log: it cannot move the audit sequence either.
      await assert.rejects(db.owner`select setval('mallard_audit.log_id_seq', 9223372036854775000)`, (err: unknown) => sqlState(err) === '42501');
    });

    it('the audit owner is a NOLOGIN role nobody administers; postgres cannot become, grant or alter it', async () => {
      const [role] = await db.admin`select rolcanlogin, rolsuper, rolcreaterole, rolbypassrls,
        (select count(*)::int from pg_auth_members m where m.roleid = r.oid) as members from pg_roles r where r.rolname = ${auditRole}`;
      assert.deepEqual(role, { rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolbypassrls: false, members: 0 });
      for (const statement of [`set role ${auditRole}`, `grant ${auditRole} to postgres`, `alter role ${auditRole} login`,
        `alter table mallard_audit.log disable trigger log_no_update`, 'alter table mallard_audit.log owner to postgres',
        'drop table mallard_audit.log', 'create or replace function mallard_audit.refuse_change() returns trigger language plpgsql as $$ begin return null; end $$']) {
        await assert.rejects(db.owner.unsafe(statement), (err: unknown) => sqlState(err) === '42501', statement);
      }
    });
  });
}
