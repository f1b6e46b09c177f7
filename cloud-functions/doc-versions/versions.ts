import type { TransactionSql } from 'postgres';
import type { DocTarget, DocVersion, DocVersionList, DocVersionResult } from '../../core/docVersions/protocol';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { sqlState, withClaims } from '../_shared/db';

/**
 * The actions of `doc-versions`. Reads go through RLS on `public.doc_versions` (readers of the row's
 * scope); approve, reject and revert call the security-definer functions of migration
 * 20261216001000, which check docs.approve / catalog.write and write the table and `sync_rows`.
 */

type Ctx = ApiContext<unknown>;

interface VersionRow {
  id: string;
  kind: 'entity' | 'column';
  row_id: string;
  version: number | null;
  status: DocVersion['status'];
  body_before: string | null;
  body_after: string | null;
  author_id: string | null;
  created_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  reason: string | null;
  reverted_from: string | null;
  org_id: string;
}

const COLUMNS = 'id::text, kind, row_id, version, status, body_before, body_after, author_id::text, created_at, reviewed_by::text, reviewed_at, reason, reverted_from::text, org_id::text';

/** Rows with the e-mail addresses of their authors and reviewers (members only). */
async function toVersions(tx: TransactionSql, orgId: string, rows: VersionRow[]): Promise<DocVersion[]> {
  const people = [...new Set(rows.flatMap((r) => [r.author_id, r.reviewed_by]).filter((x): x is string => x !== null))];
  const emails = new Map<string, string>();
  if (people.length > 0) {
    const found = await tx<{ user_id: string; email: string }[]>`select user_id::text, email from private.doc_people(${orgId}::uuid, ${people}::uuid[])`;
    for (const p of found) emails.set(p.user_id, p.email);
  }
  return rows.map((r) => ({
    id: r.id,
    target: { kind: r.kind, id: r.row_id },
    version: r.version,
    status: r.status,
    before: r.body_before,
    after: r.body_after,
    authorId: r.author_id,
    authorEmail: r.author_id === null ? null : emails.get(r.author_id) ?? null,
    createdAt: r.created_at.toISOString(),
    reviewerEmail: r.reviewed_by === null ? null : emails.get(r.reviewed_by) ?? null,
    reviewedAt: r.reviewed_at === null ? null : r.reviewed_at.toISOString(),
    reason: r.reason,
    revertedFrom: r.reverted_from,
  }));
}

async function flags(tx: TransactionSql, orgId: string, team: string | null | 'any'): Promise<{ approvalEnabled: boolean; canApprove: boolean }> {
  const [row] = await tx<{ enabled: boolean; can: boolean }[]>`
    select coalesce((select f.enabled from public.feature_flags f where f.org_id = ${orgId}::uuid and f.key = 'docs.approval'), false) as enabled,
      case when ${team === 'any'}::boolean
        then ${orgId}::uuid = any (array(select private.org_ids_with('docs.approve')))
             or exists (select 1 from private.team_scopes_with('docs.approve') s where s.org_id = ${orgId}::uuid)
        else private.has_permission(${orgId}::uuid, 'docs.approve', ${team === 'any' ? null : team}::uuid) end as can`;
  return { approvalEnabled: row?.enabled ?? false, canApprove: row?.can ?? false };
}

/** `history`: the row's versions, newest first. */
export async function history(ctx: Ctx, orgId: string, target: DocTarget): Promise<DocVersionList> {
  return await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => {
    const rows = await tx.unsafe<VersionRow[]>(
      `select ${COLUMNS} from public.doc_versions where org_id = $1::uuid and kind = $2 and row_id = $3 and field = 'description'
       order by created_at desc, version desc nulls first`,
      [orgId, target.kind, target.id],
    );
    const [team] = await tx<{ team_id: string | null }[]>`
      select private.doc_row_team(${orgId}::uuid, ${target.kind}, ${target.id})::text as team_id`;
    return { versions: await toVersions(tx, orgId, rows), ...(await flags(tx, orgId, team?.team_id ?? null)) };
  });
}

/** `pending`: the organization's pending changes the caller can see, oldest first. */
export async function pending(ctx: Ctx, orgId: string): Promise<DocVersionList> {
  return await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => {
    const rows = await tx.unsafe<VersionRow[]>(
      `select ${COLUMNS} from public.doc_versions where org_id = $1::uuid and status = 'pending' order by created_at limit 500`,
      [orgId],
    );
    return { versions: await toVersions(tx, orgId, rows), ...(await flags(tx, orgId, 'any')) };
  });
}

/** Maps the workflow functions' refusals to request errors (the rest as every function does). */
function workflowError(err: unknown): unknown {
  const state = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  if (state === 'P0002') return new SyncError('not-found', message, { cause: err });
  if (state === '22023') return new SyncError('bad-request', message, { cause: err });
  return err;
}

async function runWorkflow(ctx: Ctx, call: (tx: TransactionSql) => Promise<VersionRow[]>): Promise<DocVersionResult> {
  try {
    return await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => {
      const [row] = await call(tx);
      if (row === undefined) throw new SyncError('internal', 'The doc version workflow did not answer.');
      const [version] = await toVersions(tx, row.org_id, [row]);
      return { version: version! };
    });
  } catch (err) {
    throw workflowError(err);
  }
}

/** `approve` / `reject`. */
export async function review(ctx: Ctx, versionId: string, approve: boolean, reason: string | null): Promise<DocVersionResult> {
  return await runWorkflow(ctx, (tx) => tx.unsafe<VersionRow[]>(
    `select ${COLUMNS} from private.doc_version_review($1::uuid, $2::boolean, $3::text)`, [versionId, approve, reason]));
}

/** `revert`: a new version with the text of `versionId` (published, or pending when it needs approval). */
export async function revert(ctx: Ctx, versionId: string): Promise<DocVersionResult> {
  return await runWorkflow(ctx, (tx) => tx.unsafe<VersionRow[]>(`select ${COLUMNS} from private.doc_version_revert($1::uuid)`, [versionId]));
}
