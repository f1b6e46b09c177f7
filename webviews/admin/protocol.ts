import { z } from 'zod';
import { ADMIN_OPS, AuditFilter, type AdminOp, type AdminRequestInputOf } from '../../core/admin/protocol';
import { ADMIN_RESPONSES } from '../../core/admin/responses';

/**
 * Messages between the "Manage Team" webview and the extension host. Every admin operation of the
 * `admin` edge function's contract (`core/admin/protocol.ts`) is a request whose method is the
 * operation's name and whose params are the operation's fields without `op` and `orgId`: the host
 * adds the organization of the sync configuration, validates the whole request against the
 * contract, calls the function with the signed-in session and answers with its result (checked by
 * the webview against `core/admin/responses.ts`) or its error message, which the view shows next to
 * the action. Exporting the audit log is the host's own request (it asks where to save). Both sides
 * `safeParse` every message and drop what does not match.
 */

/** Bumped when a message changes incompatibly; the host refuses a `ready` with another version. */
export const ADMIN_PROTOCOL_VERSION = 1;

/** The params of one admin operation as the webview sends them. */
export type AdminParams<O extends AdminOp> = Omit<AdminRequestInputOf<O>, 'op' | 'orgId'>;

/** Every request the webview may send, as the shared client types them. */
export type AdminViewRequest = { [O in AdminOp]: { method: O; params: AdminParams<O> } }[AdminOp] | { method: 'exportAudit'; params: { filter: AuditFilter } };

/** What an export did: saved to a file (with the row count), or the user closed the save dialog. */
export const ExportOutcome = z.union([
  z.object({ saved: z.literal(true), path: z.string(), rows: z.number().int().nonnegative(), truncated: z.boolean() }),
  z.object({ saved: z.literal(false) }),
]);
export type ExportOutcome = z.infer<typeof ExportOutcome>;

/** Result schema per method, used by the webview to validate replies. */
export const AdminViewResults = { ...ADMIN_RESPONSES, exportAudit: ExportOutcome } as const;

const RequestId = z.number().int().nonnegative();
const OpName = z.enum(ADMIN_OPS as [AdminOp, ...AdminOp[]]);

// ---- webview → host ----

export const AdminReady = z.object({ type: z.literal('ready'), protocolVersion: z.number().int() });

/** One admin operation; the host checks `params` against the contract once it adds `op` and `orgId`. */
export const AdminCall = z.object({
  type: z.literal('request'),
  id: RequestId,
  method: OpName,
  params: z.record(z.string(), z.unknown()).refine((p) => !('op' in p) && !('orgId' in p), 'op and orgId are set by the host'),
});
export type AdminCall = z.infer<typeof AdminCall>;

/** Export the filtered audit log as CSV into a file the user picks. */
export const ExportAudit = z.object({ type: z.literal('request'), id: RequestId, method: z.literal('exportAudit'), params: z.object({ filter: AuditFilter }) });
export type ExportAudit = z.infer<typeof ExportAudit>;

/** Fire-and-forget commands. */
export const AdminCommand = z.discriminatedUnion('command', [
  /** Put text on the clipboard (a new API token's secret, an invitation token). */
  z.object({ type: z.literal('command'), command: z.literal('copy'), text: z.string().min(1).max(10_000) }),
  /** Run "Mallard: Sign In". */
  z.object({ type: z.literal('command'), command: z.literal('signIn') }),
  /** Run "Mallard: Choose Organization". */
  z.object({ type: z.literal('command'), command: z.literal('chooseOrganization') }),
]);
export type AdminCommand = z.infer<typeof AdminCommand>;

export const AdminWebviewToHost = z.union([AdminReady, ExportAudit, AdminCall, AdminCommand]);
export type AdminWebviewMessage = z.infer<typeof AdminWebviewToHost>;

// ---- host → webview ----

/** Where the panel stands: ready for one organization, or why it cannot act yet. */
export const AdminContext = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ready'),
    orgId: z.uuid(),
    /** The organization's name as the sync configuration knows it (its id when set by id). */
    orgLabel: z.string(),
    /** Who is signed in (`alice@example.com`, `API token`). */
    signedInAs: z.string(),
  }),
  z.object({ state: z.enum(['no-project', 'signed-out', 'no-org']), message: z.string() }),
]);
export type AdminContext = z.infer<typeof AdminContext>;

const MethodName = z.union([OpName, z.literal('exportAudit')]);

export const AdminResponse = z.union([
  z.object({ type: z.literal('response'), id: RequestId, method: MethodName, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, method: MethodName, ok: z.literal(false), error: z.string() }),
]);

export const AdminNotification = z.discriminatedUnion('event', [
  /** The panel's context changed (sign-in, sign-out, another organization): the view reloads. */
  z.object({ type: z.literal('notify'), event: z.literal('context'), context: AdminContext }),
]);

export const AdminHostToWebview = z.union([AdminResponse, AdminNotification]);
export type AdminHostMessage = z.infer<typeof AdminHostToWebview>;

/** Parses a message from the webview; undefined when it does not match. */
export function parseAdminWebviewMessage(value: unknown): AdminWebviewMessage | undefined {
  const parsed = AdminWebviewToHost.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses a message from the host; undefined when it does not match. */
export function parseAdminHostMessage(value: unknown): AdminHostMessage | undefined {
  const parsed = AdminHostToWebview.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
