import { z } from 'zod';

/**
 * Messages between the AI review-queue webview and the extension host (issue 16's batch mode).
 * The host posts the whole queue after every change (it is small: one entry per drafted model);
 * the page asks to accept a proposal (a request whose reply is the save's confirmation) or sends
 * commands. Both sides `safeParse` every message and drop what does not match.
 */

/** Bumped when a message changes incompatibly. */
export const QUEUE_PROTOCOL_VERSION = 1;

const Key = z.string().min(1).max(4000);

export const QueueProposalView = z.object({
  column: z.string().optional(),
  text: z.string(),
  outcome: z.union([z.literal(''), z.object({ ok: z.boolean(), text: z.string() })]),
});

export const QueueEntryView = z.object({
  key: Key,
  entityId: z.string(),
  name: z.string(),
  path: z.string(),
  state: z.enum(['waiting', 'drafting', 'ready', 'failed', 'cancelled', 'reviewed']),
  message: z.string().optional(),
  proposals: z.array(QueueProposalView),
  problems: z.array(z.string()),
  model: z.string().optional(),
  tokens: z.number().int().nonnegative().optional(),
});
export type QueueEntryView = z.infer<typeof QueueEntryView>;

/** The running batch, if any: its folder and how far it is. */
export const BatchView = z.object({ folder: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative(), running: z.boolean() });
export type BatchView = z.infer<typeof BatchView>;

// ---- webview → host ----

export const QueueReady = z.object({ type: z.literal('ready'), protocolVersion: z.number().int() });

/** Accept one proposal with the (possibly edited) text: saved through the docs save path. */
export const AcceptProposal = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.literal('accept'),
  params: z.object({ key: Key, column: z.string().optional(), text: z.string().max(100_000) }),
});
export type AcceptProposal = z.infer<typeof AcceptProposal>;

export const QueueCommand = z.discriminatedUnion('command', [
  z.object({ type: z.literal('command'), command: z.literal('discard'), key: Key, column: z.string().optional() }),
  z.object({ type: z.literal('command'), command: z.literal('openDocs'), key: Key }),
  z.object({ type: z.literal('command'), command: z.literal('remove'), key: Key }),
  z.object({ type: z.literal('command'), command: z.literal('clearFinished') }),
  z.object({ type: z.literal('command'), command: z.literal('cancelBatch') }),
]);
export type QueueCommand = z.infer<typeof QueueCommand>;

export const QueueWebviewToHost = z.union([QueueReady, AcceptProposal, QueueCommand]);
export type QueueWebviewMessage = z.infer<typeof QueueWebviewToHost>;

// ---- host → webview ----

export const QueueResponse = z.union([
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('accept'), ok: z.literal(true), result: z.string() }),
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('accept'), ok: z.literal(false), error: z.string() }),
]);

export const QueueNotification = z.object({ type: z.literal('notify'), event: z.literal('queue'), entries: z.array(QueueEntryView).max(10_000), batch: BatchView.optional() });
export type QueueNotification = z.infer<typeof QueueNotification>;

export const QueueHostToWebview = z.union([QueueResponse, QueueNotification]);
export type QueueHostMessage = z.infer<typeof QueueHostToWebview>;

/** Parses a message from the queue webview; undefined when it does not match. */
export function parseQueueWebviewMessage(value: unknown): QueueWebviewMessage | undefined {
  const parsed = QueueWebviewToHost.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses a message from the host; undefined when it does not match. */
export function parseQueueHostMessage(value: unknown): QueueHostMessage | undefined {
  const parsed = QueueHostToWebview.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
