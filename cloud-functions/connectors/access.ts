import type { TransactionSql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { withClaims } from '../_shared/db';

/**
 * Permission checks of the `connectors` function, always under the caller's claims (so grants,
 * team hierarchies, time-bound grants and API token scopes count exactly as RLS counts them).
 */

/** Connector permissions (keys of `public.permissions`). */
export type ConnectorPermission = 'connectors.read' | 'connectors.manage' | 'connectors.run';

/** Runs `fn` under the caller's claims. */
export async function asCaller<B, T>(ctx: ApiContext<B>, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return await withClaims(ctx.db, ctx.principal.claims, {}, fn);
}

/** True when the caller holds `permission` in the organization, or for `teamId` (a grant on it or an ancestor team). */
export async function holds(tx: TransactionSql, orgId: string, permission: ConnectorPermission, teamId: string | null): Promise<boolean> {
  const [row] = await tx<{ ok: boolean }[]>`select private.has_permission(${orgId}, ${permission}, ${teamId}) as ok`;
  return row?.ok === true;
}

/** True when the caller holds `permission` organization-wide or for at least one team of the organization. */
export async function holdsAnywhere(tx: TransactionSql, orgId: string, permission: ConnectorPermission): Promise<boolean> {
  const [row] = await tx<{ ok: boolean }[]>`select private.has_permission(${orgId}, ${permission}, null)
      or exists (select 1 from private.team_scopes_with(${permission}) s where s.org_id = ${orgId}) as ok`;
  return row?.ok === true;
}

/** Throws `forbidden` unless the caller holds `permission` (for the connector's team when it has one). */
export async function requirePermission<B>(ctx: ApiContext<B>, orgId: string, permission: ConnectorPermission, teamId: string | null): Promise<void> {
  const ok = await asCaller(ctx, (tx) => holds(tx, orgId, permission, teamId));
  if (!ok) throw new SyncError('forbidden', `This needs the ${permission} permission${teamId === null ? ' in the organization' : ' for the connector\'s team'}.`);
}
