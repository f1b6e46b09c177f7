import { z } from 'zod';
import type { AdminOp } from './protocol';

/**
 * The answers of the `admin` edge function, one schema per operation of `core/admin/protocol.ts`
 * (the client checks every answer against its schema). Instants are ISO 8601 text; secrets appear
 * only where a schema says so: an API token's secret in the `tokens.create` answer, an invitation's
 * one-time token in `members.invite` and `invitations.resend`. LLM keys are only ever masked.
 */

const Uuid = z.uuid();
const Instant = z.string();

/** A role grant of a member: organization-wide (`teamId` null) or for a team and its sub-teams. */
export const Grant = z.object({
  assignmentId: Uuid,
  roleId: Uuid,
  roleKey: z.string(),
  roleName: z.string(),
  teamId: Uuid.nullable(),
  /** Null: permanent. */
  expiresAt: Instant.nullable(),
  grantedBy: Uuid.nullable(),
  grantedAt: Instant,
});
export type Grant = z.infer<typeof Grant>;

export const Member = z.object({
  userId: Uuid,
  email: z.string().nullable(),
  displayName: z.string(),
  status: z.enum(['active', 'suspended']),
  joinedAt: Instant,
  grants: z.array(Grant),
  teamIds: z.array(Uuid),
});
export type Member = z.infer<typeof Member>;

export const Invitation = z.object({
  id: Uuid,
  email: z.string(),
  roleId: Uuid,
  teamId: Uuid.nullable(),
  expiresAt: Instant,
  expired: z.boolean(),
  invitedBy: Uuid.nullable(),
  createdAt: Instant,
});
export type Invitation = z.infer<typeof Invitation>;

/**
 * What became of an invitation's e-mail: `sent` (the mail server accepted it), `not-configured`
 * (no SMTP server is configured: the admin passes the link on), or `failed` with the reason code
 * (`smtp-connect`, `smtp-timeout`, `smtp-auth`, `smtp-insecure`, `smtp-rejected`, `smtp-config`);
 * the invitation stands either way and can be resent.
 */
export const InvitationMail = z.object({
  status: z.enum(['sent', 'not-configured', 'failed']),
  code: z.string().optional(),
  message: z.string().optional(),
  /** The accept link (with the token) when the admin must pass it on (not sent). */
  link: z.string().optional(),
});
export type InvitationMail = z.infer<typeof InvitationMail>;

export const Team = z.object({
  id: Uuid,
  parentId: Uuid.nullable(),
  name: z.string(),
  description: z.string(),
  memberIds: z.array(Uuid),
});
export type Team = z.infer<typeof Team>;

export const Role = z.object({
  id: Uuid,
  key: z.string(),
  name: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  parentRoleId: Uuid.nullable(),
  /** The role's own permissions. */
  permissions: z.array(z.string()),
  /** Its own plus those inherited through the parent chain (owner ⊃ admin ⊃ editor ⊃ viewer). */
  effectivePermissions: z.array(z.string()),
});
export type Role = z.infer<typeof Role>;

export const Permission = z.object({ key: z.string(), area: z.string(), description: z.string() });
export type Permission = z.infer<typeof Permission>;

export const ApiToken = z.object({
  id: Uuid,
  name: z.string(),
  /** The first characters of the token, to recognise it (`mlpat_1a2b3c`). */
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: Instant.nullable(),
  lastUsedAt: Instant.nullable(),
  revokedAt: Instant.nullable(),
  createdBy: Uuid,
  createdAt: Instant,
});
export type ApiToken = z.infer<typeof ApiToken>;

export const LlmKey = z.object({
  id: Uuid,
  provider: z.string(),
  label: z.string(),
  /** `••••abcd` (the last four characters), or `••••` for short secrets. */
  masked: z.string(),
  keyVersion: z.number().int(),
  /** Where the `ai` function sends requests (null: the provider's public default). */
  baseUrl: z.string().nullable().optional(),
  /** Models members may ask for through the `ai` function; the first is the default. */
  models: z.array(z.string()).optional(),
  /** Azure OpenAI's api-version (null: the function's default). */
  apiVersion: z.string().nullable().optional(),
  isDefault: z.boolean(),
  status: z.enum(['active', 'disabled', 'revoked']),
  lastUsedAt: Instant.nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type LlmKey = z.infer<typeof LlmKey>;

export const FeatureFlag = z.object({
  key: z.string(),
  enabled: z.boolean(),
  payload: z.record(z.string(), z.json()),
  updatedBy: Uuid.nullable(),
  updatedAt: Instant,
});
export type FeatureFlag = z.infer<typeof FeatureFlag>;

export const AuditEntry = z.object({
  id: z.number().int(),
  occurredAt: Instant,
  actorId: Uuid.nullable(),
  /** The actor's e-mail when the caller may see members (`members.read`) and the actor is one. */
  actorEmail: z.string().nullable(),
  actorTokenId: Uuid.nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetTable: z.string(),
  targetId: z.string().nullable(),
  before: z.json().nullable(),
  after: z.json().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const Ok = z.object({ ok: z.literal(true) });

/** The answer schema of every operation. */
export const ADMIN_RESPONSES = {
  whoami: z.object({
    orgId: Uuid,
    orgName: z.string(),
    /** The signed-in user, or the creator of the service token that calls. */
    userId: Uuid.nullable(),
    tokenId: Uuid.nullable(),
    /** Permissions held organization-wide. */
    permissions: z.array(z.string()),
    /** Permissions held for a team (and its sub-teams) only. */
    teamPermissions: z.array(z.object({ teamId: Uuid, permission: z.string() })),
    /** The caller's own grants (empty for a service token). */
    grants: z.array(Grant),
  }),
  'members.list': z.object({ members: z.array(Member) }),
  'members.invite': z.object({
    invitation: Invitation,
    /** The one-time invitation token (only its hash is stored): shown once, to send to the invitee. */
    token: z.string(),
    /** Whether the invitation e-mail went out (see `InvitationMail`). */
    mail: InvitationMail,
  }),
  'invitations.list': z.object({ invitations: z.array(Invitation) }),
  'invitations.resend': z.object({ invitation: Invitation, token: z.string(), mail: InvitationMail }),
  'invitations.cancel': Ok,
  'invitations.accept': z.object({ orgId: Uuid, orgName: z.string() }),
  'members.setRole': z.object({ member: Member }),
  'members.grant': z.object({ member: Member }),
  'members.revokeGrant': Ok,
  'members.remove': Ok,
  'teams.list': z.object({ teams: z.array(Team) }),
  'teams.create': z.object({ team: Team }),
  'teams.rename': z.object({ team: Team }),
  'teams.move': z.object({ team: Team }),
  'teams.delete': Ok,
  'teams.addMember': z.object({ team: Team }),
  'teams.removeMember': z.object({ team: Team }),
  'roles.list': z.object({ roles: z.array(Role) }),
  'permissions.list': z.object({ permissions: z.array(Permission) }),
  'roles.create': z.object({ role: Role }),
  'roles.update': z.object({ role: Role }),
  'roles.delete': Ok,
  'tokens.list': z.object({ tokens: z.array(ApiToken) }),
  'tokens.create': z.object({
    token: ApiToken,
    /** The token itself (`mlpat_…`): in this answer only, never again. */
    secret: z.string(),
  }),
  'tokens.revoke': z.object({ token: ApiToken }),
  'llmKeys.list': z.object({ keys: z.array(LlmKey) }),
  'llmKeys.add': z.object({ key: LlmKey }),
  'llmKeys.configure': z.object({ key: LlmKey }),
  'llmKeys.rotate': z.object({ key: LlmKey }),
  'llmKeys.delete': Ok,
  'flags.list': z.object({ flags: z.array(FeatureFlag) }),
  'flags.set': z.object({ flag: FeatureFlag }),
  'audit.query': z.object({
    entries: z.array(AuditEntry),
    /** Pass as `before` for the next (older) page; null when this was the last. */
    nextBefore: z.number().int().nullable(),
  }),
  'audit.export': z.object({
    /** RFC 4180 CSV with a header row: id, occurred_at, actor_id, actor_email, actor_token_id, actor_role, action, target_table, target_id, before, after. */
    csv: z.string(),
    rows: z.number().int(),
    /** True when more rows matched than `limit`. */
    truncated: z.boolean(),
  }),
} as const satisfies Record<AdminOp, z.ZodType>;

/** The answer of one operation. */
export type AdminResponseOf<O extends AdminOp> = z.infer<(typeof ADMIN_RESPONSES)[O]>;
