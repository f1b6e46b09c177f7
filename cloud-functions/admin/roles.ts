import type { AdminRequestOf } from '../../core/admin/protocol';
import type { AdminResponseOf, Role } from '../../core/admin/responses';
import { SyncError } from '../../core/sync/errors';
import type { AdminCtx } from './context';
import { found } from './context';

/**
 * Roles: the built-ins (shared, read-only) and the organization's custom roles. A custom role's
 * permissions must all be held by the caller (the role_permissions policies refuse otherwise; the
 * check here names the missing keys first). Permission keys come from `public.permissions`.
 */

interface RoleRow { id: string; key: string; name: string; description: string; is_builtin: boolean; parent_role_id: string | null; org_id: string | null }

async function loadRoles(ctx: AdminCtx): Promise<Role[]> {
  const roles = await ctx.tx<RoleRow[]>`
    select id::text, key, name, description, is_builtin, parent_role_id::text, org_id::text from public.roles
    where org_id is null or org_id = ${ctx.orgId}::uuid order by is_builtin desc, created_at, key`;
  const perms = await ctx.tx<{ role_id: string; permission_key: string }[]>`
    select role_id::text, permission_key from public.role_permissions
    where org_id is null or org_id = ${ctx.orgId}::uuid order by permission_key`;
  const own = new Map<string, string[]>();
  for (const p of perms) own.set(p.role_id, [...(own.get(p.role_id) ?? []), p.permission_key]);
  const byId = new Map(roles.map((r) => [r.id, r]));
  const effective = (id: string): string[] => {
    const out = new Set<string>();
    // The parent chain is at most 16 deep in the schema's own evaluation; the same bound here.
    for (let r = byId.get(id), depth = 0; r !== undefined && depth < 16; r = r.parent_role_id ? byId.get(r.parent_role_id) : undefined, depth++) {
      for (const k of own.get(r.id) ?? []) out.add(k);
    }
    return [...out].sort();
  };
  return roles.map((r) => ({
    id: r.id, key: r.key, name: r.name, description: r.description, builtin: r.is_builtin, parentRoleId: r.parent_role_id,
    permissions: own.get(r.id) ?? [], effectivePermissions: effective(r.id),
  }));
}

async function oneRole(ctx: AdminCtx, roleId: string): Promise<Role> {
  return found((await loadRoles(ctx)).find((r) => r.id === roleId), `Role ${roleId}`);
}

/** 400 for unknown keys, 403 naming the keys the caller does not hold (a role can't exceed its maker). */
async function checkPermissionSet(ctx: AdminCtx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const rows = await ctx.tx<{ key: string; known: boolean; held: boolean }[]>`
    select k.key, exists (select 1 from public.permissions p where p.key = k.key) as known,
      private.has_permission(${ctx.orgId}::uuid, k.key, null::uuid) as held
    from unnest(${ctx.tx.array([...new Set(keys)])}::text[]) as k(key)`;
  const unknown = rows.filter((r) => !r.known).map((r) => r.key);
  if (unknown.length > 0) throw new SyncError('bad-request', `Unknown permission key(s): ${unknown.join(', ')}.`);
  const missing = rows.filter((r) => !r.held).map((r) => r.key);
  if (missing.length > 0) throw new SyncError('forbidden', `A role can carry only permissions you hold; you lack ${missing.join(', ')}.`);
}

/** The custom role of this organization, refusing built-ins with 403. */
async function customRole(ctx: AdminCtx, roleId: string): Promise<Role> {
  const role = await oneRole(ctx, roleId);
  if (role.builtin) throw new SyncError('forbidden', `The built-in role "${role.key}" is read-only; create a custom role instead.`);
  return role;
}

export async function listRoles(ctx: AdminCtx): Promise<AdminResponseOf<'roles.list'>> {
  return { roles: await loadRoles(ctx) };
}

export async function listPermissions(ctx: AdminCtx): Promise<AdminResponseOf<'permissions.list'>> {
  const rows = await ctx.tx<{ key: string; area: string; description: string }[]>`select key, area, description from public.permissions order by area, key`;
  return { permissions: rows.map((r) => ({ key: r.key, area: r.area, description: r.description })) };
}

export async function createRole(ctx: AdminCtx, req: AdminRequestOf<'roles.create'>): Promise<AdminResponseOf<'roles.create'>> {
  await checkPermissionSet(ctx, req.permissions);
  const [row] = await ctx.tx<{ id: string }[]>`
    insert into public.roles (org_id, key, name, description) values (${ctx.orgId}::uuid, ${req.key}, ${req.name}, ${req.description ?? ''})
    returning id::text`;
  const id = found(row, 'The new role').id;
  for (const key of new Set(req.permissions)) {
    await ctx.tx`insert into public.role_permissions (role_id, permission_key) values (${id}::uuid, ${key})`;
  }
  return { role: await oneRole(ctx, id) };
}

export async function updateRole(ctx: AdminCtx, req: AdminRequestOf<'roles.update'>): Promise<AdminResponseOf<'roles.update'>> {
  const role = await customRole(ctx, req.roleId);
  // Changing a role changes every holder's access: the caller must be able to grant it as it is.
  await checkPermissionSet(ctx, [...role.permissions, ...(req.permissions ?? [])]);
  if (req.name !== undefined || req.description !== undefined) {
    const updated = await ctx.tx`
      update public.roles set name = coalesce(${req.name ?? null}, name), description = coalesce(${req.description ?? null}, description)
      where id = ${req.roleId}::uuid and org_id = ${ctx.orgId}::uuid returning id`;
    if (updated.length === 0) throw new SyncError('forbidden', `You cannot change the role "${role.key}".`);
  }
  if (req.permissions !== undefined) {
    const wanted = new Set(req.permissions);
    const gone = role.permissions.filter((k) => !wanted.has(k));
    if (gone.length > 0) await ctx.tx`delete from public.role_permissions where role_id = ${req.roleId}::uuid and permission_key in ${ctx.tx(gone)}`;
    for (const key of wanted) {
      if (!role.permissions.includes(key)) await ctx.tx`insert into public.role_permissions (role_id, permission_key) values (${req.roleId}::uuid, ${key})`;
    }
  }
  return { role: await oneRole(ctx, req.roleId) };
}

export async function deleteRole(ctx: AdminCtx, req: AdminRequestOf<'roles.delete'>): Promise<AdminResponseOf<'roles.delete'>> {
  const role = await customRole(ctx, req.roleId);
  const [use] = await ctx.tx<{ grants: number; invitations: number; children: number }[]>`
    select (select count(*) from public.role_assignments where role_id = ${req.roleId}::uuid)::int as grants,
      (select count(*) from public.invitations where role_id = ${req.roleId}::uuid and accepted_at is null)::int as invitations,
      (select count(*) from public.roles where parent_role_id = ${req.roleId}::uuid)::int as children`;
  if (use !== undefined && use.grants + use.invitations + use.children > 0) {
    throw new SyncError('conflict', `The role "${role.key}" is in use (${use.grants} grant(s), ${use.invitations} pending invitation(s), ${use.children} role(s) inheriting it); change those first.`);
  }
  const deleted = await ctx.tx`delete from public.roles where id = ${req.roleId}::uuid and org_id = ${ctx.orgId}::uuid returning id`;
  if (deleted.length === 0) throw new SyncError('forbidden', `You cannot delete the role "${role.key}": it carries permissions you do not hold.`);
  return { ok: true };
}
