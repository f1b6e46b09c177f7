import { z } from 'zod';
import { EntityKind, ModelEdgeKind, TransformKind } from '../../core/model/entities';

/**
 * Messages between the lineage webview and the extension host. Both sides `safeParse` every message
 * with these schemas and drop what does not match. Flow: the webview posts `ready`; only then does
 * the host post the first `graph` notification; the webview asks for more with requests that carry
 * an id, and the host answers each with exactly one `response` carrying the same id.
 */

/** Bumped when a message changes incompatibly; the host refuses a `ready` with another version. */
export const LINEAGE_PROTOCOL_VERSION = 1;
/** Hard upper bound of nodes in one payload, whatever the user's `maxGraphNodes` says. */
export const PAYLOAD_NODE_LIMIT = 2000;

const Id = z.string().min(1).max(2000);

/** Opaque continuation token: "more neighbours of this node in this direction". */
export const Cursor = z.string().min(1).max(2100);

/** A node of the model-level graph. */
export const GraphNode = z.object({
  /** Entity id (or a dangling id that has no entity). */
  id: Id,
  /** Short name shown on the node. */
  name: z.string(),
  /** Entity kind; `unknown` for dangling ids. */
  kind: z.union([EntityKind, z.literal('unknown')]),
  /** Project of the entity, empty for dangling ids. */
  project: z.string(),
  /** Hops from the root: negative upstream, positive downstream. */
  depth: z.number().int(),
  /** True for ids that edges point at but no entity defines (a ref to a missing model). */
  dangling: z.boolean(),
  /** Cursors for neighbours not sent yet; absent when everything in that direction was sent. */
  more: z.object({ upstream: Cursor.optional(), downstream: Cursor.optional() }),
  /** The node's columns in output order, with their data types when known (for its column card). */
  columns: z.array(z.object({ name: z.string(), type: z.string().optional() })).max(5000).default([]),
  /** How many neighbours the node has in each direction in total (for "+N" badges). */
  degree: z.object({ upstream: z.number().int().nonnegative(), downstream: z.number().int().nonnegative() }),
});
export type GraphNode = z.infer<typeof GraphNode>;

/** A model-level edge; `from` is upstream of `to`. */
export const GraphEdge = z.object({ from: Id, to: Id, kind: ModelEdgeKind });
export type GraphEdge = z.infer<typeof GraphEdge>;

/** A page of the graph: new nodes, the edges that touch them, and updated cursors of known nodes. */
export const GraphPage = z.object({
  /** The node the graph is centred on. */
  rootId: Id,
  nodes: z.array(GraphNode).max(PAYLOAD_NODE_LIMIT),
  edges: z.array(GraphEdge),
  /** Nodes sent before whose cursors changed because of this page (id → new `more`). */
  updated: z.array(z.object({ id: Id, more: GraphNode.shape.more })),
  /** True for the first page of a new root: the webview clears what it had. */
  reset: z.boolean(),
});
export type GraphPage = z.infer<typeof GraphPage>;

/** Column-level lineage around one column. */
export const ColumnGraph = z.object({
  /** Column id `<entityId>#<column>` the user picked. */
  root: Id,
  nodes: z.array(z.object({ id: Id, entityId: Id, column: z.string(), depth: z.number().int() })).max(PAYLOAD_NODE_LIMIT * 10),
  edges: z.array(z.object({ from: Id, to: Id, transform: TransformKind, direct: z.boolean() })),
});
export type ColumnGraph = z.infer<typeof ColumnGraph>;

/** Why edges around a node may be missing: unresolved names and parse failures with locations. */
export const MissingExplanation = z.object({
  nodeId: Id,
  items: z.array(
    z.object({
      /** `unresolved` for names the resolver could not bind, `diagnostic` for parse/render problems. */
      kind: z.enum(['unresolved', 'diagnostic']),
      /** The name as written (unresolved) or the diagnostic code. */
      name: z.string(),
      reason: z.string(),
      detail: z.string(),
      file: z.string(),
      line: z.number().int().nonnegative(),
      column: z.number().int().nonnegative(),
    }),
  ),
});
export type MissingExplanation = z.infer<typeof MissingExplanation>;

/** A search hit inside the lineage view. */
export const SearchResult = z.array(z.object({ id: Id, name: z.string(), kind: EntityKind }));

// ---- webview → host ----

/** Requests and their params; the reply carries the same `id` and `method`. */
export const LineageRequest = z.discriminatedUnion('method', [
  z.object({ type: z.literal('request'), id: z.number().int().nonnegative(), method: z.literal('expand'), params: z.object({ cursor: Cursor }) }),
  z.object({
    type: z.literal('request'),
    id: z.number().int().nonnegative(),
    method: z.literal('columnLineage'),
    params: z.object({ nodeId: Id, column: z.string().min(1), includeIndirect: z.boolean() }),
  }),
  z.object({ type: z.literal('request'), id: z.number().int().nonnegative(), method: z.literal('explainMissing'), params: z.object({ nodeId: Id }) }),
  z.object({ type: z.literal('request'), id: z.number().int().nonnegative(), method: z.literal('search'), params: z.object({ query: z.string().max(200) }) }),
]);
export type LineageRequest = z.infer<typeof LineageRequest>;
export type LineageMethod = LineageRequest['method'];

/** Fire-and-forget commands. */
export const LineageCommand = z.discriminatedUnion('command', [
  /** Open the node's defining file at its definition. */
  z.object({ type: z.literal('command'), command: z.literal('openNode'), nodeId: Id }),
  /** Open the docs view of the node. */
  z.object({ type: z.literal('command'), command: z.literal('openDocs'), nodeId: Id }),
  /** Re-centre the graph on another node. */
  z.object({ type: z.literal('command'), command: z.literal('focus'), nodeId: Id }),
  /** Save an export the webview rendered (SVG markup, PNG data URL or Mermaid text). */
  z.object({ type: z.literal('command'), command: z.literal('export'), format: z.enum(['svg', 'png', 'mermaid']), content: z.string().max(50_000_000) }),
]);
export type LineageCommand = z.infer<typeof LineageCommand>;

/** The handshake: the webview's script is loaded and listening. */
export const LineageReady = z.object({ type: z.literal('ready'), protocolVersion: z.number().int() });

/** Anything the webview may post. */
export const WebviewToHost = z.union([LineageReady, LineageRequest, LineageCommand]);
export type LineageWebviewMessage = z.infer<typeof WebviewToHost>;

// ---- host → webview ----

/** Result schema per method, used by the webview to validate replies. */
export const LineageResults = {
  expand: GraphPage,
  columnLineage: ColumnGraph,
  explainMissing: MissingExplanation,
  search: SearchResult,
} as const satisfies Record<LineageMethod, z.ZodType>;

/** Reply to one request. `result` is validated against `LineageResults[method]` by the receiver. */
export const LineageResponse = z.union([
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.enum(['expand', 'columnLineage', 'explainMissing', 'search']), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int().nonnegative(), method: z.enum(['expand', 'columnLineage', 'explainMissing', 'search']), ok: z.literal(false), error: z.string() }),
]);
export type LineageResponse = z.infer<typeof LineageResponse>;

/** Notifications pushed by the host. */
export const LineageNotification = z.discriminatedUnion('event', [
  /** A new graph (reset) or more of the current one. */
  z.object({ type: z.literal('notify'), event: z.literal('graph'), page: GraphPage }),
  /** Select a column in column mode (from "Show Column Lineage" in the editor). */
  z.object({ type: z.literal('notify'), event: z.literal('selectColumn'), nodeId: Id, column: z.string() }),
  /** The graph's catalog closed (its folder left the workspace): drop the graph and say why. */
  z.object({ type: z.literal('notify'), event: z.literal('clear'), text: z.string() }),
  /** Something the user should see in the view (the catalog is empty, the root vanished, …). */
  z.object({ type: z.literal('notify'), event: z.literal('message'), level: z.enum(['info', 'error']), text: z.string() }),
]);
export type LineageNotification = z.infer<typeof LineageNotification>;

/** Anything the host may post. */
export const HostToWebview = z.union([LineageResponse, LineageNotification]);
export type LineageHostMessage = z.infer<typeof HostToWebview>;

/** Parses a message from the webview; undefined when it does not match (the caller drops it). */
export function parseWebviewMessage(value: unknown): LineageWebviewMessage | undefined {
  const parsed = WebviewToHost.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses a message from the host; undefined when it does not match (the caller drops it). */
export function parseHostMessage(value: unknown): LineageHostMessage | undefined {
  const parsed = HostToWebview.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
