import type { TransactionSql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import type { Principal } from '../_shared/auth';
import type { PendingInvitationMail } from './invitationMail';

/**
 * What every `admin` operation runs with: the transaction under the caller's claims (so RLS and
 * the guard triggers judge every statement), the organization, and the caller. Also the explicit
 * permission check that runs before each op, so a refusal is a 403 naming the missing permission
 * rather than an empty answer filtered by RLS.
 */

/** One admin operation's context. */
export interface AdminCtx {
  tx: TransactionSql;
  orgId: string;
  principal: Principal;
  /** Invitation e-mails to send once the transaction has committed (at most one per op). */
  outbox: PendingInvitationMail[];
}

/** Timestamps as ISO text (postgres.js answers `Date`); null stays null. */
export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** Like `iso` for columns that are never null. */
export function isoNow(value: Date | string): string {
  return iso(value) as string;
}

/** Refuses with 403 unless the caller holds some grant in the organization. */
export async function requireMember(ctx: AdminCtx): Promise<void> {
  const [row] = await ctx.tx<{ member: boolean }[]>`select exists (select 1 from public.admin_my_grants(${ctx.orgId}::uuid)) as member`;
  if (row?.member !== true) throw new SyncError('forbidden', 'You are not a member of this organization (or your access has expired).');
}

/**
 * Refuses with 403 naming `permission` unless the caller holds it organization-wide or, when
 * `teamId` is given, for that team (a grant on an ancestor team counts).
 */
export async function requirePermission(ctx: AdminCtx, permission: string, teamId?: string | null): Promise<void> {
  const [row] = await ctx.tx<{ ok: boolean }[]>`
    select private.has_permission(${ctx.orgId}::uuid, ${permission}, ${teamId ?? null}::uuid) as ok`;
  if (row?.ok !== true) {
    throw new SyncError('forbidden', `You need the ${permission} permission in this organization${teamId ? ' for this team' : ''}.`);
  }
}

/** Whether the caller holds `permission` organization-wide (for optional extras such as e-mails). */
export async function holds(ctx: AdminCtx, permission: string): Promise<boolean> {
  const [row] = await ctx.tx<{ ok: boolean }[]>`select private.has_permission(${ctx.orgId}::uuid, ${permission}, null::uuid) as ok`;
  return row?.ok === true;
}

/** The user the caller acts as (a service token acts as its creator). */
export async function actingUser(ctx: AdminCtx): Promise<string | null> {
  const [row] = await ctx.tx<{ id: string | null }[]>`select private.acting_user_id()::text as id`;
  return row?.id ?? null;
}

/** 404 with `what` when `value` is undefined. */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new SyncError('not-found', `${what} does not exist in this organization.`);
  return value;
}
