import type { AdminRequestOf } from '../../core/admin/protocol';
import type { AdminResponseOf, Team } from '../../core/admin/responses';
import { SyncError } from '../../core/sync/errors';
import type { AdminCtx } from './context';
import { found } from './context';

/**
 * Teams: a tree through `parent_id` (the schema refuses cycles and parents of another
 * organization), and their members (who must be members of the organization). Team-scoped grants of
 * teams.manage cover a team and its sub-teams; the policies decide which.
 */

async function loadTeams(ctx: AdminCtx, teamId?: string): Promise<Team[]> {
  const teams = await ctx.tx<{ id: string; parent_id: string | null; name: string; description: string }[]>`
    select id::text, parent_id::text, name, description from public.teams where org_id = ${ctx.orgId}::uuid
    ${teamId === undefined ? ctx.tx`` : ctx.tx`and id = ${teamId}::uuid`} order by name, id`;
  const members = await ctx.tx<{ team_id: string; user_id: string }[]>`
    select team_id::text, user_id::text from public.team_members where org_id = ${ctx.orgId}::uuid order by added_at, user_id`;
  return teams.map((t) => ({
    id: t.id, parentId: t.parent_id, name: t.name, description: t.description,
    memberIds: members.filter((m) => m.team_id === t.id).map((m) => m.user_id),
  }));
}

async function oneTeam(ctx: AdminCtx, teamId: string): Promise<Team> {
  return found((await loadTeams(ctx, teamId))[0], `Team ${teamId}`);
}

/** An update or delete that matched no row: the team is not there, or RLS hid it. */
function changed(rows: readonly unknown[], teamId: string): void {
  if (rows.length === 0) throw new SyncError('not-found', `Team ${teamId} does not exist in this organization (or you cannot manage it).`);
}

export async function listTeams(ctx: AdminCtx): Promise<AdminResponseOf<'teams.list'>> {
  return { teams: await loadTeams(ctx) };
}

export async function createTeam(ctx: AdminCtx, req: AdminRequestOf<'teams.create'>): Promise<AdminResponseOf<'teams.create'>> {
  const [row] = await ctx.tx<{ id: string }[]>`
    insert into public.teams (org_id, parent_id, name, description)
    values (${ctx.orgId}::uuid, ${req.parentId ?? null}::uuid, ${req.name}, ${req.description ?? ''}) returning id::text`;
  return { team: await oneTeam(ctx, found(row, 'The new team').id) };
}

export async function renameTeam(ctx: AdminCtx, req: AdminRequestOf<'teams.rename'>): Promise<AdminResponseOf<'teams.rename'>> {
  changed(await ctx.tx`
    update public.teams set name = ${req.name}, description = coalesce(${req.description ?? null}, description)
    where id = ${req.teamId}::uuid and org_id = ${ctx.orgId}::uuid returning id`, req.teamId);
  return { team: await oneTeam(ctx, req.teamId) };
}

export async function moveTeam(ctx: AdminCtx, req: AdminRequestOf<'teams.move'>): Promise<AdminResponseOf<'teams.move'>> {
  if (req.parentId === req.teamId) throw new SyncError('conflict', 'A team cannot be its own parent.');
  if (req.parentId !== null) {
    await oneTeam(ctx, req.parentId);
    const [p] = await ctx.tx<{ ok: boolean }[]>`select private.has_permission(${ctx.orgId}::uuid, 'teams.manage', ${req.parentId}::uuid) as ok`;
    if (p?.ok !== true) throw new SyncError('forbidden', 'You need the teams.manage permission for the new parent team too.');
  }
  changed(await ctx.tx`
    update public.teams set parent_id = ${req.parentId}::uuid where id = ${req.teamId}::uuid and org_id = ${ctx.orgId}::uuid returning id`, req.teamId);
  return { team: await oneTeam(ctx, req.teamId) };
}

export async function deleteTeam(ctx: AdminCtx, req: AdminRequestOf<'teams.delete'>): Promise<AdminResponseOf<'teams.delete'>> {
  changed(await ctx.tx`delete from public.teams where id = ${req.teamId}::uuid and org_id = ${ctx.orgId}::uuid returning id`, req.teamId);
  return { ok: true };
}

export async function addTeamMember(ctx: AdminCtx, req: AdminRequestOf<'teams.addMember'>): Promise<AdminResponseOf<'teams.addMember'>> {
  await oneTeam(ctx, req.teamId);
  await ctx.tx`
    insert into public.team_members (team_id, org_id, user_id) values (${req.teamId}::uuid, ${ctx.orgId}::uuid, ${req.userId}::uuid)
    on conflict (team_id, user_id) do nothing`;
  return { team: await oneTeam(ctx, req.teamId) };
}

export async function removeTeamMember(ctx: AdminCtx, req: AdminRequestOf<'teams.removeMember'>): Promise<AdminResponseOf<'teams.removeMember'>> {
  await oneTeam(ctx, req.teamId);
  const deleted = await ctx.tx`
    delete from public.team_members where team_id = ${req.teamId}::uuid and org_id = ${ctx.orgId}::uuid and user_id = ${req.userId}::uuid returning user_id`;
  if (deleted.length === 0) throw new SyncError('not-found', `User ${req.userId} is not a member of team ${req.teamId}.`);
  return { team: await oneTeam(ctx, req.teamId) };
}
