import { z } from 'zod';
import { CONNECTOR_TYPES } from './connector';

/**
 * The wire contract of the org connector edge functions, shared by the `connectors` function
 * (`cloud-functions/connectors/`), the `org-extract` function and every client (the command-palette
 * flow, the Connectors tree, the CLI). Every request carries `orgId` and an `action`; answers are the
 * 200 JSON bodies below, failures the `{ code, message }` envelope of `core/sync/errors.ts` with its
 * HTTP status (`forbidden` 403 without the permission, `not-found` 404, `conflict` 409 for a name
 * already taken, `bad-request` 400 for invalid config or secrets). Runtime-neutral: zod only.
 *
 * Secrets are write-only: `save` takes them, nothing ever returns them; lists show a masked form
 * per key (`••••abcd`, see `maskSecret` in `cloud-functions/_shared/secretBox.ts`).
 *
 * Permissions (keys of `public.permissions`): `list` and `runs` need `connectors.read`; `save`,
 * `delete`, `setStatus` and a `test` of unsaved settings need `connectors.manage`; `run` and a `test`
 * of a saved connector as stored need `connectors.run`. Checked for the connector's team when it
 * has one (a team grant covers its connectors), else for the organization.
 */

/** Name of the edge function that manages connectors (`supabase.functions.invoke(CONNECTORS_FUNCTION, …)`). */
export const CONNECTORS_FUNCTION = 'connectors';
/** Name of the edge function that runs org extractions chunk by chunk (service role only). */
export const ORG_EXTRACT_FUNCTION = 'org-extract';

const Id = z.uuid();
/** A JSON object (connector config; validated by the connector type's own zod schema on the server). */
const JsonObject = z.record(z.string(), z.json());
/** Timestamps are ISO 8601 strings. */
const Timestamp = z.string();

/** Connector types of the org (the definitions live in `registry.ts`). */
export const OrgConnectorType = z.enum(CONNECTOR_TYPES);

/** When a connector runs by itself: every `everyMinutes` after its last scheduled or manual run. `null`: on demand only. */
export const ConnectorSchedule = z.object({ everyMinutes: z.number().int().min(15).max(60 * 24 * 31) });
export type ConnectorSchedule = z.infer<typeof ConnectorSchedule>;

/** `active` runs on schedule and on demand; `paused` only on demand ("Run now"); `error`: the last run failed (runs continue). */
export const ConnectorStatus = z.enum(['active', 'paused', 'error']);
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;

/** The life of a run: `queued` → `running` → `succeeded` | `failed` | `cancelled`. */
export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** Where a running run is: fetching the source, parsing files, assembling, writing the org catalog rows. */
export const RunPhase = z.enum(['fetch', 'parse', 'assemble', 'write', 'done']);
export type RunPhase = z.infer<typeof RunPhase>;

/** One problem of a run: a failed chunk (retried until `attempts` runs out), or the reason the run failed. */
export const RunError = z.looseObject({
  at: Timestamp,
  /** The chunk it happened in (1-based). */
  chunk: z.number().int().nonnegative(),
  /** A `ConnectorErrorReason` (`auth-failed`, `not-found`, …) or `internal`. */
  reason: z.string(),
  message: z.string(),
});
export type RunError = z.infer<typeof RunError>;

/** Counts of a run so far (absent ones are 0). */
export const RunCounts = z.looseObject({
  /** Files staged from the source (GitHub) or relations read (warehouses). */
  files: z.number().int().nonnegative().default(0),
  /** Files whose per-file step ran. */
  filesParsed: z.number().int().nonnegative().default(0),
  entities: z.number().int().nonnegative().default(0),
  columns: z.number().int().nonnegative().default(0),
  modelEdges: z.number().int().nonnegative().default(0),
  columnEdges: z.number().int().nonnegative().default(0),
  diagnostics: z.number().int().nonnegative().default(0),
  /** Org catalog rows written (created or changed) and deleted (gone from the source). */
  rowsWritten: z.number().int().nonnegative().default(0),
  rowsDeleted: z.number().int().nonnegative().default(0),
  /** 1 when the source was the one the last successful run extracted (nothing downloaded or written). */
  unchanged: z.number().int().nonnegative().optional(),
});
export type RunCounts = z.infer<typeof RunCounts>;

/** The status of one run, as `runs` and `run` report it. */
export const RunSummary = z.looseObject({
  id: Id,
  connectorId: Id,
  trigger: z.enum(['manual', 'schedule']),
  status: RunStatus,
  phase: RunPhase,
  /** Chunk invocations finished so far. */
  chunksDone: z.number().int().nonnegative(),
  counts: RunCounts,
  /** Most recent first, at most 20. */
  errors: z.array(RunError),
  /**
   * Time spent inside chunk invocations (ms, wall time): in total, the longest chunk (with its
   * commit), the longest computing part of a chunk (reading the source or the staged files and
   * running the extractors, before the commit), and per phase.
   */
  timings: z.looseObject({
    chunkMsTotal: z.number().nonnegative().default(0),
    chunkMsMax: z.number().nonnegative().default(0),
    workMsMax: z.number().nonnegative().default(0),
    byPhase: z.record(z.string(), z.number().nonnegative()).default({}),
  }),
  queuedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  /** Wall time from start to finish (or to now while running), ms. */
  durationMs: z.number().int().nonnegative().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** A connector as lists show it: never a secret, only its masked form per key. */
export const ConnectorSummary = z.looseObject({
  id: Id,
  orgId: Id,
  teamId: Id.nullable(),
  type: OrgConnectorType,
  name: z.string(),
  config: JsonObject,
  /** Secret keys with their masked values (`••••abcd`); `{}` when none are stored. */
  secrets: z.record(z.string(), z.string()),
  schedule: ConnectorSchedule.nullable(),
  status: ConnectorStatus,
  lastRun: RunSummary.nullable(),
  /** When the scheduler will start the next run (null: paused, or no schedule). */
  nextRunAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ConnectorSummary = z.infer<typeof ConnectorSummary>;

/** The result of `test` (the shape of `TestResult` in `connector.ts`). */
export const TestAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), detail: z.string() }),
  z.object({ ok: z.literal(false), reason: z.string(), message: z.string() }),
]);
export type TestAnswer = z.infer<typeof TestAnswer>;

const Secrets = z.record(z.string().min(1).max(100), z.string().max(20_000));
const Name = z.string().trim().min(1).max(200);

/** `list`: the org's connectors the caller may read (or one of them). */
export const ListRequest = z.object({ orgId: Id, action: z.literal('list'), connectorId: Id.optional() });
/** `save`: create (no `connectorId`) or update. `secrets` absent keeps the stored ones; given keys replace those keys (an empty value removes one), other stored keys are kept. `schedule` absent keeps it. */
export const SaveRequest = z.object({
  orgId: Id,
  action: z.literal('save'),
  connectorId: Id.optional(),
  teamId: Id.nullable().optional(),
  type: OrgConnectorType,
  name: Name,
  config: JsonObject,
  secrets: Secrets.optional(),
  schedule: ConnectorSchedule.nullable().optional(),
});
/** `test`: a saved connector (`connectorId`, optionally with changed config/secrets) or unsaved settings (`type`, `config`, `secrets`). */
export const TestRequest = z.object({
  orgId: Id,
  action: z.literal('test'),
  connectorId: Id.optional(),
  type: OrgConnectorType.optional(),
  config: JsonObject.optional(),
  secrets: Secrets.optional(),
});
/** `setStatus`: pause (no scheduled runs) or resume. */
export const SetStatusRequest = z.object({ orgId: Id, action: z.literal('setStatus'), connectorId: Id, status: z.enum(['active', 'paused']) });
/** `delete`: removes the connector, its runs and the org catalog rows only it wrote (members pull their tombstones). */
export const DeleteRequest = z.object({ orgId: Id, action: z.literal('delete'), connectorId: Id });
/** `run`: starts a run now (a paused connector too); answers the run already in progress when there is one. */
export const RunRequest = z.object({ orgId: Id, action: z.literal('run'), connectorId: Id });
/** `runs`: recent runs, newest first, of one connector or of the org (or one run by id). */
export const RunsRequest = z.object({
  orgId: Id,
  action: z.literal('runs'),
  connectorId: Id.optional(),
  runId: Id.optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

/** Every request of the `connectors` function. */
export const ConnectorsRequest = z.discriminatedUnion('action', [ListRequest, SaveRequest, TestRequest, SetStatusRequest, DeleteRequest, RunRequest, RunsRequest]);
export type ConnectorsRequest = z.infer<typeof ConnectorsRequest>;
export type ConnectorsAction = ConnectorsRequest['action'];

/** Answers by action. */
export const ListResponse = z.looseObject({ connectors: z.array(ConnectorSummary) });
export const SaveResponse = z.looseObject({ connector: ConnectorSummary });
export const TestResponse = TestAnswer;
export const SetStatusResponse = z.looseObject({ connector: ConnectorSummary });
export const DeleteResponse = z.looseObject({ deleted: z.literal(true) });
/** `started: false` when a run of the connector was already queued or running (its id is returned). */
export const RunResponse = z.looseObject({ runId: Id, started: z.boolean(), run: RunSummary });
export const RunsResponse = z.looseObject({ runs: z.array(RunSummary) });

/** The answer schema of each action, for clients that validate what they receive. */
export const CONNECTORS_RESPONSES = {
  list: ListResponse,
  save: SaveResponse,
  test: TestResponse,
  setStatus: SetStatusResponse,
  delete: DeleteResponse,
  run: RunResponse,
  runs: RunsResponse,
} as const satisfies Record<ConnectorsAction, z.ZodType>;

/**
 * Requests of `org-extract` (service role only: the `connectors` function, the scheduler and the
 * function itself call it). `chunk` runs the next chunk of a run; `tick` starts due scheduled runs
 * and re-kicks runs whose chunk stalled (a crashed invocation), for all organizations.
 */
export const OrgExtractRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('chunk'), orgId: Id, runId: Id }),
  z.object({ action: z.literal('tick'), orgId: Id.optional() }),
]);
export type OrgExtractRequest = z.infer<typeof OrgExtractRequest>;
