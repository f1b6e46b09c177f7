import assert from 'node:assert/strict';
import type { AdminOp, AdminRequestInputOf } from '../../core/admin/protocol';
import type { AdminResponseOf } from '../../core/admin/responses';
import { AdminError, createAdminClient } from '../../extension/admin/adminClient';
import type { AdminClient } from '../../extension/admin/adminClient';
import { ids, users } from './orgFixture';
import { startSyncWorld } from './syncWorld';
import type { SyncWorld } from './syncWorld';

/**
 * The admin tests' world: the sync world (fresh migrated database with the two-organization
 * fixture, real Deno serving the bundled functions) plus typed admin clients per fixture user, a
 * refusal assertion and the audit log's high-water mark (a refused request must not move it: every
 * write to any table in public appends to the log).
 */
export interface AdminWorld extends SyncWorld {
  /** The typed client (extension/admin/adminClient.ts) as a fixture user. */
  as(user: keyof typeof users): AdminClient;
  /** The typed client with any bearer (an API token). */
  withToken(token: string): AdminClient;
  /** The newest audit log id (0 when empty). */
  auditMark(): Promise<number>;
}

/** Starts the admin world; `env` adds environment variables of the functions (e.g. the SMTP server). */
export async function startAdminWorld(options: { env?: Record<string, string> } = {}): Promise<AdminWorld> {
  const world = await startSyncWorld(options);
  // Invitations are accepted only by confirmed e-mails; the fixture's users are all confirmed.
  await world.db.admin`update auth.users set email_confirmed_at = now()`;
  return {
    ...world,
    as: (user) => createAdminClient(world.clientOf(user)),
    withToken: (token) => createAdminClient(world.clientWith(token)),
    auditMark: async () => Number((await world.db.admin<{ id: string | null }[]>`select max(id)::text as id from mallard_audit.log`)[0]?.id ?? 0),
  };
}

/** Calls `request` expecting the refusal `reason` (and HTTP `status`), with a message matching `message`. */
export async function refused<O extends AdminOp>(
  client: AdminClient, request: AdminRequestInputOf<O>, reason: AdminError['reason'], status: number, message?: RegExp,
): Promise<AdminError> {
  let answer: AdminResponseOf<O> | undefined;
  try {
    answer = await client.call(request);
  } catch (err) {
    assert.ok(err instanceof AdminError, `${request.op}: ${String(err)}`);
    assert.deepEqual([err.reason, err.status], [reason, status], `${request.op}: ${err.message}`);
    if (message !== undefined) assert.match(err.message, message, request.op);
    return err;
  }
  assert.fail(`${request.op} should be refused (${reason}) but answered ${JSON.stringify(answer).slice(0, 300)}`);
}

export { ids, users };
