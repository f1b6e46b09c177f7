import type { TransactionSql } from 'postgres';
import { builtinRoles, ids, users } from '../../support/orgFixture';
import type { ActorName } from '../../support/orgFixture';
import { syncCases } from './matrixSyncSpec';

/**
 * The isolation matrix specification: for every table, how to attempt each operation on a target
 * row of org A, and which actors the access model allows. Everybody else must be denied — by an
 * error (42501) or by seeing/touching zero rows.
 */

/** The four operations checked per table. */
export type Op = 'select' | 'insert' | 'update' | 'delete';

/** One table of the matrix. */
export interface TableCase {
  table: string;
  run: Record<Op, (tx: TransactionSql) => Promise<readonly unknown[]>>;
  allow: Record<Op, readonly ActorName[]>;
}

const members: readonly ActorName[] = ['viewer', 'editor', 'admin', 'owner'];
const editors: readonly ActorName[] = ['editor', 'admin', 'owner'];
const admins: readonly ActorName[] = ['admin', 'owner'];
const owners: readonly ActorName[] = ['owner'];
const none: readonly ActorName[] = [];
const authenticatedActors: readonly ActorName[] = [
  'outsider', 'viewer', 'editor', 'admin', 'owner', 'expired', 'removed', 'otherOwner', 'tokenScoped', 'tokenUnscoped',
];

const A = ids.orgA;

/** The whole matrix, one entry per table in `public`. */
export const tableCases: readonly TableCase[] = [
  {
    table: 'organizations',
    run: {
      select: (tx) => tx`select id from public.organizations where id = ${A}`,
      insert: (tx) => tx`insert into public.organizations (name, display_name) values ('new-org', 'New') returning id`,
      update: (tx) => tx`update public.organizations set display_name = 'Renamed' where id = ${A} returning id`,
      delete: (tx) => tx`delete from public.organizations where id = ${A} returning id`,
    },
    allow: { select: members, insert: none, update: owners, delete: owners },
  },
  {
    table: 'organization_members',
    run: {
      select: (tx) => tx`select user_id from public.organization_members where org_id = ${A} and user_id = ${users.bystander}`,
      insert: (tx) => tx`insert into public.organization_members (org_id, user_id) values (${A}, ${users.joiner}) returning user_id`,
      update: (tx) => tx`update public.organization_members set status = 'suspended' where org_id = ${A} and user_id = ${users.bystander} returning user_id`,
      delete: (tx) => tx`delete from public.organization_members where org_id = ${A} and user_id = ${users.bystander} returning user_id`,
    },
    // Members join only by accepting an invitation (accept_invitation), never by a direct insert.
    allow: { select: members, insert: none, update: admins, delete: admins },
  },
  {
    table: 'teams',
    run: {
      select: (tx) => tx`select id from public.teams where id = ${ids.teamChild}`,
      insert: (tx) => tx`insert into public.teams (org_id, parent_id, name) values (${A}, ${ids.teamParent}, 'new-team') returning id`,
      update: (tx) => tx`update public.teams set description = 'x' where id = ${ids.teamChild} returning id`,
      delete: (tx) => tx`delete from public.teams where id = ${ids.teamChild} returning id`,
    },
    allow: { select: members, insert: admins, update: admins, delete: admins },
  },
  {
    table: 'team_members',
    run: {
      select: (tx) => tx`select user_id from public.team_members where team_id = ${ids.teamChild} and user_id = ${users.bystander}`,
      insert: (tx) => tx`insert into public.team_members (team_id, org_id, user_id) values (${ids.teamChild}, ${A}, ${users.newcomer}) returning user_id`,
      update: (tx) => tx`update public.team_members set added_at = now() where team_id = ${ids.teamChild} and user_id = ${users.bystander} returning user_id`,
      delete: (tx) => tx`delete from public.team_members where team_id = ${ids.teamChild} and user_id = ${users.bystander} returning user_id`,
    },
    allow: { select: members, insert: admins, update: none, delete: admins },
  },
  {
    table: 'permissions',
    run: {
      select: (tx) => tx`select key from public.permissions where key = 'catalog.read'`,
      insert: (tx) => tx`insert into public.permissions (key, area, description) values ('x.y', 'x', 'x') returning key`,
      update: (tx) => tx`update public.permissions set description = 'x' where key = 'catalog.read' returning key`,
      delete: (tx) => tx`delete from public.permissions where key = 'usage.view' returning key`,
    },
    allow: { select: authenticatedActors, insert: none, update: none, delete: none },
  },
  {
    table: 'roles',
    run: {
      select: (tx) => tx`select id from public.roles where id = ${ids.customRole}`,
      insert: (tx) => tx`insert into public.roles (org_id, key, name) values (${A}, 'auditor', 'Auditor') returning id`,
      update: (tx) => tx`update public.roles set description = 'x' where id = ${ids.customRole} returning id`,
      delete: (tx) => tx`delete from public.roles where id = ${ids.customRole} returning id`,
    },
    allow: { select: members, insert: admins, update: admins, delete: admins },
  },
  {
    table: 'role_permissions',
    run: {
      select: (tx) => tx`select role_id from public.role_permissions where role_id = ${ids.customRole} and permission_key = 'docs.approve'`,
      insert: (tx) => tx`insert into public.role_permissions (role_id, permission_key) values (${ids.customRole}, 'flags.manage') returning role_id`,
      update: (tx) => tx`update public.role_permissions set permission_key = 'flags.manage' where role_id = ${ids.customRole} and permission_key = 'docs.approve' returning role_id`,
      delete: (tx) => tx`delete from public.role_permissions where role_id = ${ids.customRole} and permission_key = 'docs.approve' returning role_id`,
    },
    allow: { select: members, insert: admins, update: none, delete: admins },
  },
  {
    table: 'role_assignments',
    run: {
      select: (tx) => tx`select id from public.role_assignments where id = ${ids.bystanderGrant}`,
      insert: (tx) => tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.newcomer}, ${builtinRoles.viewer}) returning id`,
      update: (tx) => tx`update public.role_assignments set expires_at = now() + interval '1 day' where id = ${ids.bystanderGrant} returning id`,
      delete: (tx) => tx`delete from public.role_assignments where id = ${ids.bystanderGrant} returning id`,
    },
    allow: { select: members, insert: admins, update: admins, delete: admins },
  },
  {
    table: 'invitations',
    run: {
      select: (tx) => tx`select id from public.invitations where id = ${ids.invitation}`,
      insert: (tx) => tx`insert into public.invitations (org_id, email, role_id, token_hash) values (${A}, 'new@example.test', ${builtinRoles.viewer}, '\\x01'::bytea) returning id`,
      update: (tx) => tx`update public.invitations set expires_at = now() where id = ${ids.invitation} returning id`,
      delete: (tx) => tx`delete from public.invitations where id = ${ids.invitation} returning id`,
    },
    // Invitations are created only by create_invitation (no chosen hash or expiry).
    allow: { select: admins, insert: none, update: none, delete: admins },
  },
  {
    table: 'org_llm_keys',
    run: {
      select: (tx) => tx`select id from public.org_llm_keys where id = ${ids.llmKey}`,
      insert: (tx) => tx`insert into public.org_llm_keys (org_id, provider, ciphertext) values (${A}, 'openai', '\\x02'::bytea) returning id`,
      update: (tx) => tx`update public.org_llm_keys set label = 'rotated', key_version = 2 where id = ${ids.llmKey} returning id`,
      delete: (tx) => tx`delete from public.org_llm_keys where id = ${ids.llmKey} returning id`,
    },
    allow: { select: admins, insert: admins, update: admins, delete: admins },
  },
  {
    table: 'api_tokens',
    run: {
      select: (tx) => tx`select id from public.api_tokens where id = ${ids.tokenTarget}`,
      insert: (tx) => tx`insert into public.api_tokens (org_id, name, token_hash, scopes) values (${A}, 'new', '\\x03'::bytea, ${['catalog.read']}) returning id`,
      update: (tx) => tx`update public.api_tokens set revoked_at = now() where id = ${ids.tokenTarget} returning id`,
      delete: (tx) => tx`delete from public.api_tokens where id = ${ids.tokenTarget} returning id`,
    },
    // Tokens are created only by create_api_token (no chosen hash or expiry).
    allow: { select: admins, insert: none, update: admins, delete: admins },
  },
  {
    table: 'connectors',
    run: {
      select: (tx) => tx`select id from public.connectors where id = ${ids.connector}`,
      insert: (tx) => tx`insert into public.connectors (org_id, type, name) values (${A}, 'snowflake', 'wh') returning id`,
      update: (tx) => tx`update public.connectors set status = 'paused' where id = ${ids.connector} returning id`,
      delete: (tx) => tx`delete from public.connectors where id = ${ids.connector} returning id`,
    },
    allow: { select: members, insert: admins, update: admins, delete: admins },
  },
  {
    // Runs are written by the org-extract function only; connectors.read sees them like connectors.
    table: 'connector_runs',
    run: {
      select: (tx) => tx`select id from public.connector_runs where id = ${ids.connectorRun}`,
      insert: (tx) => tx`insert into public.connector_runs (org_id, connector_id, trigger) values (${A}, ${ids.connector}, 'manual') returning id`,
      update: (tx) => tx`update public.connector_runs set status = 'failed' where id = ${ids.connectorRun} returning id`,
      delete: (tx) => tx`delete from public.connector_runs where id = ${ids.connectorRun} returning id`,
    },
    allow: { select: members, insert: none, update: none, delete: none },
  },
  {
    table: 'feature_flags',
    run: {
      select: (tx) => tx`select key from public.feature_flags where org_id = ${A} and key = 'ai.docs'`,
      insert: (tx) => tx`insert into public.feature_flags (org_id, key, enabled) values (${A}, 'lineage.v2', true) returning key`,
      update: (tx) => tx`update public.feature_flags set enabled = false where org_id = ${A} and key = 'ai.docs' returning key`,
      delete: (tx) => tx`delete from public.feature_flags where org_id = ${A} and key = 'ai.docs' returning key`,
    },
    allow: { select: [...members, 'tokenUnscoped'], insert: admins, update: admins, delete: admins },
  },
  {
    table: 'usage_logs',
    run: {
      select: (tx) => tx`select id from public.usage_logs where org_id = ${A} and user_id = ${users.bystander}`,
      insert: (tx) => tx`insert into public.usage_logs (org_id, kind, tool) values (${A}, 'tool', 'scan') returning id`,
      update: (tx) => tx`update public.usage_logs set tokens_in = 0 where org_id = ${A} and user_id = ${users.bystander} returning id`,
      delete: (tx) => tx`delete from public.usage_logs where org_id = ${A} and user_id = ${users.bystander} returning id`,
    },
    // Usage rows are written by the server (service role) only.
    allow: { select: admins, insert: none, update: none, delete: none },
  },
  {
    table: 'compliance_events',
    run: {
      select: (tx) => tx`select id from public.compliance_events where id = ${ids.complianceEvent}`,
      insert: (tx) => tx`insert into public.compliance_events (org_id, rule, severity) values (${A}, 'r', 'low') returning id`,
      // resolved_at and resolved_by are stamped by the server when the status leaves 'open'.
      update: (tx) => tx`update public.compliance_events set status = 'resolved', resolution = 'ok' where id = ${ids.complianceEvent} returning id`,
      delete: (tx) => tx`delete from public.compliance_events where id = ${ids.complianceEvent} returning id`,
    },
    allow: { select: members, insert: admins, update: admins, delete: none },
  },
  {
    table: 'audit_log',
    run: {
      select: (tx) => tx`select id from public.audit_log where org_id = ${A} limit 1`,
      insert: (tx) => tx`insert into public.audit_log (org_id, action, target_table) values (${A}, 'forged', 'x') returning id`,
      update: (tx) => tx`update public.audit_log set action = 'tampered' where org_id = ${A} returning id`,
      delete: (tx) => tx`delete from public.audit_log where org_id = ${A} returning id`,
    },
    allow: { select: admins, insert: none, update: none, delete: none },
  },
  {
    table: 'profiles',
    run: {
      select: (tx) => tx`select id from public.profiles where id = ${users.bystander}`,
      insert: (tx) => tx`insert into public.profiles (id, display_name) values (${users.bystander}, 'dup') returning id`,
      update: (tx) => tx`update public.profiles set display_name = 'hijacked' where id = ${users.bystander} returning id`,
      delete: (tx) => tx`delete from public.profiles where id = ${users.bystander} returning id`,
    },
    allow: { select: members, insert: none, update: none, delete: none },
  },
  ...catalogCases(),
  ...syncCases(),
];

function catalogCases(): TableCase[] {
  const token: readonly ActorName[] = ['tokenScoped'];
  return [
    {
      table: 'catalog_entities',
      run: {
        select: (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`,
        insert: (tx) => tx`insert into public.catalog_entities (org_id, entity_key, kind, name) values (${A}, 'model.shop.new', 'model', 'new') returning id`,
        update: (tx) => tx`update public.catalog_entities set description = 'x' where id = ${ids.entity} returning id`,
        delete: (tx) => tx`delete from public.catalog_entities where id = ${ids.entity} returning id`,
      },
      allow: { select: [...members, ...token], insert: [...editors, ...token], update: [...editors, ...token], delete: editors },
    },
    {
      table: 'catalog_columns',
      run: {
        select: (tx) => tx`select id from public.catalog_columns where id = ${ids.column}`,
        insert: (tx) => tx`insert into public.catalog_columns (entity_id, name, position) values (${ids.entity}, 'status', 1) returning id`,
        update: (tx) => tx`update public.catalog_columns set description = 'x' where id = ${ids.column} returning id`,
        delete: (tx) => tx`delete from public.catalog_columns where id = ${ids.column} returning id`,
      },
      allow: { select: [...members, ...token], insert: [...editors, ...token], update: [...editors, ...token], delete: editors },
    },
    {
      table: 'lineage_edges',
      run: {
        select: (tx) => tx`select id from public.lineage_edges where id = ${ids.edge}`,
        insert: (tx) => tx`insert into public.lineage_edges (org_id, from_key, to_key, level, kind) values (${A}, 'a', 'b', 'model', 'ref') returning id`,
        update: (tx) => tx`update public.lineage_edges set kind = 'sql' where id = ${ids.edge} returning id`,
        delete: (tx) => tx`delete from public.lineage_edges where id = ${ids.edge} returning id`,
      },
      allow: { select: [...members, ...token], insert: [...editors, ...token], update: [...editors, ...token], delete: [...editors, ...token] },
    },
    {
      table: 'catalog_docs',
      run: {
        select: (tx) => tx`select id from public.catalog_docs where id = ${ids.doc}`,
        insert: (tx) => tx`insert into public.catalog_docs (entity_id, body) values (${ids.entity}, 'draft') returning id`,
        update: (tx) => tx`update public.catalog_docs set body = 'edited' where id = ${ids.doc} returning id`,
        delete: (tx) => tx`delete from public.catalog_docs where id = ${ids.doc} returning id`,
      },
      allow: { select: [...members, ...token], insert: editors, update: editors, delete: editors },
    },
    {
      table: 'catalog_tags',
      run: {
        select: (tx) => tx`select id from public.catalog_tags where id = ${ids.tag}`,
        insert: (tx) => tx`insert into public.catalog_tags (entity_id, tag) values (${ids.entity}, 'core') returning id`,
        update: (tx) => tx`update public.catalog_tags set tag = 'revenue' where id = ${ids.tag} returning id`,
        delete: (tx) => tx`delete from public.catalog_tags where id = ${ids.tag} returning id`,
      },
      allow: { select: [...members, ...token], insert: [...editors, ...token], update: [...editors, ...token], delete: [...editors, ...token] },
    },
    {
      table: 'catalog_classifications',
      run: {
        select: (tx) => tx`select id from public.catalog_classifications where id = ${ids.classification}`,
        insert: (tx) => tx`insert into public.catalog_classifications (entity_id, classification) values (${ids.entity}, 'pii.name') returning id`,
        update: (tx) => tx`update public.catalog_classifications set confidence = 0.5 where id = ${ids.classification} returning id`,
        delete: (tx) => tx`delete from public.catalog_classifications where id = ${ids.classification} returning id`,
      },
      allow: { select: members, insert: editors, update: editors, delete: editors },
    },
  ];
}
