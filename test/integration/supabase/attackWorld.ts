import type { Sql } from 'postgres';
import type { Claims } from '../../support/claims';

/**
 * The world the generated attack suite (attackMatrix.test.ts) and the lifecycle tests attack: two
 * organizations, A and B, each with a row in every table that has an organization, so every
 * foreign key has an "other organization" value to point at. Org A holds one actor per kind of
 * principal; ids are chosen so that the row the suite attacks in each table (A's "target") sorts
 * first by primary key. Written as a superuser, the way the auth service and an operator would.
 */

const u = (n: number) => `a0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Users; all but `ghost` get a profile, all have a confirmed e-mail `<name>@world.test`. */
export const people = {
  // A's target member: a viewer, in team A child (sorts first among A's members).
  bystander: u(1),
  // A member without grants, and a user who belongs nowhere (spares for inserts).
  newcomer: u(2),
  aOwner: u(3),
  aAdmin: u(4),
  aEditor: u(5),
  aViewer: u(6),
  aTeamEditor: u(7),
  aTimeAdmin: u(8),
  aExpired: u(9),
  aRemoved: u(10),
  aSuspended: u(11),
  outsider: u(12),
  bOwner: u(13),
  bMember: u(14),
  joiner: u(15),
  ghost: u(16),
} as const;

/** Fixed ids of the organizations and of the rows the suite needs by name. */
export const world = {
  orgA: '10000000-0000-4000-8000-00000000000a',
  orgB: '10000000-0000-4000-8000-00000000000b',
  teamAChild: '2a000000-0000-4000-8000-000000000001',
  teamAParent: '2a000000-0000-4000-8000-000000000002',
  teamB: '2b000000-0000-4000-8000-000000000001',
  roleA: '3c000000-0000-4000-8000-00000000000a',
  roleB: '3c000000-0000-4000-8000-00000000000b',
  grantBystander: '3a000000-0000-4000-8000-000000000001',
  invitationA: '4a000000-0000-4000-8000-000000000001',
  invitationB: '4b000000-0000-4000-8000-000000000001',
  keyA: '5a000000-0000-4000-8000-000000000001',
  keyB: '5b000000-0000-4000-8000-000000000001',
  tokenTarget: '6a000000-0000-4000-8000-000000000001',
  tokenScoped: '6a000000-0000-4000-8000-000000000002',
  tokenUnscoped: '6a000000-0000-4000-8000-000000000003',
  tokenB: '6b000000-0000-4000-8000-000000000001',
  connectorA: '7a000000-0000-4000-8000-000000000001',
  connectorB: '7b000000-0000-4000-8000-000000000001',
  runA: '7a100000-0000-4000-8000-000000000001',
  runB: '7b100000-0000-4000-8000-000000000001',
  complianceA: '8a000000-0000-4000-8000-000000000001',
  complianceB: '8b000000-0000-4000-8000-000000000001',
  entityA: '9a000000-0000-4000-8000-000000000001',
  entityB: '9b000000-0000-4000-8000-000000000001',
  columnA: '91a00000-0000-4000-8000-000000000001',
  columnB: '91b00000-0000-4000-8000-000000000001',
} as const;

/** Built-in role ids from the enterprise migration. */
export const roles = {
  viewer: '00000000-0000-4000-8000-000000000001',
  editor: '00000000-0000-4000-8000-000000000002',
  admin: '00000000-0000-4000-8000-000000000003',
  owner: '00000000-0000-4000-8000-000000000004',
} as const;

/** Every principal the suite attacks with. */
export const actors = [
  'anon', 'outsider', 'aViewer', 'aEditor', 'aAdmin', 'aOwner', 'aTeamEditor', 'aTimeAdmin', 'aExpired', 'aRemoved',
  'aSuspended', 'bOwner', 'tokenScoped', 'tokenUnscoped', 'service_role', 'postgres',
] as const;
/** One principal of the suite. */
export type Actor = (typeof actors)[number];

/** Scopes of A's scoped service token (a sync/extraction service account created by A's admin). */
export const scopedTokenScopes = ['catalog.read', 'catalog.write', 'lineage.read', 'lineage.write'];

/** The JWT claims of an actor; `postgres` (the dashboard user) connects without any. */
export function claimsOf(actor: Exclude<Actor, 'postgres'>): Claims {
  switch (actor) {
    case 'anon':
      return { role: 'anon' };
    case 'service_role':
      return { role: 'service_role' };
    case 'tokenScoped':
      return { role: 'authenticated', sub: world.tokenScoped, token_id: world.tokenScoped };
    case 'tokenUnscoped':
      return { role: 'authenticated', sub: world.tokenUnscoped, token_id: world.tokenUnscoped };
    default:
      return personClaims(actor);
  }
}

/** Claims of any person of the world (the e-mail claim is deliberately what the account holds). */
export function personClaims(person: keyof typeof people): Claims {
  return { role: 'authenticated', sub: people[person], email: `${person}@world.test` };
}

/** Writes the world into a migrated database as a superuser. */
export async function seedAttackWorld(admin: Sql): Promise<void> {
  const { orgA: A, orgB: B } = world;
  const p = people;
  await admin.begin(async (tx) => {
    for (const [name, id] of Object.entries(people)) {
      await tx`insert into auth.users (id, email, email_confirmed_at) values (${id}, ${name + '@world.test'}, now())`;
      if (name !== 'ghost') await tx`insert into public.profiles (id, display_name) values (${id}, ${name})`;
    }
    await tx`insert into public.organizations (id, name, display_name, max_users) values
      (${A}, 'org-a', 'Org A', 50), (${B}, 'org-b', 'Org B', 50)`;
    const membersA = ['bystander', 'newcomer', 'aOwner', 'aAdmin', 'aEditor', 'aViewer', 'aTeamEditor', 'aTimeAdmin', 'aExpired',
      'aRemoved', 'aSuspended'] as const;
    for (const m of membersA) await tx`insert into public.organization_members (org_id, user_id) values (${A}, ${p[m]})`;
    for (const m of ['bOwner', 'bMember'] as const) await tx`insert into public.organization_members (org_id, user_id) values (${B}, ${p[m]})`;

    await tx`insert into public.teams (id, org_id, parent_id, name) values (${world.teamAParent}, ${A}, null, 'platform')`;
    await tx`insert into public.teams (id, org_id, parent_id, name) values (${world.teamAChild}, ${A}, ${world.teamAParent}, 'analytics'),
      (${world.teamB}, ${B}, null, 'b-team')`;
    await tx`insert into public.team_members (team_id, org_id, user_id) values (${world.teamAChild}, ${A}, ${p.bystander}),
      (${world.teamB}, ${B}, ${p.bMember})`;

    // Every grant gets an id above A's target grant, so the target sorts first.
    let grantNumber = 16;
    const grant = (org: string, user: string, role: string, team: string | null = null, expires: string | null = null) => {
      grantNumber += 1;
      const id = `3a000000-0000-4000-8000-${grantNumber.toString(16).padStart(12, '0')}`;
      return tx`insert into public.role_assignments (id, org_id, user_id, role_id, team_id, expires_at, granted_by)
         values (${id}, ${org}, ${user}, ${role}, ${team}, ${expires}, ${org === A ? p.aOwner : p.bOwner})`;
    };
    await tx`insert into public.role_assignments (id, org_id, user_id, role_id, granted_by)
      values (${world.grantBystander}, ${A}, ${p.bystander}, ${roles.viewer}, ${p.aOwner})`;
    await grant(A, p.aOwner, roles.owner);
    await grant(A, p.aAdmin, roles.admin);
    await grant(A, p.aEditor, roles.editor);
    await grant(A, p.aViewer, roles.viewer);
    await grant(A, p.aTeamEditor, roles.editor, world.teamAParent);
    await grant(A, p.aTimeAdmin, roles.admin, null, new Date(Date.now() + 86_400_000).toISOString());
    await grant(A, p.aExpired, roles.admin, null, '2020-01-01T00:00:00Z');
    await grant(A, p.aRemoved, roles.admin);
    await grant(A, p.aSuspended, roles.admin);
    await grant(B, p.bOwner, roles.owner);
    // The shape of the reported attack: a team-scoped grant to oneself in one's own organization.
    await grant(B, p.bOwner, roles.editor, world.teamB);
    await grant(B, p.bMember, roles.viewer);
    // Leaving ends the grants (issue 12): these two come back with nothing.
    await tx`delete from public.organization_members where org_id = ${A} and user_id = ${p.aRemoved}`;
    await tx`update public.organization_members set status = 'suspended' where org_id = ${A} and user_id = ${p.aSuspended}`;

    for (const [id, org] of [[world.roleA, A], [world.roleB, B]] as const) {
      await tx`insert into public.roles (id, org_id, key, name, parent_role_id) values (${id}, ${org}, 'steward', 'Steward', ${roles.viewer})`;
      await tx`insert into public.role_permissions (role_id, permission_key) values (${id}, 'classification.manage'), (${id}, 'docs.approve')`;
    }
    await tx`insert into public.invitations (id, org_id, email, role_id, token_hash, invited_by) values
      (${world.invitationA}, ${A}, 'invitee-a@world.test', ${roles.viewer}, extensions.digest('inv-a', 'sha256'), ${p.aAdmin}),
      (${world.invitationB}, ${B}, 'invitee-b@world.test', ${roles.viewer}, extensions.digest('inv-b', 'sha256'), ${p.bOwner})`;
    await tx`insert into public.org_llm_keys (id, org_id, provider, label, ciphertext, created_by) values
      (${world.keyA}, ${A}, 'anthropic', 'prod', '\\xdeadbeef'::bytea, ${p.aAdmin}),
      (${world.keyB}, ${B}, 'openai', 'prod', '\\xbeefdead'::bytea, ${p.bOwner})`;
    const token = (id: string, org: string, name: string, scopes: string[], creator: string) =>
      tx`insert into public.api_tokens (id, org_id, name, token_hash, token_prefix, scopes, created_by)
         values (${id}, ${org}, ${name}, extensions.digest(${'secret-' + name}, 'sha256'), 'mlpat_', ${scopes}, ${creator})`;
    await token(world.tokenTarget, A, 'ci', ['catalog.read'], p.aAdmin);
    await token(world.tokenScoped, A, 'sync-bot', scopedTokenScopes, p.aAdmin);
    await token(world.tokenUnscoped, A, 'flags-bot', ['flags.read'], p.aAdmin);
    await token(world.tokenB, B, 'b-bot', ['catalog.read'], p.bOwner);
    await tx`insert into public.connectors (id, org_id, team_id, type, name, config, secret_ciphertext, created_by) values
      (${world.connectorA}, ${A}, ${world.teamAChild}, 'github', 'repo', '{"repo":"a/dbt"}', '\\xc0ffee'::bytea, ${p.aAdmin}),
      (${world.connectorB}, ${B}, ${world.teamB}, 'github', 'repo', '{"repo":"b/dbt"}', '\\xc0ffee'::bytea, ${p.bOwner})`;
    // Org extraction (issue 15): a run of each connector with staged files and rows, and the rows it owns.
    await tx`insert into public.connector_runs (id, org_id, connector_id, team_id, trigger, status) values
      (${world.runA}, ${A}, ${world.connectorA}, ${world.teamAChild}, 'manual', 'running'),
      (${world.runB}, ${B}, ${world.connectorB}, ${world.teamB}, 'manual', 'running')`;
    await tx`insert into private.connector_run_files (org_id, run_id, path, content) values
      (${A}, ${world.runA}, 'models/a.sql', 'select 1'), (${B}, ${world.runB}, 'models/b.sql', 'select 2')`;
    await tx`insert into private.connector_run_rows (org_id, run_id, ord, kind, row_id, payload) values
      (${A}, ${world.runA}, 0, 'catalogEntity', 'model.a.a', '{}'), (${B}, ${world.runB}, 0, 'catalogEntity', 'model.b.b', '{}')`;
    await tx`insert into private.connector_catalog_rows (org_id, connector_id, kind, row_id) values
      (${A}, ${world.connectorA}, 'catalogEntity', 'model.a.a'), (${B}, ${world.connectorB}, 'catalogEntity', 'model.b.b')`;
    // Doc versions (issue 16): a published version of a description in each organization.
    await tx`insert into public.doc_versions (org_id, team_id, kind, row_id, version, status, body_after, author_id) values
      (${A}, ${world.teamAChild}, 'entity', 'model.a.a', 1, 'published', 'A text', ${p.aAdmin}),
      (${B}, ${world.teamB}, 'entity', 'model.b.b', 1, 'published', 'B text', ${p.bOwner})`;
    await tx`insert into public.feature_flags (org_id, key, enabled) values (${A}, 'ai.docs', true), (${B}, 'ai.docs', true)`;
    await tx`insert into public.usage_logs (org_id, user_id, kind, tool, tokens_in) values (${A}, ${p.bystander}, 'ai', 'docs.generate', 100)`;
    await tx`insert into public.usage_logs (org_id, user_id, kind, tool, tokens_in) values (${B}, ${p.bMember}, 'ai', 'docs.generate', 100)`;
    await tx`insert into public.compliance_events (id, org_id, rule, severity) values
      (${world.complianceA}, ${A}, 'pii-undocumented', 'high'), (${world.complianceB}, ${B}, 'pii-undocumented', 'high')`;

    for (const [side, org, team, author] of [['a', A, world.teamAChild, p.aEditor], ['b', B, world.teamB, p.bOwner]] as const) {
      const entity = side === 'a' ? world.entityA : world.entityB;
      const column = side === 'a' ? world.columnA : world.columnB;
      const id = (prefix: string) => `${prefix}${side}00000-0000-4000-8000-000000000001`;
      await tx`insert into public.catalog_entities (id, user_id, org_id, team_id, entity_key, kind, name)
        values (${entity}, ${author}, ${org}, ${team}, 'model.shop.orders', 'model', 'orders')`;
      await tx`insert into public.catalog_columns (id, user_id, entity_id, name, position) values (${column}, ${author}, ${entity}, 'amount', 0)`;
      await tx`insert into public.lineage_edges (id, user_id, org_id, team_id, from_key, to_key, level, kind)
        values (${id('92')}, ${author}, ${org}, ${team}, 'model.shop.stg_orders', 'model.shop.orders', 'model', 'ref')`;
      await tx`insert into public.catalog_docs (id, user_id, entity_id, body) values (${id('93')}, ${author}, ${entity}, 'Orders, one per row')`;
      await tx`insert into public.catalog_tags (id, user_id, entity_id, tag) values (${id('94')}, ${author}, ${entity}, 'finance')`;
      await tx`insert into public.catalog_classifications (id, user_id, org_id, entity_id, column_id, classification)
        values (${id('95')}, ${author}, ${org}, ${entity}, ${column}, 'pii.email')`;
    }
  });
}
