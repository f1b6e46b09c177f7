import { z } from 'zod';

/**
 * The contract of the `admin` edge function: every request of the "Manage Team" webview, as a zod
 * union discriminated by `op`. Every request names its organization (`orgId`); the function runs it
 * under the caller's claims, so row-level security and the schema's guard triggers decide, and it
 * also checks `ADMIN_OP_PERMISSIONS[op]` first so a refusal names the missing permission. Answers
 * are in `core/admin/responses.ts`; errors are the `{ code, message }` envelope of
 * `core/sync/errors.ts` (bad-request 400, forbidden 403, not-found 404, conflict 409).
 */

const Uuid = z.uuid();
/** An instant as ISO 8601 text with an offset (`2026-12-31T00:00:00Z`). */
export const Instant = z.iso.datetime({ offset: true });
/** A permission key of `public.permissions` (`members.manage`). */
export const PermissionKey = z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'a permission key such as members.manage');
const Name = z.string().trim().min(1).max(200);
const Email = z.string().trim().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'an e-mail address');
const Secret = z.string().min(8).max(10_000);
/** A key's endpoint for the `ai` function: base URL (null: the provider's public default), model allow-list, Azure api-version. */
const LlmEndpoint = {
  baseUrl: z.url({ protocol: /^https?$/ }).max(500).nullable().optional(),
  models: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  apiVersion: z.string().trim().min(1).max(40).nullable().optional(),
};

/** Every request carries the organization it acts on. */
const base = <Op extends string, S extends z.ZodRawShape>(op: Op, shape: S) =>
  z.strictObject({ op: z.literal(op), orgId: Uuid, ...shape });

/** Filters of the audit log; every field narrows, none is required. */
export const AuditFilter = z.strictObject({
  /** The acting user (a service token's actions count as its creator's). */
  actorId: Uuid.optional(),
  /** An exact action (`invitations.insert`) or a table's actions (`invitations`). */
  action: z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/).optional(),
  /** The table a row belongs to (`role_assignments`). */
  targetTable: z.string().regex(/^[a-z_]+$/).optional(),
  /** The row's id (its primary key as text, parts joined with ':'). */
  targetId: z.string().min(1).max(300).optional(),
  /** From this instant (inclusive). */
  from: Instant.optional(),
  /** Until this instant (exclusive). */
  to: Instant.optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;

/** Every admin request. */
export const AdminRequest = z.discriminatedUnion('op', [
  /** The caller's identity and permissions in the organization (the UI hides what they can't do). */
  base('whoami', {}),

  // Members ---------------------------------------------------------------------------------------
  /** Members with e-mail, status, role grants (team, expiry) and teams. */
  base('members.list', {}),
  /** Invites `email` with `roleId` (org-wide, or for `teamId`); `expiresAt` is when the invitation lapses (default 7 days). */
  base('members.invite', { email: Email, roleId: Uuid, teamId: Uuid.optional(), expiresAt: Instant.optional() }),
  /** Pending (not accepted) invitations, expired ones included and marked. */
  base('invitations.list', {}),
  /** Issues a fresh one-time token for a pending invitation and extends it by 7 days; the old token stops working. */
  base('invitations.resend', { invitationId: Uuid }),
  /** Withdraws a pending invitation. */
  base('invitations.cancel', { invitationId: Uuid }),
  /**
   * Accepts an invitation addressed to the caller (the link of the invitation e-mail carries the
   * organization and the one-time token). The only op a non-member may call: the database checks
   * the caller's confirmed e-mail against the invitation's.
   */
  base('invitations.accept', { token: z.string().trim().min(16).max(200) }),
  /**
   * Changes a member's role at one scope (organization-wide, or `teamId`): their grants at that scope
   * are replaced by `roleId`, optionally until `expiresAt`.
   */
  base('members.setRole', { userId: Uuid, roleId: Uuid, teamId: Uuid.optional(), expiresAt: Instant.optional() }),
  /** Adds a grant (time-bound when `expiresAt` is given) beside the member's others; an existing identical grant gets the new expiry. */
  base('members.grant', { userId: Uuid, roleId: Uuid, teamId: Uuid.optional(), expiresAt: Instant.optional() }),
  /** Ends one grant. */
  base('members.revokeGrant', { assignmentId: Uuid }),
  /** Removes a member (their grants, team memberships, tokens and pending invitations end with it). */
  base('members.remove', { userId: Uuid }),

  // Teams -----------------------------------------------------------------------------------------
  /** All teams (a tree through `parentId`) with their members. */
  base('teams.list', {}),
  base('teams.create', { name: Name, parentId: Uuid.optional(), description: z.string().max(2000).optional() }),
  base('teams.rename', { teamId: Uuid, name: Name, description: z.string().max(2000).optional() }),
  /** Re-parents a team (`parentId` null: a top-level team); a cycle is a conflict. */
  base('teams.move', { teamId: Uuid, parentId: Uuid.nullable() }),
  /** Deletes a team with its sub-teams. */
  base('teams.delete', { teamId: Uuid }),
  base('teams.addMember', { teamId: Uuid, userId: Uuid }),
  base('teams.removeMember', { teamId: Uuid, userId: Uuid }),

  // Roles -----------------------------------------------------------------------------------------
  /** Built-in and custom roles with their own and effective (inherited) permissions. */
  base('roles.list', {}),
  /** Every permission key with its area and description (for the permission picker). */
  base('permissions.list', {}),
  /** A custom role; every permission must be one the caller holds (no escalation). */
  base('roles.create', {
    key: z.string().regex(/^[a-z][a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and - (2–41 characters)'),
    name: Name,
    description: z.string().max(2000).optional(),
    permissions: z.array(PermissionKey).max(200),
  }),
  /** Renames a custom role and/or replaces its permission set. */
  base('roles.update', {
    roleId: Uuid,
    name: Name.optional(),
    description: z.string().max(2000).optional(),
    permissions: z.array(PermissionKey).max(200).optional(),
  }),
  /** Deletes a custom role that nobody holds and no invitation offers (otherwise a conflict). */
  base('roles.delete', { roleId: Uuid }),

  // API tokens ------------------------------------------------------------------------------------
  base('tokens.list', {}),
  /** A service-account token with `scopes` (each a permission the caller holds); the secret is in this answer only. */
  base('tokens.create', { name: Name, scopes: z.array(PermissionKey).min(1).max(200), expiresAt: Instant.optional() }),
  base('tokens.revoke', { tokenId: Uuid }),

  // LLM provider keys -----------------------------------------------------------------------------
  /** Keys with a masked form only (`••••abcd`); plaintext is never answered. */
  base('llmKeys.list', {}),
  base('llmKeys.add', {
    provider: z.enum(['openai', 'anthropic', 'azure_openai', 'google', 'mistral', 'ollama', 'other']),
    label: z.string().max(200).optional(),
    secret: Secret,
    isDefault: z.boolean().optional(),
    ...LlmEndpoint,
  }),
  /** Where the `ai` function sends requests with a key, and which models members may ask for (fields left out stay). */
  base('llmKeys.configure', { keyId: Uuid, ...LlmEndpoint }),
  /** Replaces a key's secret (encrypted with the current project key). */
  base('llmKeys.rotate', { keyId: Uuid, secret: Secret }),
  base('llmKeys.delete', { keyId: Uuid }),

  // Feature flags ---------------------------------------------------------------------------------
  base('flags.list', {}),
  base('flags.set', {
    key: z.string().regex(/^[a-z][a-z0-9_.-]{1,60}$/),
    enabled: z.boolean(),
    payload: z.record(z.string(), z.json()).optional(),
  }),

  // Audit log -------------------------------------------------------------------------------------
  /** Newest first; `before` is the `nextBefore` of the previous page. */
  base('audit.query', {
    filter: AuditFilter.default({}),
    limit: z.number().int().min(1).max(500).default(100),
    before: z.number().int().positive().optional(),
  }),
  /** The filtered log as CSV text (newest first, at most `limit` rows). */
  base('audit.export', { filter: AuditFilter.default({}), limit: z.number().int().min(1).max(10_000).default(5_000) }),
]);
export type AdminRequest = z.infer<typeof AdminRequest>;
/** What the caller sends (defaults not yet applied). */
export type AdminRequestInput = z.input<typeof AdminRequest>;
/** An operation name. */
export type AdminOp = AdminRequest['op'];
/** The request of one operation. */
export type AdminRequestOf<O extends AdminOp> = Extract<AdminRequest, { op: O }>;
/** The request of one operation as sent (optional fields with defaults may be left out). */
export type AdminRequestInputOf<O extends AdminOp> = Extract<AdminRequestInput, { op: O }>;

/**
 * The permission each operation needs (null: any member): organization-wide, or for the op's team
 * when it names one (`teamId`, or `parentId` of a new team). The server checks it
 * before running the op and answers 403 naming it; the UI hides actions whose key the caller lacks
 * (`whoami.permissions`). Some ops need more, checked by the schema: granting a role needs every
 * permission of that role (no escalation), removing a member needs the right to grant each of
 * their roles, and a custom role or token scope cannot exceed the caller's own permissions.
 */
export const ADMIN_OP_PERMISSIONS = {
  whoami: null,
  'members.list': 'members.read',
  'members.invite': 'members.invite',
  'invitations.list': 'members.invite',
  'invitations.resend': 'members.invite',
  'invitations.cancel': 'members.invite',
  'invitations.accept': null,
  'members.setRole': 'roles.assign',
  'members.grant': 'roles.assign',
  'members.revokeGrant': 'roles.assign',
  'members.remove': 'members.manage',
  'teams.list': 'teams.read',
  'teams.create': 'teams.manage',
  'teams.rename': 'teams.manage',
  'teams.move': 'teams.manage',
  'teams.delete': 'teams.manage',
  'teams.addMember': 'teams.manage',
  'teams.removeMember': 'teams.manage',
  'roles.list': 'roles.read',
  'permissions.list': null,
  'roles.create': 'roles.manage',
  'roles.update': 'roles.manage',
  'roles.delete': 'roles.manage',
  'tokens.list': 'tokens.read',
  'tokens.create': 'tokens.manage',
  'tokens.revoke': 'tokens.manage',
  'llmKeys.list': 'keys.read',
  'llmKeys.add': 'keys.manage',
  'llmKeys.configure': 'keys.manage',
  'llmKeys.rotate': 'keys.manage',
  'llmKeys.delete': 'keys.manage',
  'flags.list': 'flags.read',
  'flags.set': 'flags.manage',
  'audit.query': 'audit.view',
  'audit.export': 'audit.view',
} as const satisfies Record<AdminOp, string | null>;

/** Every operation name, in contract order. */
export const ADMIN_OPS = Object.keys(ADMIN_OP_PERMISSIONS) as AdminOp[];
