import { z } from 'zod';

/**
 * The contract of the `doc-versions` edge function (doc versions and approvals, issue 16): the
 * history of one synced row's description, the organization's pending changes, approving or
 * rejecting one (needs `docs.approve`), and reverting to a version (needs `catalog.write`; pending
 * when approval is on and the caller cannot approve). Every request names its organization; the
 * function runs it under the caller's claims (RLS on `public.doc_versions` decides what is read,
 * the security-definer functions of migration 20261216001000 check the permissions). Errors are the
 * `{ code, message }` envelope of `core/sync/errors.ts` (bad-request 400, forbidden 403, not-found 404).
 */

const Uuid = z.uuid();
/** A synced metadata row: `entity` (a model's id) or `column` (`<entity id>#<column>`). */
export const DocTarget = z.strictObject({ kind: z.enum(['entity', 'column']), id: z.string().min(1).max(1024) });
export type DocTarget = z.infer<typeof DocTarget>;

const base = <A extends string, S extends z.ZodRawShape>(action: A, shape: S) =>
  z.strictObject({ action: z.literal(action), orgId: Uuid, ...shape });

/** Every request of the function. */
export const DocVersionsRequest = z.discriminatedUnion('action', [
  /** Versions of one row's description, newest first, with what the caller may do. */
  base('history', { target: DocTarget }),
  /** Pending changes of the organization the caller can see, oldest first. */
  base('pending', {}),
  base('approve', { versionId: Uuid }),
  base('reject', { versionId: Uuid, reason: z.string().trim().min(1).max(2000) }),
  base('revert', { versionId: Uuid }),
]);
export type DocVersionsRequest = z.infer<typeof DocVersionsRequest>;

/** One version of a description. */
export const DocVersion = z.looseObject({
  id: Uuid,
  target: DocTarget,
  /** The published number (1, 2, …); null while pending or after a rejection. */
  version: z.number().int().positive().nullable(),
  status: z.enum(['published', 'pending', 'rejected']),
  /** The text before and after the change (null: no description). */
  before: z.string().nullable(),
  after: z.string().nullable(),
  authorId: Uuid.nullable(),
  /** The author's e-mail address when they are still a member. */
  authorEmail: z.string().nullable(),
  createdAt: z.string(),
  reviewerEmail: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  /** A rejection's reason (or an approval's note). */
  reason: z.string().nullable(),
  /** The version a revert restored. */
  revertedFrom: Uuid.nullable(),
});
export type DocVersion = z.infer<typeof DocVersion>;

/** Answer of `history` and `pending`. */
export const DocVersionList = z.looseObject({
  versions: z.array(DocVersion),
  /** Whether the organization's `docs.approval` flag is on. */
  approvalEnabled: z.boolean(),
  /** Whether the caller holds `docs.approve` (for `history`: on the row's scope; for `pending`: anywhere in the org). */
  canApprove: z.boolean(),
});
export type DocVersionList = z.infer<typeof DocVersionList>;

/** Answer of `approve`, `reject` and `revert`: the version as it is now (a revert: the new version). */
export const DocVersionResult = z.looseObject({ version: DocVersion });
export type DocVersionResult = z.infer<typeof DocVersionResult>;
