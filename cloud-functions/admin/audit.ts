import { auditCsv } from '../../core/admin/auditCsv';
import type { AdminRequestOf, AuditFilter } from '../../core/admin/protocol';
import type { AdminResponseOf, AuditEntry } from '../../core/admin/responses';
import type { AdminCtx } from './context';
import { holds, isoNow } from './context';

/**
 * The audit log viewer: `public.audit_log` (the Data API view over the tamper-evident
 * `mallard_audit.log`) read under the caller's claims, so only organizations where they hold
 * audit.view answer; newest first with keyset paging on the id. Images come as the log stored them,
 * without secret columns (the log keeps only their digest).
 */

interface LogRow {
  id: string; occurred_at: Date | string; actor_id: string | null; actor_token_id: string | null; actor_role: string | null;
  action: string; target_table: string; target_id: string | null; before: unknown; after: unknown;
}

async function query(ctx: AdminCtx, filter: AuditFilter, limit: number, before?: number): Promise<{ entries: AuditEntry[]; more: boolean }> {
  const { tx } = ctx;
  const action = filter.action;
  const rows = await tx<LogRow[]>`
    select id::text, occurred_at, actor_id::text, actor_token_id::text, actor_role, action, target_table, target_id, before, after
    from public.audit_log
    where org_id = ${ctx.orgId}::uuid
      ${filter.actorId === undefined ? tx`` : tx`and actor_id = ${filter.actorId}::uuid`}
      ${action === undefined ? tx`` : action.includes('.') ? tx`and action = ${action}` : tx`and starts_with(action, ${`${action}.`})`}
      ${filter.targetTable === undefined ? tx`` : tx`and target_table = ${filter.targetTable}`}
      ${filter.targetId === undefined ? tx`` : tx`and target_id = ${filter.targetId}`}
      ${filter.from === undefined ? tx`` : tx`and occurred_at >= ${filter.from}::timestamptz`}
      ${filter.to === undefined ? tx`` : tx`and occurred_at < ${filter.to}::timestamptz`}
      ${before === undefined ? tx`` : tx`and id < ${before}`}
    order by id desc
    limit ${limit + 1}`;
  // E-mails only for callers who may see the member directory anyway.
  const emails = new Map<string, string | null>();
  if (await holds(ctx, 'members.read')) {
    const directory = await tx<{ user_id: string; email: string | null }[]>`
      select user_id::text, email from public.admin_member_directory(${ctx.orgId}::uuid)`;
    for (const d of directory) emails.set(d.user_id, d.email);
  }
  const entries = rows.slice(0, limit).map((r): AuditEntry => ({
    id: Number(r.id), occurredAt: isoNow(r.occurred_at), actorId: r.actor_id,
    actorEmail: r.actor_id === null ? null : emails.get(r.actor_id) ?? null, actorTokenId: r.actor_token_id, actorRole: r.actor_role,
    action: r.action, targetTable: r.target_table, targetId: r.target_id,
    before: (r.before ?? null) as AuditEntry['before'], after: (r.after ?? null) as AuditEntry['after'],
  }));
  return { entries, more: rows.length > limit };
}

export async function queryAudit(ctx: AdminCtx, req: AdminRequestOf<'audit.query'>): Promise<AdminResponseOf<'audit.query'>> {
  const { entries, more } = await query(ctx, req.filter, req.limit, req.before);
  return { entries, nextBefore: more ? (entries[entries.length - 1]?.id ?? null) : null };
}

export async function exportAudit(ctx: AdminCtx, req: AdminRequestOf<'audit.export'>): Promise<AdminResponseOf<'audit.export'>> {
  const { entries, more } = await query(ctx, req.filter, req.limit);
  return { csv: auditCsv(entries), rows: entries.length, truncated: more };
}
