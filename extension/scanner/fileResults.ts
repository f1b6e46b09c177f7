import { renderDbtNode, type DbtNodeResult, type DbtProjectContext, type DbtRenderOptions } from '../../core/dbt/api';
import { nodeRenderInputs } from '../../core/dbt/renderInputs';
import type { LineageMemos } from '../../core/pipeline/extractWorkspace';
import { inputsHold, notParsed, sqlFingerprint, withoutLineageSql, type DbtFileResult, type FileStepResult } from '../../core/pipeline/fileStep';
import type { ParsedSql } from '../../core/pipeline/contracts';
import type { WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { CatalogStore } from '../catalog/catalogStore';
import { Breather } from './breather';
import type { ParseJob } from './parseJobs';
import type { WorkControl } from './scanTypes';
import { snapshotText, type Snapshot } from './snapshot';
import type { StageShare } from './stageShare';

/**
 * Gets per-file step results for planned files: reuse the in-memory result when (hash, cache key)
 * is unchanged and the node's render inputs hold, else the store's parse cache (same check), else
 * render/parse in the worker pool. Results computed in the pool are stored in the parse cache as
 * they arrive, so a scan that is killed keeps the parses it finished.
 */

/** What a pass over files gets from its caller: cancellation and progress. */
export interface PassCall extends WorkControl {
  onProgress?: (done: number, total: number) => void;
  /** See `PoolRunOptions.callerBusy`. */
  callerBusy?: boolean;
  /** See `PoolRunOptions.onTake`. */
  onTake?: (jobs: readonly ParseJob[]) => void;
  /** Shared with a first scan's stage (see `StageShare`): the jobs, and their results as they are stored. */
  stageShare?: StageShare;
}

/** Results of the jobs from index `start` on, as a batch of them completes. */
export type BatchDone = (start: number, results: readonly FileStepResult[]) => void;

/**
 * Runs per-file jobs (in workers or inline); results in job order plus per-job milliseconds.
 * `onBatch` hears of results as they complete (before the run ends). The runner owns `jobs`: it may
 * clear an entry (its file's text) once the job's result is in.
 */
export type JobRunner = (jobs: ParseJob[], plan: WorkspacePlan, call: PassCall, onBatch?: BatchDone) => Promise<{ results: FileStepResult[]; millis: number[] }>;

/** A planned file and how to compute its result. */
interface PlannedFile {
  path: string;
  cacheKey: string;
  /** The dbt project of a node file: its results must also hold under its context's node entries. */
  project?: { root: string; ctx: DbtProjectContext };
  job: (text: string) => ParseJob;
}

/** Every file the plan extracts, with its cache key. */
export function plannedFiles(plan: WorkspacePlan): PlannedFile[] {
  const out: PlannedFile[] = [];
  for (const p of plan.dbt) {
    for (const path of p.nodePaths) out.push({ path, cacheKey: p.cacheKey, project: p, job: (text) => ({ kind: 'dbt', contextKey: p.cacheKey, path, text, dialect: p.dialect }) });
  }
  for (const f of plan.sql) out.push({ path: f.path, cacheKey: f.cacheKey, job: (text) => ({ kind: 'sql', path: f.path, text, dialect: f.dialect }) });
  return out;
}

/** Results with the (hash, cache key) they were computed for. */
export interface ResultTable {
  results: Map<string, FileStepResult>;
  /** path → `${hash}|${cacheKey}` of the result held in `results`. */
  keys: Map<string, string>;
  /**
   * dbt project root → the context object every result of that project in `results` holds under.
   * A project re-planned (new context object) has its results' render inputs checked again.
   */
  contexts: Map<string, DbtProjectContext>;
}

/** An empty result table. */
export function emptyResultTable(): ResultTable {
  return { results: new Map(), keys: new Map(), contexts: new Map() };
}

/**
 * Parse results computed in this pass wait here until a flush stores them (a small transaction
 * every `FLUSH_EVERY` results or `FLUSH_MS`): a scan killed mid-parse keeps what it flushed.
 */
const FLUSH_EVERY = 64;
const FLUSH_MS = 250;

/** A cache entry to write with the next store transaction. */
export interface CacheWrite {
  path: string;
  hash: string;
  cacheKey: string;
  value: FileStepResult;
}

/** Splits a result table key `${hash}|${cacheKey}`. */
function splitKey(key: string): { hash: string; cacheKey: string } {
  const bar = key.indexOf('|');
  return { hash: key.slice(0, bar), cacheKey: key.slice(bar + 1) };
}

/** Outcome of `computeResults`. */
export interface ComputeOutcome {
  cacheHits: number;
  parsed: number;
  parseMillis: number[];
  cacheWrites: CacheWrite[];
  /** Paths whose result object changed. */
  changed: Set<string>;
  /** dbt nodes re-rendered to the same SQL, whose previous parse was kept (counted in `parsed`). */
  reusedParses: number;
  /** The files counted in `parsed`, in plan order. */
  parsedPaths: string[];
}

/** Writes cache entries as they arrive, in small transactions. */
class CacheFlusher {
  private pending: CacheWrite[] = [];
  private last = performance.now();
  constructor(private readonly store: CatalogStore) {}

  add(write: CacheWrite): void {
    this.pending.push(write);
    if (this.pending.length >= FLUSH_EVERY || performance.now() - this.last >= FLUSH_MS) this.flush();
  }

  flush(): void {
    this.last = performance.now();
    if (this.pending.length === 0) return;
    const writes = this.pending;
    this.pending = [];
    this.store.transaction(() => {
      for (const w of writes) this.store.putParseCache(w.path, w.hash, w.cacheKey, w.value);
    });
  }
}

/** Brings `table` up to date with `plan` and `snapshot` (in place). */
export async function computeResults(
  table: ResultTable,
  plan: WorkspacePlan,
  snapshot: Snapshot,
  /** Workspace root, to read texts the snapshot no longer holds. */
  root: string,
  store: CatalogStore,
  run: JobRunner,
  call: PassCall = {},
): Promise<ComputeOutcome> {
  const outcome: ComputeOutcome = { cacheHits: 0, parsed: 0, parseMillis: [], cacheWrites: [], changed: new Set(), reusedParses: 0, parsedPaths: [] };
  // Re-rendering on this thread: budgeted and cancellable per node, with pauses for the cancel message.
  const breather = new Breather(call);
  const planned = plannedFiles(plan);
  const wanted = new Set(planned.map((f) => f.path));
  for (const path of [...table.results.keys()]) {
    if (wanted.has(path) && snapshot.has(path)) continue;
    table.results.delete(path);
    table.keys.delete(path);
    outcome.changed.add(path);
  }
  // Projects whose context object changed (re-planned): their results' render inputs are checked.
  const recheck = new Set(plan.dbt.filter((p) => table.contexts.get(p.root) !== p.ctx).map((p) => p.root));
  const holds = (file: PlannedFile, result: FileStepResult): boolean => !file.project || inputsHold(file.project.ctx, file.path, result);
  const misses: { file: PlannedFile; hash: string }[] = [];
  // Jobs carry the files' texts: the runner may clear an entry once its result is in (see JobRunner).
  const jobs: ParseJob[] = [];
  for (const file of planned) {
    const entry = snapshot.get(file.path);
    if (!entry) continue;
    const key = `${entry.hash}|${file.cacheKey}`;
    const current = table.results.get(file.path);
    const currentKey = table.keys.get(file.path);
    if (currentKey === key && current && (!file.project || !recheck.has(file.project.root) || holds(file, current))) continue;
    const cached = store.getParseCache(file.path, entry.hash, file.cacheKey) as FileStepResult | undefined;
    if (cached !== undefined && holds(file, cached)) {
      table.results.set(file.path, cached);
      table.keys.set(file.path, key);
      outcome.changed.add(file.path);
      outcome.cacheHits++;
      continue;
    }
    const text = snapshotText(root, file.path, entry);
    if (text === undefined) continue;
    const job = file.job(text);
    // The result to compare a new render with: the one in memory, else a cached one whose node
    // inputs no longer hold (a renamed upstream: most such nodes render the same SQL again).
    const prev = current?.kind === 'dbt' && currentKey !== undefined ? { result: current, key: currentKey } : cached?.kind === 'dbt' ? { result: cached, key } : undefined;
    if (job.kind === 'dbt' && prev) await breather.pause();
    const reused = job.kind === 'dbt' && prev ? reuseParse(job, prev.result, prev.key, plan, store, { hash: entry.hash, cacheKey: file.cacheKey }, breather.renderOptions) : undefined;
    if (reused) {
      table.results.set(file.path, reused.result);
      table.keys.set(file.path, key);
      if (!reused.kept) {
        outcome.changed.add(file.path);
        outcome.cacheWrites.push({ path: file.path, hash: entry.hash, cacheKey: file.cacheKey, value: reused.result });
      }
      outcome.reusedParses++;
      outcome.parsed++;
      outcome.parsedPaths.push(file.path);
      continue;
    }
    misses.push({ file, hash: entry.hash });
    jobs.push(job);
    call.stageShare?.jobs.set(file.path, job);
  }
  if (misses.length > 0) {
    const flusher = new CacheFlusher(store);
    const stored = (m: (typeof misses)[number], value: FileStepResult): void => {
      table.results.set(m.file.path, value);
      table.keys.set(m.file.path, `${m.hash}|${m.file.cacheKey}`);
      outcome.changed.add(m.file.path);
      call.stageShare?.stored(m.file.path);
    };
    // Results are kept and stored in the parse cache as their batch completes.
    const ran = await run(jobs, plan, call, (start, results) => {
      results.forEach((value, i) => {
        const m = misses[start + i];
        if (!m) return;
        stored(m, value);
        flusher.add({ path: m.file.path, hash: m.hash, cacheKey: m.file.cacheKey, value });
      });
    });
    flusher.flush();
    outcome.parseMillis = ran.millis;
    misses.forEach((m, i) => {
      const value = ran.results[i];
      // A runner that does not report batches (inline runs) stores its results with the pass's write.
      if (!value || table.results.get(m.file.path) === value) return;
      stored(m, value);
      outcome.cacheWrites.push({ path: m.file.path, hash: m.hash, cacheKey: m.file.cacheKey, value });
    });
    outcome.parsed += misses.length;
    for (const m of misses) outcome.parsedPaths.push(m.file.path);
  }
  for (const p of plan.dbt) table.contexts.set(p.root, p.ctx);
  for (const root of [...table.contexts.keys()]) if (!plan.dbt.some((p) => p.root === root)) table.contexts.delete(root);
  return outcome;
}

/**
 * A YAML, macro or vars edit may change the dbt context of every node, and a renamed model the
 * render inputs of the nodes that ref it; yet most of them render to the same SQL. Such a node is
 * rendered here (about 0.2 ms) instead of being parsed in a worker (1.5–4 ms plus the worker's
 * memory). When everything rendered the same, the previous result object is kept (its `inputs`
 * updated), so the lineage memo hits, and its cache entry is copied in SQLite under the new key,
 * so no statements are loaded. When only the SQL is the same, the result gets the previous parse.
 * Else (or when that parse cannot be found) undefined: the node is parsed as usual.
 */
function reuseParse(
  job: Extract<ParseJob, { kind: 'dbt' }>,
  prev: DbtFileResult,
  prevKey: string,
  plan: WorkspacePlan,
  store: CatalogStore,
  now: { hash: string; cacheKey: string },
  options: DbtRenderOptions,
): { result: DbtFileResult; kept: boolean } | undefined {
  const project = prev.sqlHash === undefined ? undefined : plan.dbt.find((p) => p.cacheKey === job.contextKey);
  if (!project) return undefined;
  const rendered = renderDbtNode(project.ctx, job.path, job.text, options);
  if (rendered.entity.disabled || sqlFingerprint(rendered.rendered.lineageSql, rendered.rendered.lineOffset, job.dialect, rendered.rendered.lineageMap) !== prev.sqlHash) return undefined;
  const node = withoutLineageSql(rendered);
  const inputs = nodeRenderInputs(project.ctx, job.path, rendered);
  if (JSON.stringify(node) === JSON.stringify(prev.node)) {
    // Copied now, not with the pass's write: the lineage memo may reload this node's statements
    // under its new key during assembly. An entry is right by itself (its key names its inputs).
    if (store.copyParseCache(job.path, splitKey(prevKey), now, inputs)) {
      prev.inputs = inputs;
      return { result: prev, kept: true };
    }
  }
  const parsed = previousParse(prev, prevKey, job.path, store);
  return parsed ? { result: { kind: 'dbt', node, parsed, sqlHash: prev.sqlHash, inputs }, kept: false } : undefined;
}

/** The full parse of a previous result: its statements when still in memory, else the parse cache's. */
function previousParse(prev: DbtFileResult, key: string, path: string, store: CatalogStore): ParsedSql | undefined {
  if (prev.parsed.statements.length > 0) return prev.parsed;
  const { hash, cacheKey } = splitKey(key);
  const cached = store.getParseCache(path, hash, cacheKey) as FileStepResult | undefined;
  return cached?.kind === 'dbt' && cached.sqlHash === prev.sqlHash ? cached.parsed : undefined;
}

/**
 * The model level of every dbt node of the plan, rendered on this thread without parsing its SQL:
 * about 0.2–0.3 ms a model, against 0.5–4 ms for the parse. The first scan stores the model level
 * from these nodes while the parse workers run. With `shared` (the parse's jobs, see `StageShare`)
 * it goes from the last node backwards: a node whose job is still waiting is rendered here and the
 * render handed to the job, a node a worker took gets its model level from the worker's result.
 * Each render has the default budget and stops when the scan is cancelled; `pauseEveryMs` bounds
 * the stretches without a pause (the workers' next batches are sent in the pauses).
 */
export async function renderNodes(plan: WorkspacePlan, snapshot: Snapshot, root: string, control: WorkControl = {}, pauseEveryMs?: number, shared?: { share: StageShare; table: ResultTable }): Promise<Map<string, FileStepResult>> {
  const out = new Map<string, FileStepResult>();
  const breather = new Breather(control, pauseEveryMs);
  const staged = (path: string, node: DbtNodeResult): void => {
    out.set(path, { kind: 'dbt', node: modelLevelNode(node), parsed: notParsed() });
  };
  const render = (project: WorkspacePlan['dbt'][number], path: string): void => {
    const entry = snapshot.get(path);
    const text = entry ? snapshotText(root, path, entry) : undefined;
    if (text !== undefined) staged(path, renderDbtNode(project.ctx, path, text, breather.renderOptions));
  };
  if (!shared) {
    for (const project of plan.dbt) {
      for (const path of project.nodePaths) {
        await breather.pause();
        render(project, path);
      }
    }
    return out;
  }
  // With the parse's jobs (see `StageShare`): from the last node backwards, as the workers go forwards.
  const { share, table } = shared;
  const taken: [WorkspacePlan['dbt'][number], string][] = [];
  for (const project of [...plan.dbt].reverse()) {
    for (const path of [...project.nodePaths].reverse()) {
      await breather.pause();
      const done = table.results.get(path);
      if (done?.kind === 'dbt') {
        staged(path, done.node);
        share.fromWorkers++;
        continue;
      }
      const job = share.waitingJob(path);
      if (job?.kind === 'dbt') {
        const node = renderDbtNode(project.ctx, path, job.text, breather.renderOptions);
        share.attach(job, node);
        staged(path, node);
      } else if (share.isTaken(path)) taken.push([project, path]);
      else render(project, path);
    }
  }
  for (const [project, path] of taken) {
    await share.whenStored(path, () => table.results.has(path));
    const done = table.results.get(path);
    // A job that failed in its worker (a crash result) is rendered here, as without a parse.
    if (done?.kind === 'dbt') {
      staged(path, done.node);
      share.fromWorkers++;
    } else render(project, path);
  }
  return out;
}

/**
 * What the model level needs of a rendered node (`assembleDbtProject` reads its entity, with the
 * compiled SQL, its dependencies and diagnostics): its rendered SQL and maps, three more copies of
 * the file's size, are dropped at once, so 5,000 staged nodes do not hold them all.
 */
function modelLevelNode(node: DbtNodeResult): DbtNodeResult {
  const { compiledMap: _compiled, lineageMap: _lineage, ...rendered } = node.rendered;
  return { ...node, rendered: { ...rendered, compiledSql: '', lineageSql: '', placeholders: {} } };
}

/**
 * Drops the statements (the IR, ~30 MB at 5,000 models) of the dbt results in `table` once they are
 * resolved and in the store's parse cache; the lineage memos reload a file's IR from that cache when
 * its lineage must be resolved again (an upstream schema changed). Results of `pending` (cache writes
 * not committed yet) keep theirs. Diagnostics, the rendered node and the result objects' identity
 * (the memo's key) stay.
 */
export function releaseStatements(table: ResultTable, memos: LineageMemos, store: CatalogStore, pending: readonly CacheWrite[] = []): void {
  const reload = (result: DbtFileResult): ParsedSql | undefined => {
    const key = table.keys.get(result.node.path);
    if (key === undefined) return undefined;
    const { hash, cacheKey } = splitKey(key);
    const cached = store.getParseCache(result.node.path, hash, cacheKey) as FileStepResult | undefined;
    return cached?.parsed;
  };
  for (const memo of memos.values()) memo.reloadParsed = reload;
  const keep = new Set(pending.map((w) => w.value));
  for (const r of table.results.values()) if (r.kind === 'dbt' && r.parsed.statements.length > 0 && !keep.has(r)) r.parsed = { ...r.parsed, statements: [] };
}
