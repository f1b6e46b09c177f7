import type { Actor } from './attackWorld';

/**
 * The reviewed list of what the generated attack suite may see succeed: every rule names the
 * relations (or function signatures), the attempt variants (a regular expression over e.g.
 * `update:value:name`, see attackPlan.ts) and the actors, and says why the access model allows it.
 * Every attempt no rule matches must be refused. A new table or column is attacked automatically;
 * if something on it succeeds, the suite fails until a rule here says that it may.
 */

/** One reviewed allowance. */
export interface Allowance {
  why: string;
  targets: readonly string[];
  variants: RegExp;
  actors: readonly Actor[];
}

const orgWide: readonly Actor[] = ['aViewer', 'aEditor', 'aAdmin', 'aOwner', 'aTimeAdmin'];
const editors: readonly Actor[] = ['aEditor', 'aAdmin', 'aOwner', 'aTimeAdmin', 'aTeamEditor'];
const admins: readonly Actor[] = ['aAdmin', 'aOwner', 'aTimeAdmin'];
const server: readonly Actor[] = ['service_role', 'postgres'];
const signedIn: readonly Actor[] = ['outsider', 'aViewer', 'aEditor', 'aAdmin', 'aOwner', 'aTeamEditor', 'aTimeAdmin', 'aExpired',
  'aRemoved', 'aSuspended', 'bOwner', 'tokenScoped', 'tokenUnscoped'];

const t = (...names: string[]) => names.map((n) => (n.includes('.') ? n : `public.${n}`));
const catalogSync = t('catalog_entities', 'catalog_columns', 'catalog_tags', 'lineage_edges');
const catalogAll = [...catalogSync, ...t('catalog_docs', 'catalog_classifications')];
const syncTables = t('sync_rows', 'sync_conflicts', 'sync_losers', 'sync_rejections', 'sync_replicas');
const syncPrivate = ['private.sync_settings', 'private.sync_org_state', 'private.sync_request_stats'];
const businessTables = t('organizations', 'organization_members', 'teams', 'team_members', 'permissions', 'roles', 'role_permissions',
  'role_assignments', 'invitations', 'org_llm_keys', 'api_tokens', 'connectors', 'feature_flags', 'usage_logs', 'compliance_events',
  'profiles', ...catalogAll.map((c) => c.slice('public.'.length)));

/** Reads. Secret columns make `select *` fail for clients; the key columns stay readable. */
const reads: Allowance[] = [
  { why: 'the permission catalog is public reference data for every signed-in principal', targets: t('permissions'), variants: /^select:/, actors: [...signedIn, ...server] },
  { why: 'org.read / members.read / roles.read / compliance.read are viewer permissions (org-wide grants only)',
    targets: t('organizations', 'organization_members', 'profiles', 'roles', 'role_permissions', 'role_assignments', 'compliance_events'),
    variants: /^select:/, actors: [...orgWide, ...server] },
  { why: 'teams.read and classification.read also reach through a team grant on a parent team (A child is under A parent)',
    targets: t('teams', 'team_members', 'catalog_classifications'), variants: /^select:/, actors: [...orgWide, 'aTeamEditor', ...server] },
  { why: 'connectors.read reaches through the team grant; the secret column is readable by the server only',
    targets: t('connectors'), variants: /^select:row$/, actors: [...orgWide, 'aTeamEditor', ...server] },
  { why: 'catalog.read / lineage.read: org-wide members, the team grant, and the scoped sync token',
    targets: [...catalogSync, ...t('catalog_docs')], variants: /^select:/, actors: [...orgWide, 'aTeamEditor', 'tokenScoped', ...server] },
  { why: 'flags.read: members and the flags token', targets: t('feature_flags'), variants: /^select:/, actors: [...orgWide, 'tokenUnscoped', ...server] },
  { why: 'usage.view and audit.view are admin permissions', targets: t('usage_logs', 'audit_log'), variants: /^select:/, actors: [...admins, ...server] },
  { why: 'audit.view through RLS on the log itself; secrets_digest is not granted to clients', targets: ['mallard_audit.log'],
    variants: /^select:row$/, actors: [...admins, ...server] },
  { why: 'the server reads the whole log and the chain heads (to verify and to export anchors)',
    targets: ['mallard_audit.log', 'mallard_audit.chain_heads'], variants: /^select:/, actors: server },
  { why: 'keys.read / tokens.read / members.invite (admins) see metadata; only the server reads the secret columns',
    targets: t('org_llm_keys', 'api_tokens', 'invitations'), variants: /^select:row$/, actors: [...admins, ...server] },
  { why: 'synced rows (issue 13): catalog.read org-wide, through the team grant, the scoped sync token; the server',
    targets: t('sync_rows'), variants: /^select:/, actors: [...orgWide, 'aTeamEditor', 'tokenScoped', ...server] },
  { why: 'doc versions (issue 16): readers of the row\'s scope (catalog.read org-wide, the team grant, the scoped token); the server',
    targets: t('doc_versions'), variants: /^select:/, actors: [...orgWide, 'aTeamEditor', 'tokenScoped', ...server] },
  { why: 'sync conflicts and losers: their author and whoever may edit the row (catalog.write, also the token); the server',
    targets: t('sync_conflicts', 'sync_losers'), variants: /^select:/, actors: [...editors, 'tokenScoped', ...server] },
  { why: 'sync rejections: their author (the synthesized row\'s is A\'s owner) and audit.view; replicas: their owner and members.manage',
    targets: t('sync_rejections', 'sync_replicas'), variants: /^select:/, actors: [...admins, ...server] },
  { why: 'the server (service role, dashboard) reads secret columns (ciphertexts, hashes) to do its job',
    targets: t('org_llm_keys', 'api_tokens', 'invitations', 'connectors'), variants: /^select:\*$/, actors: server },
];

/** What clients may change, per the permissions of their grants. */
const clientWrites: Allowance[] = [
  { why: 'catalog.write / lineage.write: editors (org-wide or through the team grant) and the sync token edit data columns',
    targets: catalogSync,
    variants: /^(update:(self|value):(entity_key|kind|name|project|path|description|payload|updated_at|data_type|position|tag|from_key|to_key|level)|insert:base)$/,
    actors: [...editors, 'tokenScoped'] },
  { why: 'entities and edges move between teams of the organization (children follow their entity)',
    targets: t('catalog_entities', 'lineage_edges'), variants: /^update:self:team_id$/, actors: [...editors, 'tokenScoped'] },
  { why: 'tags and edges are deleted with catalog.write / lineage.write (the token has those)',
    targets: t('catalog_tags', 'lineage_edges'), variants: /^delete$/, actors: [...editors, 'tokenScoped'] },
  { why: 'catalog.delete (editors, not the token) deletes entities and columns; docs.generate drafts and edits docs',
    targets: t('catalog_entities', 'catalog_columns', 'catalog_docs'), variants: /^(delete|update:(self|value):(body|updated_at)|update:self:status|insert:base)$/,
    actors: editors },
  { why: 'classification.manage is an editor permission', targets: t('catalog_classifications'),
    variants: /^(update:(self|value):(classification|confidence|source|updated_at)|delete|insert:base)$/, actors: editors },
  { why: 'org.manage / org.delete are owner permissions', targets: t('organizations'),
    variants: /^(update:(self|value):(display_name|domain|settings|sso_provider|sso_config|updated_at)|delete)$/, actors: ['aOwner'] },
  { why: 'members.manage: suspend or remove a member whose grants the admin could make (the bystander is a viewer)',
    targets: t('organization_members'), variants: /^(update:self:status|delete)$/, actors: admins },
  { why: 'teams.manage / roles.manage (admins) edit teams, team members, custom roles and their permissions',
    targets: t('teams', 'team_members', 'roles', 'role_permissions'),
    variants: /^(update:(self|value):(name|description)|update:self:parent_id|update:self:parent_role_id|delete|insert:base)$/, actors: admins },
  { why: 'roles.assign: revoke a grant the admin could make; the time-bound admin may revoke too (revoking never escalates)',
    targets: t('role_assignments'), variants: /^delete$/, actors: admins },
  { why: 'granting (insert) and changing an expiry stay within the granter\'s horizon: the permanent grant is beyond the time-bound admin\'s',
    targets: t('role_assignments'), variants: /^(update:(self|value):expires_at|insert:base)$/, actors: ['aAdmin', 'aOwner'] },
  { why: 'members.invite (admins) withdraw invitations; creating them goes through create_invitation only',
    targets: t('invitations'), variants: /^delete$/, actors: admins },
  { why: 'keys.manage / connectors.manage / flags.manage (admins) edit non-secret columns (an LLM key\'s masked form and its endpoint for the ai function included), insert and delete',
    targets: t('org_llm_keys', 'connectors', 'feature_flags'),
    variants: /^(update:(self|value):(label|key_version|is_default|status|last_used_at|updated_at|name|config|last_run_at|last_run_status|enabled|payload|masked|schedule_minutes|base_url|models|api_version)|update:self:team_id|delete|insert:base)$/,
    actors: admins },
  { why: 'tokens.manage (admins) rename, revoke (one-way, stamped by the server) and delete tokens',
    targets: t('api_tokens'), variants: /^(update:(self|value):(name|revoked_at)|delete)$/, actors: admins },
  { why: 'compliance.manage (admins) record events and resolve them (resolver and time are stamped by the server)',
    targets: t('compliance_events'), variants: /^(update:self:status|update:(self|value):resolution|insert:base)$/, actors: admins },
  { why: 'B\'s owner writes rows that land wholly in B (every reference set to B): their own organization',
    targets: t('compliance_events', 'connectors', 'feature_flags', 'org_llm_keys', 'role_permissions', 'roles', 'teams', ...catalogAll.map((c) => c.slice(7))),
    variants: /^insert:fk:(compliance_events_org_id_fkey|connectors_org_id_team_id_fkey|feature_flags_org_id_fkey|org_llm_keys_org_id_fkey|role_permissions_role_id_fkey|roles_org_id_fkey|teams_org_id_parent_id_fkey|catalog_columns_entity_fk|catalog_docs_entity_fk|catalog_entities_team_fk|catalog_tags_entity_fk|lineage_edges_team_fk)$/,
    actors: ['bOwner'] },
];

/** The server: the service role (edge functions) and postgres (dashboard, migrations). */
const serverWrites: Allowance[] = [
  { why: 'no-op updates: the server holds every privilege on business tables; only real changes meet the guards',
    targets: businessTables, variants: /^update:self:/, actors: server },
  { why: 'the server deletes rows (RLS does not apply to it); permissions stay referenced, so they cannot go',
    targets: businessTables.filter((n) => n !== 'public.permissions'), variants: /^delete$/, actors: server },
  { why: 'the server inserts rows naming any column (attribution included: it acts for users); catalog rows need an author, ' +
      'so their base copy (which leaves the author to the JWT) fails for it; invitations and tokens only through the RPCs (postgres below)',
    targets: businessTables.filter((n) => !t('invitations', 'api_tokens', ...catalogAll.map((c) => c.slice(7))).includes(n)),
    variants: /^insert:(base|\+[a-z_]+)$/, actors: server },
  { why: 'catalog rows with their author named (the server writes for a user)', targets: catalogAll,
    variants: /^insert:(\+user_id|fk:catalog_[a-z_]+_user_id_fkey|fk:lineage_edges_user_id_fkey)$/, actors: server },
  { why: 'the server may insert classifications by copy (user_id is nullable) and name their team',
    targets: t('catalog_classifications'), variants: /^insert:(base|\+team_id)$/, actors: server },
  { why: 'rows that land wholly in B, and the member/grant of B\'s first member (the server is not tenant-bound)',
    targets: businessTables,
    variants: /^insert:fk:(compliance_events_org_id_fkey|connectors_org_id_team_id_fkey|feature_flags_org_id_fkey|org_llm_keys_org_id_fkey|role_permissions_role_id_fkey|roles_org_id_fkey|teams_org_id_parent_id_fkey|usage_logs_org_id_fkey|organization_members_(org|user)_id_fkey|role_assignments_member_fk)$/,
    actors: server },
  { why: 'attribution on insert names a user of B: allowed to the server, which writes on behalf of users',
    targets: businessTables.filter((n) => !t('invitations', 'api_tokens').includes(n)), variants: /^insert:fk:[a-z_]+_(created_by|updated_by|granted_by|resolved_by|personal_owner_id)_fkey$/, actors: server },
  { why: 'the service role changes data columns (secrets included: it rotates keys), never creation times; ' +
      'token, invitation and usage rows are facts it cannot rewrite',
    targets: businessTables.filter((n) => !t('api_tokens', 'invitations', 'usage_logs').includes(n)),
    variants: /^update:value:(?!(created_at|joined_at|added_at|granted_at)$)[a-z_]+$/, actors: ['service_role'] },
  { why: 'the service role renames, revokes (one-way) and stamps use of tokens',
    targets: t('api_tokens'), variants: /^update:value:(name|revoked_at|last_used_at)$/, actors: ['service_role'] },
  { why: 'postgres (the dashboard user, owner of these tables) changes any column the invariants do not pin: attribution, ' +
      'created_at, token and invitation facts, usage amounts; the audit log records it with db_user = postgres',
    targets: businessTables,
    variants: /^(update:value:[a-z_]+|update:fk:[a-z_]+_(created_by|updated_by|granted_by|resolved_by|approved_by|accepted_by|invited_by|personal_owner_id)_fkey)$/,
    actors: ['postgres'] },
  { why: 'postgres re-attributes catalog rows to another author (a user, not a tenant: the row stays in its organization)',
    targets: catalogAll, variants: /^update:fk:(catalog_[a-z]+|lineage_edges)_user_id_fkey$/, actors: ['postgres'] },
  { why: 'postgres (owner) inserts invitations directly, within one organization; clients and the service role use create_invitation',
    targets: t('invitations'),
    variants: /^insert:(base|\+[a-z_]+|fk:invitations_(accepted_by|invited_by|org_id)_fkey|fk:invitations_org_id_team_id_fkey(:org_id)?)$/,
    actors: ['postgres'] },
  { why: 'postgres (owner) inserts tokens directly when it names their creator (no JWT: nobody to default to)',
    targets: t('api_tokens'), variants: /^insert:(\+created_by|fk:api_tokens_created_by_fkey)$/, actors: ['postgres'] },
];

/**
 * Sync tables are written by API roles only inside a sync edge function's transaction (the guard
 * requires `mallard.sync_writer`, which the Data API cannot set), so no client or service-role
 * write succeeds here; postgres owns them (operator repairs, audited with db_user = postgres).
 */
const syncWrites: Allowance[] = [
  { why: 'doc versions (issue 16) are written only by the sync_rows trigger and the review functions; postgres owns the table (operator repairs, audited)',
    targets: t('doc_versions'), variants: /^(select:.*|update:(self|value):[a-z_]+|delete)$/, actors: ['postgres'] },
  { why: 'postgres re-attributes a doc version to another user (people, not tenants; team and revert references stay inside the organization)',
    targets: t('doc_versions'), variants: /^update:fk:doc_versions_(author_id|reviewed_by)_fkey$/, actors: ['postgres'] },
  { why: 'postgres (owner of the sync tables and of private sync state) reads, changes and deletes their rows; the audit log records it',
    targets: [...syncTables, ...syncPrivate], variants: /^(select:.*|update:(self|value):[a-z_]+|delete)$/, actors: ['postgres'] },
  { why: 'postgres re-attributes sync rows to another user or token (people, not tenants: the row stays in its organization)',
    targets: syncTables, variants: /^update:fk:sync_[a-z]+_(created_by|updated_by|author_id|resolved_by|user_id|token_id)_fkey$/, actors: ['postgres'] },
  { why: 'postgres points a record at another row of the same organization (kind or id of the row key only; org_id stays)',
    targets: t('sync_conflicts', 'sync_losers'), variants: /^update:fk:sync_(conflicts|losers)_org_id_kind_row_id_fkey:(kind|row_id)$/, actors: ['postgres'] },
  { why: 'postgres inserts rejections, replicas and request counts directly (wholly in A or wholly in B); rows and records need the sync functions',
    targets: [...t('sync_rejections', 'sync_replicas'), 'private.sync_request_stats'], variants: /^insert:/, actors: ['postgres'] },
  { why: 'request counts are telemetry without tenant integrity of their own (no org_id guard); only postgres and the server function write them',
    targets: ['private.sync_request_stats'], variants: /^update:set:org_id=B$/, actors: ['postgres'] },
];

/**
 * Org extraction (issue 15): runs, their staged files and rows, and which org catalog rows each
 * connector owns are written only by the org-extract function through the functions' own login
 * (postgres); members with connectors.read see runs like connectors. Staging rows reference their
 * run within its organization and runs their connector and team, so no row points across tenants.
 */
const extractPrivate = ['private.connector_run_files', 'private.connector_run_rows', 'private.connector_catalog_rows'];
const extractWrites: Allowance[] = [
  { why: 'connectors.read reaches runs like connectors (org-wide, or through the team grant)',
    targets: t('connector_runs'), variants: /^select:(row|\*)$/, actors: [...orgWide, 'aTeamEditor'] },
  { why: 'postgres (the functions login) runs the chunks: it reads, changes and deletes runs, staging and ownership rows',
    targets: [...t('connector_runs'), ...extractPrivate], variants: /^(select:.*|update:(self|value):[a-z_]+|delete)$/, actors: ['postgres'] },
  { why: 'postgres stages files of a run (wholly in A or wholly in B: the run is referenced within its organization)',
    targets: ['private.connector_run_files'],
    variants: /^(insert:(base|\+[a-z_]+|fk:connector_run_files_org_id_run_id_fkey)|update:fk:connector_run_files_org_id_run_id_fkey)$/, actors: ['postgres'] },
  { why: 'postgres records which rows a connector wrote (wholly in A or wholly in B: the connector is referenced within its organization)',
    targets: ['private.connector_catalog_rows'],
    variants: /^(insert|update):fk:connector_catalog_rows_org_id_connector_id_fkey$/, actors: ['postgres'] },
  { why: 'the scheduler selection runs as the functions login',
    targets: ['private.connector_due_runs(timestamp with time zone, uuid)'], variants: /^call$/, actors: ['postgres'] },
];

/** Function calls: the reviewed EXECUTE grants (functionGrants.test.ts lists them per role). */
const calls: Allowance[] = [
  { why: 'policies, column defaults and invoker triggers call these while the client\'s role is active',
    targets: ['private.can_grant_role(uuid, uuid, uuid)', 'private.can_manage_member(uuid, uuid)', 'private.grant_horizon(uuid, uuid, uuid)',
      'private.has_permission(uuid, text, uuid)', 'private.org_ids_with(text)', 'private.team_scopes_with(text)',
      'private.visible_user_ids()', 'mallard_audit.viewable_org_ids()'],
    variants: /^call$/, actors: [...signedIn, 'postgres'] },
  { why: 'who is acting: needed by defaults and triggers for the service role too',
    targets: ['private.acting_user_id()', 'private.current_token_id()'], variants: /^call$/, actors: [...signedIn, ...server] },
  { why: 'the RPCs clients call; each refuses callers it does not serve (tokens, unconfirmed e-mails, …) itself',
    targets: ['public.accept_invitation(text)', 'public.create_api_token(uuid, text, text[], timestamp with time zone)',
      'public.create_invitation(uuid, text, uuid, uuid)', 'public.create_organization(text, text)',
      // The admin function's RPCs (issue 15): each checks the caller's grants from the claims itself.
      'public.admin_create_api_token(uuid, text, text[], timestamp with time zone)',
      'public.admin_invite(uuid, text, uuid, uuid, timestamp with time zone)', 'public.admin_member_directory(uuid)',
      'public.admin_my_grants(uuid)', 'public.admin_resend_invitation(uuid, uuid)'],
    variants: /^call$/, actors: [...signedIn, 'postgres'] },
  { why: 'verification and token resolution are for the server',
    targets: ['mallard_audit.verify(jsonb)', 'mallard_audit.row_hash(bytea, bigint, uuid, uuid, uuid, uuid, text, text, text, text, text, jsonb, jsonb, bytea, timestamp with time zone)',
      'mallard_audit.same_image(jsonb, jsonb)', 'mallard_audit.secrets_digest(jsonb, text[])', 'mallard_audit.table_meta(regclass)',
      'mallard_audit.target_id(jsonb, text[])', 'private.resolve_api_token(text)'],
    variants: /^call$/, actors: server },
  { why: 'postgres owns the private helpers (it runs the migrations); nobody else executes them',
    targets: ['private.attach_audit(regclass)', 'private.current_grants()', 'private.grant_horizon_for(uuid, uuid, uuid, uuid, uuid)', 'private.migrate_single_user_data()',
      'private.org_has_permanent_owner(uuid)', 'private.principal_grant_expiries(uuid, uuid)', 'private.quota(text)',
      'private.role_permission_keys(uuid)', 'private.team_ancestors(uuid)', 'private.user_grant_expiries(uuid)', 'private.user_grants(uuid)'],
    variants: /^call$/, actors: ['postgres'] },
  { why: 'the sync functions call these in the caller\'s transaction; each checks the caller (membership, replica owner) itself',
    targets: ['private.member_org_ids()', 'private.sync_open_replica(uuid, uuid, integer, boolean)', 'private.sync_replica_pulled(uuid, bigint, xid8, bigint, jsonb)',
      'private.sync_replica_pushed(uuid, bigint, bigint)', 'private.sync_retired_replicas(uuid)', 'private.sync_scopes(uuid)', 'private.sync_stream_bounds(uuid)'],
    variants: /^call$/, actors: [...signedIn, 'postgres'] },
  { why: 'doc versions (issue 16): the doc-versions function and sync-push call these under the caller\'s claims; each checks membership, docs.approve, catalog.write or the sync-push transaction itself',
    targets: ['private.doc_approval_on(uuid)', 'private.doc_approval_required(uuid, uuid)', 'private.doc_approval_targets(uuid, jsonb)', 'private.doc_people(uuid, uuid[])',
      'private.doc_row_team(uuid, text, text)', 'private.doc_submit_pending(uuid, jsonb)', 'private.doc_version_review(uuid, boolean, text)',
      'private.doc_version_revert(uuid)'],
    variants: /^call$/, actors: [...signedIn, 'postgres'] },
  { why: 'doc version internals (numbering, the trigger, the server-side description writer, the locked lookup) are the owner\'s',
    targets: ['private.doc_next_version(uuid, text, text)', 'private.doc_versions_record()', 'private.doc_write_description(uuid, text, text, text)',
      'private.doc_version_for_update(uuid)'],
    variants: /^call$/, actors: ['postgres'] },
  { why: 'the org-catalog writer, GC, restore check, health and the digest are for the server',
    targets: ['private.sync_check_restore(boolean)', 'private.sync_delete_catalog_row(uuid, text, text)', 'private.sync_delete_catalog_rows(uuid, jsonb)',
      'private.sync_gc()', 'private.sync_health()', 'private.sync_put_catalog_row(uuid, text, text, uuid, jsonb)', 'private.sync_put_catalog_rows(uuid, uuid, jsonb)',
      'private.sync_row_digest(text, text, jsonb)'],
    variants: /^call$/, actors: server },
  { why: 'sync internals (team lookup of the stamp trigger, request statistics) are the owner\'s',
    targets: ['private.sync_entity_team(uuid, text, text)', 'private.sync_record_request(uuid, text, boolean, integer, integer)'],
    variants: /^call$/, actors: ['postgres'] },
];

/** Every reviewed allowance. */
export const allowances: readonly Allowance[] = [...reads, ...clientWrites, ...serverWrites, ...syncWrites, ...extractWrites, ...calls];

/** True when a reviewed rule allows `actor` to succeed with `variant` on `target`. */
export function isAllowed(target: string, variant: string, actor: Actor): boolean {
  return allowances.some((a) => a.actors.includes(actor) && a.targets.includes(target) && a.variants.test(variant));
}
