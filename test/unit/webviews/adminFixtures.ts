import type { Grant, Member, Permission, Role, Team } from '../../../core/admin/responses';
import { Capabilities, type WhoAmI } from '../../../webviews/admin/capabilities';

/** Small, readable fixtures of the admin view's unit tests (ids are valid uuids). */

export const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const ORG = id(900);
export const NOW = Date.parse('2026-12-03T12:00:00Z');

export const ME = id(1);
export const BOB = id(2);

export function who(permissions: string[], teamPermissions: { teamId: string; permission: string }[] = [], userId: string | null = ME): WhoAmI {
  return { orgId: ORG, orgName: 'Acme', userId, tokenId: null, permissions, teamPermissions, grants: [] };
}

export function caps(permissions: string[], teamPermissions: { teamId: string; permission: string }[] = []): Capabilities {
  return new Capabilities(who(permissions, teamPermissions));
}

export function role(n: number, name: string, effectivePermissions: string[], builtin = true): Role {
  return { id: id(100 + n), key: name.toLowerCase(), name, description: '', builtin, parentRoleId: null, permissions: effectivePermissions, effectivePermissions };
}

export function team(n: number, name: string, parent: number | null, memberIds: string[] = []): Team {
  return { id: id(200 + n), parentId: parent === null ? null : id(200 + parent), name, description: '', memberIds };
}

export function grant(n: number, r: Role, expiresAt: string | null, teamId: string | null = null): Grant {
  return { assignmentId: id(300 + n), roleId: r.id, roleKey: r.key, roleName: r.name, teamId, expiresAt, grantedBy: null, grantedAt: '2026-12-01T00:00:00Z' };
}

export function member(userId: string, email: string, grants: Grant[], teamIds: string[] = []): Member {
  return { userId, email, displayName: email.split('@')[0] ?? email, status: 'active', joinedAt: '2026-11-01T00:00:00Z', grants, teamIds };
}

export const permissions: Permission[] = [
  { key: 'members.read', area: 'members', description: 'See members' },
  { key: 'members.invite', area: 'members', description: 'Invite people' },
  { key: 'catalog.read', area: 'catalog', description: 'Read the catalog' },
  { key: 'org.delete', area: 'org', description: 'Delete the organization' },
];
