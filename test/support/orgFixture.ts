import type { Sql } from 'postgres';
import type { Claims } from './claims';

/**
 * A two-organization world for RLS tests and benchmarks, written as a superuser (the way the auth
 * service and an operator would): org A with one user per built-in role, an expired grant, a
 * removed member, bystanders and two service tokens; org B with its own owner.
 */

/** Fixed ids so failures name a recognisable row. */
export const ids = {
  orgA: '10000000-0000-4000-8000-00000000000a',
  orgB: '10000000-0000-4000-8000-00000000000b',
  teamParent: '20000000-0000-4000-8000-000000000001',
  teamChild: '20000000-0000-4000-8000-000000000002',
  customRole: '30000000-0000-4000-8000-000000000001',
  invitation: '40000000-0000-4000-8000-000000000001',
  llmKey: '50000000-0000-4000-8000-000000000001',
  tokenScoped: '60000000-0000-4000-8000-000000000001',
  tokenUnscoped: '60000000-0000-4000-8000-000000000002',
  tokenTarget: '60000000-0000-4000-8000-000000000003',
  connector: '70000000-0000-4000-8000-000000000001',
  connectorRun: '71000000-0000-4000-8000-000000000001',
  complianceEvent: '80000000-0000-4000-8000-000000000001',
  entity: '90000000-0000-4000-8000-000000000001',
  entityB: '90000000-0000-4000-8000-00000000000b',
  column: '91000000-0000-4000-8000-000000000001',
  edge: '92000000-0000-4000-8000-000000000001',
  doc: '93000000-0000-4000-8000-000000000001',
  tag: '94000000-0000-4000-8000-000000000001',
  classification: '95000000-0000-4000-8000-000000000001',
  bystanderGrant: '96000000-0000-4000-8000-000000000001',
  // Sync (issue 13): the editor's replica, a synced metadata row and a record of each kind on it.
  syncReplica: '97000000-0000-4000-8000-000000000001',
  syncRowId: 'model.fixture.synced',
  syncConflict: '97100000-0000-4000-8000-000000000001',
  syncLoser: '97200000-0000-4000-8000-000000000001',
  syncRejection: '97300000-0000-4000-8000-000000000001',
  // Doc versions (issue 16): a published version of the synced row's description.
  docVersion: '97400000-0000-4000-8000-000000000001',
} as const;

/** Users; each gets an auth.users row and a profile. */
export const users = {
  owner: 'f0000000-0000-4000-8000-000000000001',
  admin: 'f0000000-0000-4000-8000-000000000002',
  editor: 'f0000000-0000-4000-8000-000000000003',
  viewer: 'f0000000-0000-4000-8000-000000000004',
  expired: 'f0000000-0000-4000-8000-000000000005',
  removed: 'f0000000-0000-4000-8000-000000000006',
  outsider: 'f0000000-0000-4000-8000-000000000007',
  otherOwner: 'f0000000-0000-4000-8000-000000000008',
  bystander: 'f0000000-0000-4000-8000-000000000009',
  newcomer: 'f0000000-0000-4000-8000-00000000000a',
  joiner: 'f0000000-0000-4000-8000-00000000000b',
} as const;

/** Built-in role ids from the enterprise migration. */
export const builtinRoles = {
  viewer: '00000000-0000-4000-8000-000000000001',
  editor: '00000000-0000-4000-8000-000000000002',
  admin: '00000000-0000-4000-8000-000000000003',
  owner: '00000000-0000-4000-8000-000000000004',
} as const;

/** Every actor of the isolation matrix. */
export const actorNames = [
  'anon', 'outsider', 'viewer', 'editor', 'admin', 'owner', 'expired', 'removed', 'otherOwner', 'tokenScoped', 'tokenUnscoped',
] as const;
/** One actor of the isolation matrix. */
export type ActorName = (typeof actorNames)[number];

/** The claims each actor's requests carry. */
export function actorClaims(actor: ActorName): Claims {
  switch (actor) {
    case 'anon':
      return { role: 'anon' };
    case 'tokenScoped':
      return { role: 'authenticated', sub: ids.tokenScoped, token_id: ids.tokenScoped, aud: 'mallard-service' };
    case 'tokenUnscoped':
      return { role: 'authenticated', sub: ids.tokenUnscoped, token_id: ids.tokenUnscoped, aud: 'mallard-service' };
    default:
      return { role: 'authenticated', sub: users[actor], email: `${actor}@example.test` };
  }
}

/** Claims of any fixture user. */
export function userClaims(user: keyof typeof users): Claims {
  return { role: 'authenticated', sub: users[user], email: `${user}@example.test` };
}

/** Scopes of the scoped service token (a sync/extraction service account). */
export const scopedTokenScopes = ['catalog.read', 'catalog.write', 'lineage.read', 'lineage.write'];

/** Writes the fixture into a migrated database as a superuser. */
export async function seedOrgFixture(admin: Sql): Promise<void> {
  const r = builtinRoles;
  await admin.begin(async (tx) => {
    for (const [name, id] of Object.entries(users)) {
      await tx`insert into auth.users (id, email) values (${id}, ${name + '@example.test'})`;
      await tx`insert into public.profiles (id, display_name) values (${id}, ${name})`;
    }
    await tx`insert into public.organizations (id, name, display_name, max_users) values
      (${ids.orgA}, 'org-a', 'Org A', 50), (${ids.orgB}, 'org-b', 'Org B', 50)`;
    const membersA = ['owner', 'admin', 'editor', 'viewer', 'expired', 'removed', 'bystander', 'newcomer'] as const;
    for (const m of membersA) await tx`insert into public.organization_members (org_id, user_id) values (${ids.orgA}, ${users[m]})`;
    await tx`insert into public.organization_members (org_id, user_id) values (${ids.orgB}, ${users.otherOwner})`;
    const grant = (user: string, role: string, org: string = ids.orgA, expires: string | null = null) =>
      tx`insert into public.role_assignments (org_id, user_id, role_id, expires_at, granted_by) values (${org}, ${user}, ${role}, ${expires}, ${users.owner})`;
    await grant(users.owner, r.owner);
    await grant(users.admin, r.admin);
    await grant(users.editor, r.editor);
    await grant(users.viewer, r.viewer);
    await grant(users.expired, r.admin, ids.orgA, '2020-01-01T00:00:00Z');
    await grant(users.removed, r.admin);
    await tx`insert into public.role_assignments (id, org_id, user_id, role_id, granted_by) values (${ids.bystanderGrant}, ${ids.orgA}, ${users.bystander}, ${r.viewer}, ${users.owner})`;
    await grant(users.otherOwner, r.owner, ids.orgB);
    // Removing the member ends their grant too (the grant references the membership and cascades).
    await tx`delete from public.organization_members where org_id = ${ids.orgA} and user_id = ${users.removed}`;

    await tx`insert into public.teams (id, org_id, parent_id, name) values
      (${ids.teamParent}, ${ids.orgA}, null, 'platform'), (${ids.teamChild}, ${ids.orgA}, ${ids.teamParent}, 'analytics')`;
    await tx`insert into public.team_members (team_id, org_id, user_id) values (${ids.teamChild}, ${ids.orgA}, ${users.bystander})`;
    await tx`insert into public.roles (id, org_id, key, name, parent_role_id) values (${ids.customRole}, ${ids.orgA}, 'steward', 'Steward', ${r.viewer})`;
    await tx`insert into public.role_permissions (role_id, permission_key) values (${ids.customRole}, 'classification.manage'), (${ids.customRole}, 'docs.approve')`;
    await tx`insert into public.invitations (id, org_id, email, role_id, token_hash, invited_by)
      values (${ids.invitation}, ${ids.orgA}, 'invitee@example.test', ${r.viewer}, extensions.digest('inv-token', 'sha256'), ${users.admin})`;
    await tx`insert into public.org_llm_keys (id, org_id, provider, label, ciphertext, is_default, created_by)
      values (${ids.llmKey}, ${ids.orgA}, 'anthropic', 'prod', '\\xdeadbeef'::bytea, true, ${users.admin})`;
    const token = (id: string, name: string, scopes: string[]) =>
      tx`insert into public.api_tokens (id, org_id, name, token_hash, token_prefix, scopes, created_by)
         values (${id}, ${ids.orgA}, ${name}, extensions.digest(${'secret-' + name}, 'sha256'), 'mlpat_', ${scopes}, ${users.admin})`;
    await token(ids.tokenScoped, 'sync-bot', scopedTokenScopes);
    await token(ids.tokenUnscoped, 'flags-bot', ['flags.read']);
    await token(ids.tokenTarget, 'ci', ['catalog.read']);
    await tx`insert into public.connectors (id, org_id, type, name, config, secret_ciphertext, created_by)
      values (${ids.connector}, ${ids.orgA}, 'github', 'repo', '{"repo":"acme/dbt"}', '\\xc0ffee'::bytea, ${users.admin})`;
    await tx`insert into public.connector_runs (id, org_id, connector_id, trigger, status) values (${ids.connectorRun}, ${ids.orgA}, ${ids.connector}, 'manual', 'succeeded')`;
    await tx`insert into public.feature_flags (org_id, key, enabled) values (${ids.orgA}, 'ai.docs', true)`;
    await tx`insert into public.usage_logs (org_id, user_id, kind, tool, tokens_in) values (${ids.orgA}, ${users.bystander}, 'ai', 'docs.generate', 100)`;
    await tx`insert into public.compliance_events (id, org_id, rule, severity) values (${ids.complianceEvent}, ${ids.orgA}, 'pii-undocumented', 'high')`;

    await tx`insert into public.catalog_entities (id, user_id, org_id, entity_key, kind, name) values
      (${ids.entity}, ${users.editor}, ${ids.orgA}, 'model.shop.orders', 'model', 'orders'),
      (${ids.entityB}, ${users.otherOwner}, ${ids.orgB}, 'model.shop.orders', 'model', 'orders')`;
    await tx`insert into public.catalog_columns (id, user_id, entity_id, name, position) values (${ids.column}, ${users.editor}, ${ids.entity}, 'amount', 0)`;
    await tx`insert into public.lineage_edges (id, user_id, org_id, from_key, to_key, level, kind)
      values (${ids.edge}, ${users.editor}, ${ids.orgA}, 'model.shop.stg_orders', 'model.shop.orders', 'model', 'ref')`;
    await tx`insert into public.catalog_docs (id, user_id, entity_id, body) values (${ids.doc}, ${users.editor}, ${ids.entity}, 'Orders, one per row')`;
    await tx`insert into public.catalog_tags (id, user_id, entity_id, tag) values (${ids.tag}, ${users.editor}, ${ids.entity}, 'finance')`;
    await tx`insert into public.catalog_classifications (id, user_id, org_id, entity_id, classification) values (${ids.classification}, ${users.editor}, ${ids.orgA}, ${ids.entity}, 'pii.email')`;

    const replica = ids.syncReplica;
    await tx`insert into public.sync_replicas (replica_id, org_id, user_id, last_op) values (${replica}, ${ids.orgA}, ${users.editor}, 3)`;
    await tx`insert into public.sync_rows (org_id, kind, row_id, fields, provenance, vector, created_by)
      values (${ids.orgA}, 'entity', ${ids.syncRowId}, '{"owners":["ann"]}', ${tx.json({ owners: { [replica]: 1 } })}, ${tx.json({ [replica]: 1 })}, ${users.editor})`;
    await tx`insert into public.sync_conflicts (id, org_id, kind, row_id, field, server_value, incoming_value, replica_id, op_number, author_id)
      values (${ids.syncConflict}, ${ids.orgA}, 'entity', ${ids.syncRowId}, 'owners', '["ann"]', '["bob"]', ${replica}, 2, ${users.editor})`;
    await tx`insert into public.sync_losers (id, org_id, kind, row_id, field, value, reason, replica_id, op_number, author_id)
      values (${ids.syncLoser}, ${ids.orgA}, 'entity', ${ids.syncRowId}, 'description', '"old"', 'overwritten', ${replica}, 2, ${users.editor})`;
    await tx`insert into public.sync_rejections (id, org_id, kind, row_id, replica_id, op_number, code, message, author_id)
      values (${ids.syncRejection}, ${ids.orgA}, 'entity', ${ids.syncRowId}, ${replica}, 3, 'invalid-op', 'bad value', ${users.editor})`;
    await tx`insert into public.doc_versions (id, org_id, kind, row_id, version, status, body_after, author_id)
      values (${ids.docVersion}, ${ids.orgA}, 'entity', ${ids.syncRowId}, 1, 'published', 'Synced text', ${users.editor})`;
  });
}
