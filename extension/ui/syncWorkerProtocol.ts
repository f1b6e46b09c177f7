import { z } from 'zod';
import { JsonValueSchema } from '../../core/sync/ops';
import { OpRef } from '../../core/sync/records';

/**
 * Sync and edit messages between the extension host and the catalog worker (`scanWorker.ts`), which
 * runs the sync engine on the connection that writes the catalog. Both sides parse what they
 * receive with these schemas. The host answers the worker's credential requests (VS Code keeps the
 * session in SecretStorage); the worker publishes every `SyncStatus` and answers calls.
 */

/** Credentials as the host hands them to the worker (`sync/ports.ts` `SyncCredentials`). */
export const WireCredentials = z.object({
  url: z.string().min(1),
  apiKey: z.string(),
  accessToken: z.string().min(1),
  label: z.string().optional(),
  principal: z.string().optional(),
});

/** An edit target of `CatalogStore.mutate`. */
const EditTargetSchema = z.union([z.object({ entityId: z.string().min(1) }), z.object({ columnId: z.string().min(1) })]);

/** An edit of `CatalogStore.mutate`. */
const EditPatchSchema = z.object({
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

/** What the host asks of the worker; each call is answered by one `reply` with the same `callId`. */
export const SyncCall = z.discriminatedUnion('command', [
  /** Starts (or restarts with new settings) the engine for an organization. */
  z.object({ command: z.literal('start'), orgId: z.uuid(), intervalMs: z.number().int().positive().optional() }),
  z.object({ command: z.literal('stop') }),
  /** Runs a cycle now; replies with the status after it. */
  z.object({ command: z.literal('syncNow') }),
  z.object({ command: z.literal('status') }),
  z.object({ command: z.literal('notify'), trigger: z.enum(['focus', 'online', 'edit']) }),
  /** Replies with `{ conflicts, losers, rejections }`. */
  z.object({ command: z.literal('records') }),
  z.object({ command: z.literal('resolveConflict'), conflictId: z.uuid(), resolution: z.union([z.object({ keep: z.literal('server') }), z.object({ value: JsonValueSchema })]) }),
  z.object({ command: z.literal('retryRejected'), op: OpRef }),
  z.object({ command: z.literal('dismissRejection'), op: OpRef }),
  /** A user edit through the one mutation API (overlay + outbox); replies with the op. */
  z.object({ command: z.literal('mutate'), target: EditTargetSchema, patch: EditPatchSchema }),
]);
export type SyncCall = z.infer<typeof SyncCall>;

/** Host → worker. */
export const ToWorkerSync = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), callId: z.number().int(), call: SyncCall }),
  /** Answer to a `credentials` request; `null` when signed out. */
  z.object({ type: z.literal('credentials'), requestId: z.number().int(), credentials: WireCredentials.nullable() }),
]);
export type ToWorkerSync = z.infer<typeof ToWorkerSync>;

/** Worker → host. */
export const FromWorkerSync = z.discriminatedUnion('type', [
  /** Answer to a call: `value` when `ok`, else `error` (and the typed error's `reason`). */
  z.object({ type: z.literal('reply'), callId: z.number().int(), ok: z.boolean(), value: z.unknown().optional(), error: z.string().optional(), reason: z.string().optional() }),
  /** Every new sync status (`sync/status.ts` `SyncStatus`). */
  z.object({ type: z.literal('syncStatus'), status: z.looseObject({ state: z.enum(['idle', 'syncing', 'offline', 'error']), orgId: z.string() }) }),
  /** The engine needs credentials for a cycle. */
  z.object({ type: z.literal('credentials'), requestId: z.number().int() }),
  /** Pulled rows changed what reads show: the host refreshes its views. */
  z.object({ type: z.literal('syncChanged') }),
]);
export type FromWorkerSync = z.infer<typeof FromWorkerSync>;

/** Message types of this protocol, so each side can route them apart from scan messages. */
export const SYNC_MESSAGE_TYPES: ReadonlySet<string> = new Set(['call', 'credentials', 'reply', 'syncStatus', 'syncChanged']);
