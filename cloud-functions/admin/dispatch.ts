import { ADMIN_OP_PERMISSIONS } from '../../core/admin/protocol';
import type { AdminOp, AdminRequest, AdminRequestOf } from '../../core/admin/protocol';
import type { AdminResponseOf } from '../../core/admin/responses';
import { withClaims } from '../_shared/db';
import type { ApiContext } from '../_shared/apiHandler';
import { exportAudit, queryAudit } from './audit';
import type { AdminCtx } from './context';
import { actingUser, requireMember, requirePermission } from './context';
import { adminErrorOf } from './errors';
import { deliverInvitation } from './invitationMail';
import type { PendingInvitationMail } from './invitationMail';
import * as members from './members';
import * as resources from './resources';
import * as roles from './roles';
import * as teams from './teams';

/**
 * Runs one admin request: a transaction under the caller's claims, membership and the op's
 * permission (`ADMIN_OP_PERMISSIONS`, at the op's team when it names one) checked first, then the
 * op. Any refusal rolls the whole transaction back, so a refused request changes nothing.
 */

type Handler<O extends AdminOp> = (ctx: AdminCtx, req: AdminRequestOf<O>) => Promise<AdminResponseOf<O>>;

async function whoami(ctx: AdminCtx): Promise<AdminResponseOf<'whoami'>> {
  const grants = await ctx.tx<{ team_id: string | null; permission: string }[]>`
    select team_id::text, permission from public.admin_my_grants(${ctx.orgId}::uuid)`;
  const [org] = await ctx.tx<{ name: string }[]>`select display_name as name from public.organizations where id = ${ctx.orgId}::uuid`;
  const userId = await actingUser(ctx);
  return {
    orgId: ctx.orgId,
    orgName: org?.name ?? '',
    userId,
    tokenId: ctx.principal.kind === 'token' ? ctx.principal.tokenId : null,
    permissions: grants.filter((g) => g.team_id === null).map((g) => g.permission),
    teamPermissions: grants.flatMap((g) => (g.team_id === null ? [] : [{ teamId: g.team_id, permission: g.permission }])),
    grants: ctx.principal.kind === 'user' && userId !== null ? await members.ownGrants(ctx, userId) : [],
  };
}

const HANDLERS: { [O in AdminOp]: Handler<O> } = {
  whoami,
  'members.list': members.listMembers,
  'members.invite': members.invite,
  'invitations.list': members.listInvitations,
  'invitations.resend': members.resendInvitation,
  'invitations.cancel': members.cancelInvitation,
  'invitations.accept': members.acceptInvitation,
  'members.setRole': members.setRole,
  'members.grant': members.grant,
  'members.revokeGrant': members.revokeGrant,
  'members.remove': members.removeMember,
  'teams.list': teams.listTeams,
  'teams.create': teams.createTeam,
  'teams.rename': teams.renameTeam,
  'teams.move': teams.moveTeam,
  'teams.delete': teams.deleteTeam,
  'teams.addMember': teams.addTeamMember,
  'teams.removeMember': teams.removeTeamMember,
  'roles.list': roles.listRoles,
  'permissions.list': roles.listPermissions,
  'roles.create': roles.createRole,
  'roles.update': roles.updateRole,
  'roles.delete': roles.deleteRole,
  'tokens.list': resources.listTokens,
  'tokens.create': resources.createToken,
  'tokens.revoke': resources.revokeToken,
  'llmKeys.list': resources.listKeys,
  'llmKeys.add': resources.addKey,
  'llmKeys.configure': resources.configureKey,
  'llmKeys.rotate': resources.rotateKey,
  'llmKeys.delete': resources.deleteKey,
  'flags.list': resources.listFlags,
  'flags.set': resources.setFlag,
  'audit.query': queryAudit,
  'audit.export': exportAudit,
};

/** The team an op acts on, for team-scoped permission checks (null: organization-wide). */
function teamOf(req: AdminRequest): string | null {
  switch (req.op) {
    case 'teams.create':
      return req.parentId ?? null;
    case 'teams.rename':
    case 'teams.move':
    case 'teams.delete':
    case 'teams.addMember':
    case 'teams.removeMember':
      return req.teamId;
    case 'members.setRole':
    case 'members.grant':
      return req.teamId ?? null;
    default:
      return null;
  }
}

/** The `admin` function's handler (see `apiHandler`). */
export async function handleAdmin(api: ApiContext<AdminRequest>): Promise<unknown> {
  const req = api.body;
  const outbox: PendingInvitationMail[] = [];
  let answer: unknown;
  try {
    answer = await withClaims(api.db, api.principal.claims, {}, async (tx) => {
      const ctx: AdminCtx = { tx, orgId: req.orgId, principal: api.principal, outbox };
      // Accepting an invitation is how a non-member becomes one; every other op needs membership.
      if (req.op !== 'invitations.accept') await requireMember(ctx);
      const permission = ADMIN_OP_PERMISSIONS[req.op];
      if (permission !== null) await requirePermission(ctx, permission, teamOf(req));
      return await (HANDLERS[req.op] as Handler<AdminOp>)(ctx, req);
    });
  } catch (err) {
    throw adminErrorOf(err);
  }
  // Invitation e-mails go out only after the commit: a mail never names a token that was rolled
  // back, and a failed mail leaves the invitation standing (its outcome is in the answer).
  const [mail] = outbox;
  if (mail !== undefined && typeof answer === 'object' && answer !== null) {
    // The functions' own login reads the name: an inviter need not hold a permission that shows it.
    const [org] = await api.db<{ name: string }[]>`select display_name as name from public.organizations where id = ${req.orgId}::uuid`;
    return { ...answer, mail: await deliverInvitation({ ...mail, orgName: org?.name ?? 'your organization' }) };
  }
  return answer;
}
