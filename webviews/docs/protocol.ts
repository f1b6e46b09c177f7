import { z } from 'zod';
import { EntityKind } from '../../core/model/entities';
import { DocVersionsCall, DocVersionsResponse } from './historyProtocol';

/**
 * Messages between the docs webview and the extension host. Both sides `safeParse` every message
 * and drop what does not match. The webview posts `ready`; the host then posts `entity`; saving a
 * description is a request whose reply says whether the YAML was written, or why not.
 */

/** Bumped when a message changes incompatibly. */
export const DOCS_PROTOCOL_VERSION = 3;

const Id = z.string().min(1).max(2000);

/** A data test as the docs view shows it: a chip with the test's name and a summary of its arguments. */
export const DocTest = z.object({
  name: z.string(),
  /** Arguments in short, with their separator: `→ customers.customer_id`, `: placed, shipped`; empty without arguments. */
  summary: z.string(),
  /** Every argument as written, one `key: value` per line (the chip's tooltip). */
  detail: z.string(),
  /** Set when the test only warns. */
  severity: z.literal('warn').optional(),
});
export type DocTest = z.infer<typeof DocTest>;

/** Where a column's type comes from. */
export const TypeSource = z.object({
  origin: z.enum(['declared', 'inferred', 'manifest', 'catalog']),
  /** Short label shown next to the type: `declared`, `inferred from stg_orders.amount`, `manifest`, `catalog`. */
  label: z.string(),
  /** Longer explanation for the tooltip. */
  detail: z.string(),
});
export type TypeSource = z.infer<typeof TypeSource>;

/** One column of the documented entity. */
export const DocColumn = z.object({
  /** Column id `<entityId>#<column>`. */
  id: Id,
  name: z.string(),
  /** Data type when known: declared, from dbt's artifacts, or inferred through lineage. */
  type: z.string().optional(),
  /** Where `type` comes from; set whenever `type` is. */
  typeSource: TypeSource.optional(),
  /** Markdown, `{{ doc() }}` already resolved. */
  description: z.string(),
  tags: z.array(z.string()),
  tests: z.array(DocTest),
  /** True when the description comes from a docs block (`{{ doc("…") }}`); editing edits the block. */
  fromDocBlock: z.boolean(),
});
export type DocColumn = z.infer<typeof DocColumn>;

/** A neighbour in the upstream/downstream summary. */
export const DocNeighbor = z.object({ id: Id, name: z.string(), kind: z.union([EntityKind, z.literal('unknown')]) });

/** Everything the docs view shows about one entity. */
export const DocEntity = z.object({
  id: Id,
  name: z.string(),
  kind: EntityKind,
  project: z.string(),
  /** Markdown, `{{ doc() }}` already resolved. The webview renders it with raw HTML disabled. */
  description: z.string(),
  descriptionFromDocBlock: z.boolean(),
  tags: z.array(z.string()),
  owners: z.array(z.object({ name: z.string(), email: z.string().optional(), source: z.string() })),
  materialized: z.string().optional(),
  relation: z.string().optional(),
  columns: z.array(DocColumn).max(10_000),
  tests: z.array(DocTest),
  upstream: z.array(DocNeighbor).max(500),
  downstream: z.array(DocNeighbor).max(500),
  /** Totals, which may exceed the lists above. */
  upstreamCount: z.number().int().nonnegative(),
  downstreamCount: z.number().int().nonnegative(),
  /** Defining file (workspace-relative) and 1-based line. */
  file: z.object({ path: z.string(), line: z.number().int().nonnegative() }),
  /** False when descriptions cannot be written back (plain SQL tables, exposures without YAML). */
  editable: z.boolean(),
  /** Docs quality score (0–100) and what would raise it, for scored kinds (models, seeds, snapshots, sources). */
  quality: z.object({ score: z.number().min(0).max(100), hints: z.array(z.string()) }).optional(),
});
export type DocEntity = z.infer<typeof DocEntity>;

// ---- webview → host ----

export const DocsReady = z.object({ type: z.literal('ready'), protocolVersion: z.number().int() });

/** Save a new description of the entity (no `column`) or of one of its columns. */
export const SaveDescription = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.literal('saveDescription'),
  params: z.object({ entityId: Id, column: z.string().optional(), description: z.string().max(100_000) }),
});
export type SaveDescription = z.infer<typeof SaveDescription>;

export const DocsCommand = z.discriminatedUnion('command', [
  /** Open a workspace file at a line. */
  z.object({ type: z.literal('command'), command: z.literal('openFile'), path: z.string(), line: z.number().int().nonnegative() }),
  /** Show lineage of an entity (optionally in column mode). */
  z.object({ type: z.literal('command'), command: z.literal('showLineage'), entityId: Id, column: z.string().optional() }),
  /** Show another entity's docs in this view. */
  z.object({ type: z.literal('command'), command: z.literal('openDocs'), entityId: Id }),
  /** Draft descriptions with the user's AI provider: the empty ones, or all. */
  z.object({ type: z.literal('command'), command: z.literal('draftDocs'), entityId: Id, scope: z.enum(['missing', 'all']) }),
  /** Stop the running draft. */
  z.object({ type: z.literal('command'), command: z.literal('cancelDraft') }),
  /** Check the existing descriptions against the SQL with the user's AI provider. */
  z.object({ type: z.literal('command'), command: z.literal('verifyDocs'), entityId: Id }),
]);
export type DocsCommand = z.infer<typeof DocsCommand>;

export const DocsWebviewToHost = z.union([DocsReady, SaveDescription, DocsCommand, DocVersionsCall]);
export type DocsWebviewMessage = z.infer<typeof DocsWebviewToHost>;

// ---- host → webview ----

/** Outcome of a save: written (with the file), or refused with a reason the view shows. */
export const SaveResult = z.union([
  z.object({ saved: z.literal(true), file: z.string(), created: z.boolean() }),
  z.object({ saved: z.literal(false), reason: z.enum(['conflict', 'yaml-error', 'unexpected-shape', 'templated', 'verify-failed', 'not-editable', 'io-error']), message: z.string() }),
]);
export type SaveResult = z.infer<typeof SaveResult>;

export const DocsResponse = z.union([
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('saveDescription'), ok: z.literal(true), result: SaveResult }),
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.literal('saveDescription'), ok: z.literal(false), error: z.string() }),
]);

/** An AI draft: streaming (characters so far), ready for review (nothing is written until accepted), or failed. */
export const DraftNotification = z.discriminatedUnion('state', [
  z.object({ type: z.literal('notify'), event: z.literal('draft'), entityId: Id, state: z.literal('streaming'), chars: z.number().int().nonnegative() }),
  z.object({
    type: z.literal('notify'), event: z.literal('draft'), entityId: Id, state: z.literal('ready'),
    description: z.string().optional(), columns: z.record(z.string(), z.string()), problems: z.array(z.string()),
    model: z.string(), usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative() }),
  }),
  z.object({ type: z.literal('notify'), event: z.literal('draft'), entityId: Id, state: z.literal('failed'), message: z.string() }),
]);
export type DraftNotification = z.infer<typeof DraftNotification>;

/** AI verification of the docs: contradictions with the SQL lines that show them. */
export const VerifyNotification = z.discriminatedUnion('state', [
  z.object({
    type: z.literal('notify'), event: z.literal('verify'), entityId: Id, state: z.literal('ready'), file: z.string(),
    findings: z.array(z.object({ column: z.string().optional(), claim: z.string(), explanation: z.string(), lines: z.array(z.number().int().positive()), confidence: z.number().min(0).max(1) })),
    dropped: z.array(z.string()),
  }),
  z.object({ type: z.literal('notify'), event: z.literal('verify'), entityId: Id, state: z.literal('failed'), message: z.string() }),
]);
export type VerifyNotification = z.infer<typeof VerifyNotification>;

export const DocsNotification = z.union([
  z.discriminatedUnion('event', [
    z.object({ type: z.literal('notify'), event: z.literal('entity'), entity: DocEntity }),
    z.object({ type: z.literal('notify'), event: z.literal('message'), level: z.enum(['info', 'error']), text: z.string() }),
  ]),
  DraftNotification,
  VerifyNotification,
]);

export const DocsHostToWebview = z.union([DocsResponse, DocVersionsResponse, DocsNotification]);
export type DocsHostMessage = z.infer<typeof DocsHostToWebview>;

/** Parses a message from the docs webview; undefined when it does not match. */
export function parseDocsWebviewMessage(value: unknown): DocsWebviewMessage | undefined {
  const parsed = DocsWebviewToHost.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses a message from the host; undefined when it does not match. */
export function parseDocsHostMessage(value: unknown): DocsHostMessage | undefined {
  const parsed = DocsHostToWebview.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
