import { modelLevelFacts } from '../../core/pipeline/extractWorkspace';
import type { WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { CatalogStore } from '../catalog/catalogStore';
import { computeResults, renderNodes, type ComputeOutcome, type JobRunner, type ResultTable } from './fileResults';
import type { WorkControl } from './scanTypes';
import { releaseTexts, type Snapshot } from './snapshot';
import { StageShare } from './stageShare';

/**
 * The parse of a full pass, and on a first scan the model level stored meanwhile. The parse runs in
 * the worker pool while this thread renders the nodes and stores entities, declared columns and
 * model edges (a small write), so views have something to show long before column lineage is
 * resolved. No node is rendered twice: the stage renders from the last node backwards and hands
 * each render to its parse job, the workers go forwards, and where they met the stage takes the
 * model level from the workers' results (`StageShare`). Since this thread also stores the model
 * level and then the results, the pool leaves it a core (`workersBesideBusyCaller`). Renders
 * pause every few milliseconds so the workers' next batches go out without delay.
 */

/** Longest render stretch on this thread while workers wait for their next batch, in ms. */
const STAGE_PAUSE_MS = 5;

/** What `stagedParse` needs besides the table and the plan. */
export interface StagedParseInput {
  snapshot: Snapshot;
  root: string;
  store: CatalogStore;
  run: JobRunner;
  control: WorkControl;
  onParseProgress?: (done: number, total: number) => void;
  /** Set on a first scan: called once the model level is stored (after `onStageStart`). */
  stage?: { onStart: () => void; onStored: () => void };
}

/** Milliseconds the stage took (undefined without one) and the parse outcome. */
export interface StagedParseResult {
  outcome: ComputeOutcome;
  stageMillis?: number;
  /** See `ScanReport.stage`. */
  shared?: { handedOver: number; fromWorkers: number };
}

/**
 * Brings `table` up to date (see `computeResults`), staging the model level meanwhile when asked.
 * A stage that fails (cancelled) stops the parse and rejects with its error; nothing is stored
 * then but parse results already in the parse cache.
 */
export async function stagedParse(table: ResultTable, plan: WorkspacePlan, input: StagedParseInput): Promise<StagedParseResult> {
  const { snapshot, root, store, run, control, stage } = input;
  const stop = new AbortController();
  const signal = control.signal ? AbortSignal.any([control.signal, stop.signal]) : stop.signal;
  let staging = stage !== undefined;
  // Parse progress is reported once the stage is done (the latest then): the two phases would
  // flicker otherwise.
  let held: [number, number] | undefined;
  // The stage and the parse render each dbt node once between them (see `StageShare`).
  const share = stage ? new StageShare() : undefined;
  const parsing = computeResults(table, plan, snapshot, root, store, run, {
    signal,
    // This thread renders the stage, then stores it and the results: the pool leaves it a core.
    ...(stage ? { callerBusy: true } : {}),
    ...(share ? { stageShare: share, onTake: share.onTake } : {}),
    ...(control.stopRequested ? { stopRequested: control.stopRequested } : {}),
    onProgress: (done, total) => {
      if (staging) held = [done, total];
      else input.onParseProgress?.(done, total);
    },
  });
  // Handled here too: while the stage runs nobody awaits the parse yet, and a rejected parse (a
  // cancel) must not count as unhandled.
  parsing.catch(() => undefined);
  // However the parse ends (done, failed, cancelled), a stage waiting for one of its results stops waiting.
  void parsing.finally(() => share?.end()).catch(() => undefined);
  if (!stage) {
    // The jobs hold the texts they need (until their batch is done); what else reads a text
    // later reads it from disk.
    releaseTexts(snapshot);
    return { outcome: await parsing };
  }
  const started = performance.now();
  try {
    stage.onStart();
    const nodes = await renderNodes(plan, snapshot, root, control, STAGE_PAUSE_MS, share ? { share, table } : undefined);
    share?.release();
    const staged = modelLevelFacts(plan, nodes);
    store.transaction(() => store.replaceAll(staged));
    stage.onStored();
  } catch (err) {
    stop.abort(err);
    await parsing.catch(() => undefined);
    throw err;
  } finally {
    staging = false;
    releaseTexts(snapshot);
  }
  if (held) input.onParseProgress?.(...held);
  const stageMillis = performance.now() - started;
  return { outcome: await parsing, stageMillis, ...(share ? { shared: { handedOver: share.handedOver, fromWorkers: share.fromWorkers } } : {}) };
}
