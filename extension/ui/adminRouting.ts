import { AdminRequest } from '../../core/admin/protocol';
import type { AdminOp, AdminRequestInputOf } from '../../core/admin/protocol';
import type { AdminResponseOf } from '../../core/admin/responses';
import type { AdminCall, AdminContext, ExportAudit, ExportOutcome } from '../../webviews/admin/protocol';

/**
 * The host half of the "Manage Team" panel without `vscode`, so it is tested against the real
 * `admin` function: which context the panel is in (project, sign-in, organization), and turning a
 * webview request into an admin call for the configured organization. The webview never chooses
 * the organization: the host adds `orgId` from the sync configuration, so a page cannot act on
 * another organization than the one the window is set up for.
 */

/** The part of `AdminClient` (extension/admin/adminClient.ts) the panel uses. */
export interface AdminCalls {
  call<O extends AdminOp>(request: AdminRequestInputOf<O>): Promise<AdminResponseOf<O>>;
}

/** A refusal of the host itself (the request never left the window). */
export class AdminRouteError extends Error {
  override readonly name = 'AdminRouteError';

  constructor(
    readonly reason: 'bad-request' | 'not-ready',
    message: string,
  ) {
    super(message);
  }
}

/** What the host knows of the window's sync setup. */
export interface AdminSetup {
  /** Whether `mallard.sync.url` and the publishable key are set. */
  project: boolean;
  /** Who is signed in, or undefined. */
  signedInAs: string | undefined;
  /** The organization of the sync configuration. */
  org: { id: string; name: string } | undefined;
}

/** The panel's context for the webview. */
export function adminContextOf(setup: AdminSetup): AdminContext {
  if (!setup.project) return { state: 'no-project', message: 'Set the Supabase project of your team first ("mallard.sync.url" and "mallard.sync.publishableKey").' };
  if (setup.signedInAs === undefined) return { state: 'signed-out', message: 'Sign in to manage your team.' };
  if (setup.org === undefined) return { state: 'no-org', message: 'Choose the organization to manage.' };
  return { state: 'ready', orgId: setup.org.id, orgLabel: setup.org.name, signedInAs: setup.signedInAs };
}

/**
 * The admin request of a webview call for `orgId`, checked against the contract (a request the
 * contract refuses is answered here, naming the field, without a round trip).
 */
export function adminRequestOf(message: AdminCall, orgId: string): AdminRequest {
  const parsed = AdminRequest.safeParse({ ...message.params, op: message.method, orgId });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminRouteError('bad-request', `The ${message.method} request is invalid: ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'bad shape'}.`);
  }
  return parsed.data;
}

/** Runs one webview call through `client` for `orgId`; resolves with the function's answer. */
export async function routeAdminCall(message: AdminCall, orgId: string, client: AdminCalls): Promise<unknown> {
  return client.call(adminRequestOf(message, orgId) as AdminRequestInputOf<AdminOp>);
}

/** Where the CSV goes: asked of the user (undefined: they closed the dialog), then written. */
export interface CsvSink {
  pick(suggestedName: string): Promise<string | undefined>;
  write(path: string, text: string): Promise<void>;
}

/**
 * Exports the filtered audit log: the file name is asked first (nothing is fetched when the user
 * cancels), then the server's CSV of the same filter is written as it is.
 */
export async function exportAuditCsv(message: ExportAudit, orgId: string, client: AdminCalls, sink: CsvSink, now: Date = new Date()): Promise<ExportOutcome> {
  const path = await sink.pick(`mallard-audit-${now.toISOString().slice(0, 10)}.csv`);
  if (path === undefined) return { saved: false };
  const answer = await client.call({ op: 'audit.export', orgId, filter: message.params.filter });
  await sink.write(path, answer.csv);
  return { saved: true, path, rows: answer.rows, truncated: answer.truncated };
}
