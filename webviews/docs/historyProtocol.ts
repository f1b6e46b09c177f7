import { z } from 'zod';
import { DocVersion, DocVersionList } from '../../core/docVersions/protocol';

/**
 * The docs panel's messages about doc versions in the cloud (issue 16): the history of the shown
 * entity's or a column's description, the organization's pending changes, and approve / reject /
 * revert. The host answers through the `doc-versions` edge function as the signed-in user; without
 * a sign-in or an organization it answers `unavailable` with what to do.
 */

const Id = z.string().min(1).max(2000);

/** A request of the webview (method `docVersions`). */
export const DocVersionsCall = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.literal('docVersions'),
  params: z.discriminatedUnion('action', [
    z.object({ action: z.literal('history'), entityId: Id, column: z.string().max(1000).optional() }),
    z.object({ action: z.literal('pending') }),
    z.object({ action: z.literal('approve'), versionId: z.uuid() }),
    z.object({ action: z.literal('revert'), versionId: z.uuid() }),
    z.object({ action: z.literal('reject'), versionId: z.uuid(), reason: z.string().max(2000) }),
  ]),
});
export type DocVersionsCall = z.infer<typeof DocVersionsCall>;

/** The host's answer: a list (history, pending), the version an action produced, or why nothing can be shown. */
export const DocVersionsAnswer = z.discriminatedUnion('state', [
  z.object({ state: z.literal('list'), list: DocVersionList }),
  z.object({ state: z.literal('done'), version: DocVersion }),
  z.object({ state: z.literal('unavailable'), message: z.string() }),
]);
export type DocVersionsAnswer = z.infer<typeof DocVersionsAnswer>;

/** The response message of a `docVersions` request (an error is a failed call: its message is shown). */
export const DocVersionsResponse = z.union([
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('docVersions'), ok: z.literal(true), result: DocVersionsAnswer }),
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('docVersions'), ok: z.literal(false), error: z.string() }),
]);
