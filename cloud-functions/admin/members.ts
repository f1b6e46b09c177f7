import type { AdminRequestOf } from '../../core/admin/protocol';
import type { AdminResponseOf, Grant, Invitation, Member } from '../../core/admin/responses';
import { SyncError } from '../../core/sync/errors';
import type { AdminCtx } from './context';
import type { PendingInvitationMail } from './invitationMail';
import { actingUser, found, holds, iso, isoNow } from './context';

/**
 * Members, invitations and role grants. Every statement runs under the caller's claims: the
 * membership, grant and invitation policies and the guards (no escalation beyond the caller's grant
 * horizon, never one's own grants, the last permanent owner, seats) decide; the checks here come
 * first only to answer with a reason the user can act on.
 */

type Dated = Date | string;

interface GrantRow { id: string; user_id: string; role_id: string; key: string | null; name: string | null; team_id: string | null; expires_at: Dated | null; granted_by: string | null; granted_at: Dated }
interface InvitationRow { id: string; email: string; role_id: string; team_id: string | null; expires_at: Dated; invited_by: string | null; created_at: Dated }

const grantOf = (r: GrantRow): Grant => ({
  assignmentId: r.id, roleId: r.role_id, roleKey: r.key ?? '', roleName: r.name ?? '', teamId: r.team_id,
  expiresAt: iso(r.expires_at), grantedBy: r.granted_by, grantedAt: isoNow(r.granted_at),
});

const invitationOf = (r: InvitationRow): Invitation => ({
  id: r.id, email: r.email, roleId: r.role_id, teamId: r.team_id, expiresAt: isoNow(r.expires_at),
  expired: new Date(r.expires_at).getTime() <= Date.now(), invitedBy: r.invited_by, createdAt: isoNow(r.created_at),
});

/** Grants of the organization (or of one user), oldest first. */
export async function grantRows(ctx: AdminCtx, userId?: string): Promise<GrantRow[]> {
  return await ctx.tx<GrantRow[]>`
    select ra.id::text, ra.user_id::text, ra.role_id::text, r.key, r.name, ra.team_id::text, ra.expires_at, ra.granted_by::text, ra.granted_at
    from public.role_assignments ra left join public.roles r on r.id = ra.role_id
    where ra.org_id = ${ctx.orgId}::uuid ${userId === undefined ? ctx.tx`` : ctx.tx`and ra.user_id = ${userId}::uuid`}
    order by ra.granted_at, ra.id`;
}

/** The caller's own grants (visible to every member through the self clause of the policy). */
export async function ownGrants(ctx: AdminCtx, userId: string): Promise<Grant[]> {
  return (await grantRows(ctx, userId)).map(grantOf);
}

async function loadMembers(ctx: AdminCtx, userId?: string): Promise<Member[]> {
  const directory = await ctx.tx<{ user_id: string; email: string | null; display_name: string; status: 'active' | 'suspended'; joined_at: Dated }[]>`
    select user_id::text, email, display_name, status, joined_at from public.admin_member_directory(${ctx.orgId}::uuid)
    ${userId === undefined ? ctx.tx`` : ctx.tx`where user_id = ${userId}::uuid`}`;
  const grants = await grantRows(ctx, userId);
  const teams = await ctx.tx<{ team_id: string; user_id: string }[]>`
    select team_id::text, user_id::text from public.team_members where org_id = ${ctx.orgId}::uuid order by team_id`;
  return directory.map((m) => ({
    userId: m.user_id, email: m.email, displayName: m.display_name, status: m.status, joinedAt: isoNow(m.joined_at),
    grants: grants.filter((g) => g.user_id === m.user_id).map(grantOf),
    teamIds: teams.filter((t) => t.user_id === m.user_id).map((t) => t.team_id),
  }));
}

async function oneMember(ctx: AdminCtx, userId: string): Promise<Member> {
  return found((await loadMembers(ctx, userId))[0], `Member ${userId}`);
}

/** The role's key, or 404 when it is neither built-in nor a custom role of this organization. */
async function roleKey(ctx: AdminCtx, roleId: string): Promise<string> {
  const [row] = await ctx.tx<{ key: string }[]>`
    select key from public.roles where id = ${roleId}::uuid and (org_id is null or org_id = ${ctx.orgId}::uuid)`;
  return found(row, `Role ${roleId}`).key;
}

/**
 * Refuses (403) a grant the caller cannot make: a role carrying a permission they lack at that
 * scope, or an expiry beyond the time they hold those permissions.
 */
async function checkGrantable(ctx: AdminCtx, roleId: string, teamId: string | null, expiresAt: string | null): Promise<void> {
  const key = await roleKey(ctx, roleId);
  const [row] = await ctx.tx<{ until: string | null }[]>`
    select private.grant_horizon(${ctx.orgId}::uuid, ${roleId}::uuid, ${teamId}::uuid)::text as until`;
  const until = row?.until ?? null;
  if (until === null) {
    throw new SyncError('forbidden', `You cannot grant the role "${key}"${teamId ? ' for this team' : ''}: it carries permissions you do not hold (roles.assign and every permission of the role are needed).`);
  }
  if (until !== 'infinity' && new Date(expiresAt ?? '9999-12-31T00:00:00Z').getTime() > new Date(until).getTime()) {
    throw new SyncError('forbidden', `You can grant the role "${key}" only until ${new Date(until).toISOString()}, when your own access ends; set an earlier expiry.`);
  }
}

async function refuseSelf(ctx: AdminCtx, userId: string): Promise<void> {
  if ((await actingUser(ctx)) === userId) throw new SyncError('forbidden', 'You cannot change your own grants; ask another administrator.');
}

async function upsertGrant(ctx: AdminCtx, req: { userId: string; roleId: string; teamId?: string | undefined; expiresAt?: string | undefined }): Promise<void> {
  await ctx.tx`
    insert into public.role_assignments (org_id, user_id, role_id, team_id, expires_at)
    values (${ctx.orgId}::uuid, ${req.userId}::uuid, ${req.roleId}::uuid, ${req.teamId ?? null}::uuid, ${req.expiresAt ?? null}::timestamptz)
    on conflict (org_id, user_id, role_id, coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid))
    do update set expires_at = excluded.expires_at`;
}

export async function listMembers(ctx: AdminCtx): Promise<AdminResponseOf<'members.list'>> {
  return { members: await loadMembers(ctx) };
}

export async function setRole(ctx: AdminCtx, req: AdminRequestOf<'members.setRole'>): Promise<AdminResponseOf<'members.setRole'>> {
  await refuseSelf(ctx, req.userId);
  await oneMember(ctx, req.userId);
  await checkGrantable(ctx, req.roleId, req.teamId ?? null, req.expiresAt ?? null);
  const atScope = await ctx.tx<{ id: string; key: string | null; grantable: boolean }[]>`
    select ra.id::text, r.key, private.can_grant_role(ra.org_id, ra.role_id, ra.team_id) as grantable
    from public.role_assignments ra left join public.roles r on r.id = ra.role_id
    where ra.org_id = ${ctx.orgId}::uuid and ra.user_id = ${req.userId}::uuid
      and ra.team_id is not distinct from ${req.teamId ?? null}::uuid and ra.role_id <> ${req.roleId}::uuid`;
  const blocked = atScope.find((g) => !g.grantable);
  if (blocked !== undefined) {
    throw new SyncError('forbidden', `You cannot take the role "${blocked.key ?? '?'}" from this member: it carries permissions you do not hold.`);
  }
  if (atScope.length > 0) await ctx.tx`delete from public.role_assignments where id in ${ctx.tx(atScope.map((g) => g.id))}`;
  await upsertGrant(ctx, req);
  return { member: await oneMember(ctx, req.userId) };
}

export async function grant(ctx: AdminCtx, req: AdminRequestOf<'members.grant'>): Promise<AdminResponseOf<'members.grant'>> {
  await refuseSelf(ctx, req.userId);
  await oneMember(ctx, req.userId);
  await checkGrantable(ctx, req.roleId, req.teamId ?? null, req.expiresAt ?? null);
  await upsertGrant(ctx, req);
  return { member: await oneMember(ctx, req.userId) };
}

export async function revokeGrant(ctx: AdminCtx, req: AdminRequestOf<'members.revokeGrant'>): Promise<AdminResponseOf<'members.revokeGrant'>> {
  const [row] = await ctx.tx<{ key: string | null; grantable: boolean }[]>`
    select r.key, private.can_grant_role(ra.org_id, ra.role_id, ra.team_id) as grantable
    from public.role_assignments ra left join public.roles r on r.id = ra.role_id
    where ra.id = ${req.assignmentId}::uuid and ra.org_id = ${ctx.orgId}::uuid`;
  const target = found(row, `Grant ${req.assignmentId}`);
  if (!target.grantable) throw new SyncError('forbidden', `You cannot revoke the role "${target.key ?? '?'}": it carries permissions you do not hold.`);
  await ctx.tx`delete from public.role_assignments where id = ${req.assignmentId}::uuid and org_id = ${ctx.orgId}::uuid`;
  return { ok: true };
}

export async function removeMember(ctx: AdminCtx, req: AdminRequestOf<'members.remove'>): Promise<AdminResponseOf<'members.remove'>> {
  await oneMember(ctx, req.userId);
  const [row] = await ctx.tx<{ ok: boolean }[]>`select private.can_manage_member(${ctx.orgId}::uuid, ${req.userId}::uuid) as ok`;
  if (row?.ok !== true) throw new SyncError('forbidden', 'You cannot remove this member: they hold a role you cannot grant.');
  const deleted = await ctx.tx`delete from public.organization_members where org_id = ${ctx.orgId}::uuid and user_id = ${req.userId}::uuid returning user_id`;
  if (deleted.length === 0) throw new SyncError('forbidden', 'The member could not be removed.');
  return { ok: true };
}

async function oneInvitation(ctx: AdminCtx, id: string): Promise<Invitation> {
  const [row] = await ctx.tx<InvitationRow[]>`
    select id::text, email, role_id::text, team_id::text, expires_at, invited_by::text, created_at
    from public.invitations where id = ${id}::uuid and org_id = ${ctx.orgId}::uuid`;
  return invitationOf(found(row, `Invitation ${id}`));
}

/** Queues the invitation e-mail of `invitation` with `token`; the dispatcher sends it after the commit. */
async function queueMail(ctx: AdminCtx, invitation: Invitation, token: string): Promise<void> {
  // The role is readable here (the op checked it); the organization's name is filled in by the
  // dispatcher, which may read it whatever the caller's own read permissions.
  const [row] = await ctx.tx<{ role_name: string }[]>`select name as role_name from public.roles where id = ${invitation.roleId}::uuid`;
  // The member directory needs members.read, which members.invite does not imply (a custom role,
  // an API token scoped to members.invite): without it the mail names no inviter.
  const [inviter] = (await holds(ctx, 'members.read'))
    ? await ctx.tx<{ name: string | null }[]>`
        select coalesce(nullif(display_name, ''), email) as name from public.admin_member_directory(${ctx.orgId}::uuid)
        where user_id = private.acting_user_id()`
    : [];
  const mail: PendingInvitationMail = {
    to: invitation.email, token, orgId: ctx.orgId, orgName: '', roleName: row?.role_name ?? 'a member',
    invitedBy: inviter?.name ?? null, expiresAt: invitation.expiresAt,
  };
  ctx.outbox.push(mail);
}

/** What an invite or resend answers before its e-mail is tried (the dispatcher fills in the outcome). */
const MAIL_PENDING = { status: 'not-configured' } as const;

export async function invite(ctx: AdminCtx, req: AdminRequestOf<'members.invite'>): Promise<AdminResponseOf<'members.invite'>> {
  await checkGrantable(ctx, req.roleId, req.teamId ?? null, null);
  const [made] = await ctx.tx<{ invitation_id: string; token: string }[]>`
    select invitation_id::text, token from public.admin_invite(${ctx.orgId}::uuid, ${req.email}, ${req.roleId}::uuid,
      ${req.teamId ?? null}::uuid, ${req.expiresAt ?? null}::timestamptz)`;
  if (made === undefined) throw new SyncError('internal', 'The invitation was not created.');
  const invitation = await oneInvitation(ctx, made.invitation_id);
  await queueMail(ctx, invitation, made.token);
  return { invitation, token: made.token, mail: MAIL_PENDING };
}

export async function listInvitations(ctx: AdminCtx): Promise<AdminResponseOf<'invitations.list'>> {
  const rows = await ctx.tx<InvitationRow[]>`
    select id::text, email, role_id::text, team_id::text, expires_at, invited_by::text, created_at
    from public.invitations where org_id = ${ctx.orgId}::uuid and accepted_at is null order by created_at desc, id`;
  return { invitations: rows.map(invitationOf) };
}

export async function resendInvitation(ctx: AdminCtx, req: AdminRequestOf<'invitations.resend'>): Promise<AdminResponseOf<'invitations.resend'>> {
  const [row] = await ctx.tx<{ token: string }[]>`
    select public.admin_resend_invitation(${ctx.orgId}::uuid, ${req.invitationId}::uuid) as token`;
  if (row === undefined) throw new SyncError('internal', 'The invitation was not renewed.');
  const invitation = await oneInvitation(ctx, req.invitationId);
  await queueMail(ctx, invitation, row.token);
  return { invitation, token: row.token, mail: MAIL_PENDING };
}

export async function cancelInvitation(ctx: AdminCtx, req: AdminRequestOf<'invitations.cancel'>): Promise<AdminResponseOf<'invitations.cancel'>> {
  const deleted = await ctx.tx`
    delete from public.invitations where id = ${req.invitationId}::uuid and org_id = ${ctx.orgId}::uuid and accepted_at is null returning id`;
  if (deleted.length === 0) throw new SyncError('not-found', `Pending invitation ${req.invitationId} does not exist in this organization.`);
  return { ok: true };
}

/**
 * Accepts an invitation addressed to the caller (`public.accept_invitation` checks the confirmed
 * e-mail, expiry and the inviter's standing). A token of another organization than the request's
 * is refused and rolled back, so a link can only join the organization it names.
 */
export async function acceptInvitation(ctx: AdminCtx, req: AdminRequestOf<'invitations.accept'>): Promise<AdminResponseOf<'invitations.accept'>> {
  const [row] = await ctx.tx<{ org_id: string }[]>`select public.accept_invitation(${req.token})::text as org_id`;
  if (row?.org_id !== ctx.orgId) throw new SyncError('forbidden', 'Not allowed: invitation is invalid, expired or not addressed to you.');
  const [org] = await ctx.tx<{ name: string }[]>`select display_name as name from public.organizations where id = ${ctx.orgId}::uuid`;
  return { orgId: ctx.orgId, orgName: org?.name ?? '' };
}
