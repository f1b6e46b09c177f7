import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkCancelled } from '../../core/dbt/jinja/budget';
import type { DbtLoadMemo } from '../../core/dbt/project/loadMemo';
import { IR_VERSION } from '../../core/sql/parseSql';
import { PIPELINE_VERSION, type FileStepResult } from '../../core/pipeline/fileStep';
import { assembleWorkspace, mergeFacts, type LineageMemos, type UnitFacts } from '../../core/pipeline/extractWorkspace';
import { CONFIG_FILE, parseWorkspaceConfig } from '../../core/pipeline/workspaceConfig';
import { planWorkspace, type PlanOptions, type WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { CatalogStore } from '../catalog/catalogStore';
import { Breather } from './breather';
import { emptyResultTable, releaseStatements, type JobRunner, type ResultTable } from './fileResults';
import { stagedParse } from './stagedParse';
import { runParseJob } from './parseJobs';
import { FILE_ISSUES_UNIT, fileIssueUnit } from './fileIssues';
import { readGitOwnership, type GitFileInfo } from './gitOwnership';
import { applyUpdate } from './incremental';
import { SIGNATURE_KEY, type ScanCallOptions, type ScannerOptions, type ScanPhase, type ScanReport, type UpdateReport, type WorkControl } from './scanTypes';
import { readSnapshot, releaseTexts, sha1, snapshotFileSource, type Snapshot } from './snapshot';
import { walkWorkspace } from './walker';
import { processProfileDirs, readExternalProfiles } from './externalProfiles';
import { WorkerPool } from './workerPool';
import { workersBesideBusyCaller } from './poolSetup';

/**
 * The workspace scanner: walk → read and hash → plan → per-file step (parse cache, then worker
 * pool) → assemble → write to the catalog in one transaction. It keeps the assembled state in memory
 * so `update` can apply single-file changes incrementally (see `incremental.ts`).
 */

/** Below this many files an update is rendered and parsed on the calling thread. */
const INLINE_JOBS = 8;

/**
 * A first scan of this many SQL/Python files starts its parse workers before planning. Beyond the
 * maximum the dbt context alone outgrows a worker's default heap (a 100,000-model context takes
 * ~120 MB), so workers are started once the contexts are known, sized for them.
 */
const WARM_UP_FILES = { min: 64, max: 15_000 };

function countSqlFiles(snapshot: Snapshot): number {
  let n = 0;
  for (const p of snapshot.keys()) if (/\.(sql|py)$/i.test(p)) n++;
  return n;
}

export { SIGNATURE_KEY } from './scanTypes';
export { fileRecords, withGitOwners } from './scanWrite';
import { withGitOwners, writeAll } from './scanWrite';

/** In-memory state of the last scan, needed for incremental updates. */
export interface ScanState {
  snapshot: Snapshot;
  plan: WorkspacePlan;
  table: ResultTable;
  memos: LineageMemos;
  /**
   * The facts of the last write, per unit: an update compares the owner groups it may have changed
   * with these (see `factsDiff.ts`), so nothing is signed ahead.
   */
  units: Map<string, UnitFacts>;
  git: Map<string, GitFileInfo>;
}

export class WorkspaceScanner {
  private pool: WorkerPool | undefined;
  private state: ScanState | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(readonly store: CatalogStore, readonly options: ScannerOptions) {}

  /** The worker pool, started on first use. */
  workerPool(): WorkerPool {
    this.pool ??= new WorkerPool(this.options.workers);
    return this.pool;
  }

  /** Whether the in-memory state for incremental updates is built (a re-open's check does not build it). */
  get hasState(): boolean {
    return this.state !== undefined;
  }

  /** Number of worker threads started over this scanner's life (for tests). */
  workersStarted = 0;
  /** Batches the worker pools computed on this thread because no worker could (for tests). */
  inlineBatches = 0;

  /**
   * Runs per-file jobs. A handful of files (an edit) is rendered on this thread: a worker round trip
   * and a context clone would cost more than the work. Large batches go to the pool, which is then
   * stopped so its memory (a parser and a dbt context per worker) is free for assembly and writing.
   * Jobs on this thread pause every 50 ms and their renders stop when the scan is cancelled.
   */
  readonly runJobs: JobRunner = async (jobs, plan, call, onBatch) => {
    if (jobs.length < (this.options.inlineBelow ?? INLINE_JOBS) || this.options.workers === 0) {
      const contexts = new Map(plan.dbt.map((p) => [p.cacheKey, p.ctx]));
      const breather = new Breather(call);
      const millis: number[] = [];
      const results: FileStepResult[] = [];
      for (const job of jobs) {
        await breather.pause();
        call.onTake?.([job]);
        const start = performance.now();
        const result = runParseJob(job, contexts, breather.renderOptions);
        results.push(result);
        millis.push(performance.now() - start);
        onBatch?.(results.length - 1, [result]);
        call.onProgress?.(results.length, jobs.length);
      }
      breather.throwIfStopped();
      return { results, millis };
    }
    const pool = this.workerPool();
    pool.retainContexts(new Set(plan.dbt.map((p) => p.cacheKey)));
    for (const p of plan.dbt) pool.setContext(p.cacheKey, p.ctx);
    try {
      const results = await pool.run(jobs, { ...call, ...(onBatch ? { onBatch } : {}) });
      return { results, millis: pool.lastJobMillis };
    } finally {
      this.workersStarted += pool.spawned;
      this.inlineBatches += pool.inlineBatches;
      this.pool = undefined;
      await pool.dispose();
    }
  };

  /** Options for the planner. */
  planOptions(): PlanOptions {
    const defaults: NonNullable<PlanOptions['defaults']> = {};
    if (this.options.defaultDialect) defaults.dialect = this.options.defaultDialect;
    if (this.options.dialectByFolder) defaults.folders = this.options.dialectByFolder;
    if (this.options.targets) defaults.targets = [...this.options.targets];
    if (this.options.defaultSchema) defaults.defaultSchema = this.options.defaultSchema;
    const dirs = this.options.profileDirs === false ? undefined : (this.options.profileDirs ?? processProfileDirs());
    const externalProfiles = dirs ? readExternalProfiles(dirs) : [];
    return { workspaceName: path.basename(path.resolve(this.options.root)), ...(this.options.dialect ? { dialect: this.options.dialect } : {}), defaults, ...(externalProfiles.length > 0 ? { externalProfiles } : {}), loadMemos: this.loadMemos };
  }

  /** dbt loader memos per root, kept for the scanner's life: a YAML edit parses only that file again. */
  private readonly loadMemos = new Map<string, DbtLoadMemo>();

  /**
   * Signature of every input of extraction: options, code versions and every file's content hash.
   * Equal signatures mean equal facts, so a re-open with nothing changed skips even planning.
   */
  signature(snapshot: Snapshot): string {
    const { loadMemos: _memos, ...options } = this.planOptions();
    const lines = [JSON.stringify(options), `git=${this.options.git !== false}`, `pipeline=${PIPELINE_VERSION}`, `ir=${IR_VERSION}`];
    for (const [p, f] of snapshot) lines.push(`${p}\t${f.hash}`);
    return sha1(lines.join('\n'));
  }

  /**
   * Serializes scans and updates: they share the in-memory state. A render stopped by
   * `stopRequested` when the signal is aborted too rejects with the signal's reason, like the rest.
   */
  private exclusive<T>(fn: () => Promise<T>, control: WorkControl = {}): Promise<T> {
    const run = this.queue.then(fn).catch((err: unknown) => {
      throw WorkCancelled.is(err) && control.signal?.aborted === true ? control.signal.reason : err;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Full scan. Writes only when the inputs changed since the last write. A cancelled scan (the
   * signal, or `stopRequested`) rejects with the signal's reason or `WorkCancelled` and writes nothing.
   */
  scan(call: ScanCallOptions = {}): Promise<ScanReport> {
    return this.exclusive(() => this.fullPass(call, false), call);
  }

  /** Builds the in-memory state needed by `update` (after a scan that found nothing to do). */
  ensureState(call: ScanCallOptions = {}): Promise<void> {
    return this.exclusive(async () => {
      if (!this.state) await this.fullPass(call, true);
    }, call);
  }

  /**
   * The dbt project plan whose node files include `relPath` (a workspace-relative path), else the
   * innermost one with a model, snapshot or analysis folder holding it (a file not scanned yet);
   * undefined elsewhere. Builds the warm state first when a re-open's check did not (Show Compiled
   * SQL needs the loaded contexts).
   */
  async dbtPlanOf(relPath: string): Promise<WorkspacePlan['dbt'][number] | undefined> {
    await this.ensureState();
    const plans = this.state?.plan.dbt ?? [];
    const inNodeFolder = (p: WorkspacePlan['dbt'][number]): boolean => {
      if (p.root !== '' && !relPath.startsWith(`${p.root}/`)) return false;
      const inner = p.root === '' ? relPath : relPath.slice(p.root.length + 1);
      const info = p.ctx.projects.find((x) => x.isRoot);
      const folders = info ? [...info.modelPaths, ...info.snapshotPaths, ...info.analysisPaths] : [];
      return folders.some((f) => inner.startsWith(`${f.replace(/\/+$/, '')}/`));
    };
    return plans.find((p) => p.nodePaths.has(relPath)) ?? plans.filter(inNodeFolder).sort((a, b) => b.root.length - a.root.length)[0];
  }

  /** Applies changes of the given paths (absolute or workspace-relative) incrementally. */
  update(paths: readonly string[], call: ScanCallOptions = {}): Promise<UpdateReport> {
    return this.exclusive(async () => {
      if (!this.state) await this.fullPass(call, true);
      const state = this.state;
      if (!state) throw new Error('scanner state missing after a full pass');
      const rel = paths.map((p) => (path.isAbsolute(p) ? path.relative(this.options.root, p) : p).split(path.sep).join('/'));
      // A removed folder arrives as `dir/`: it stands for every known file under it.
      const expanded = rel.flatMap((p) => (p.endsWith('/') ? [...state.snapshot.keys()].filter((k) => k.startsWith(p)) : [p]));
      return applyUpdate(this, state, expanded, call);
    }, call);
  }

  private async fullPass(call: ScanCallOptions, needState: boolean): Promise<ScanReport> {
    try {
      return await this.fullPassOnce(call, needState);
    } finally {
      // Workers warmed up for a parse that did not need them (or was cancelled) stop here.
      const pool = this.pool;
      this.pool = undefined;
      if (pool) {
        this.workersStarted += pool.spawned;
        await pool.dispose();
      }
    }
  }

  private async fullPassOnce(call: ScanCallOptions, needState: boolean): Promise<ScanReport> {
    const started = performance.now();
    const { signal, onProgress } = call;
    const control: WorkControl = { ...(signal ? { signal } : {}), ...(call.stopRequested ? { stopRequested: call.stopRequested } : {}) };
    const breather = new Breather(control);
    const root = this.options.root;
    const report: ScanReport = { files: 0, cacheHits: 0, parsed: 0, wrote: false, entities: 0, millis: 0, phases: {}, parseMillis: [] };
    let mark = started;
    const phaseDone = (phase: ScanPhase): void => {
      const now = performance.now();
      report.phases[phase] = (report.phases[phase] ?? 0) + (now - mark);
      mark = now;
    };
    onProgress?.({ phase: 'walk', done: 0, total: 0 });
    const configText = await readFile(path.join(root, CONFIG_FILE), 'utf8').catch(() => undefined);
    const { config } = parseWorkspaceConfig(configText);
    const walked = await walkWorkspace(root, { include: [...(this.options.include ?? []), ...config.include], exclude: [...(this.options.exclude ?? []), ...config.exclude], ...(signal ? { signal } : {}) });
    phaseDone('walk');
    const snapshot = await readSnapshot(root, walked, { ...(signal ? { signal } : {}), ...(config.maxFileBytes ? { maxBytes: config.maxFileBytes } : {}), onProgress: (done, total) => onProgress?.({ phase: 'read', done, total }) });
    phaseDone('read');
    report.files = snapshot.size;
    const signature = this.signature(snapshot);
    const upToDate = this.store.getMeta(SIGNATURE_KEY) === signature;
    if (upToDate && !needState) return { ...report, millis: performance.now() - started };
    // Git history (a `git log` over every commit) is read only when the facts are built: a re-open
    // that finds nothing changed does not need it. It runs while the files are planned and parsed.
    const gitPromise = this.options.git === false ? Promise.resolve(new Map<string, GitFileInfo>()) : readGitOwnership(root, signal);
    // A first scan of many files will parse them all: the workers load while the plan is made.
    const sqlFiles = countSqlFiles(snapshot);
    // A first scan stores the model level while the workers parse (see `stagedParse`): the workers
    // that run beside that stage are the ones warmed up.
    const firstScan = !upToDate && call.onModelLevelStored !== undefined && this.store.listEntities({ limit: 1 }).items.length === 0;
    if (this.options.workers !== 0 && sqlFiles >= WARM_UP_FILES.min && sqlFiles <= WARM_UP_FILES.max && this.store.listEntities({ limit: 1 }).items.length === 0) {
      const pool = this.workerPool();
      pool.warmUp(firstScan ? workersBesideBusyCaller(pool.size) : pool.size);
    }
    onProgress?.({ phase: 'plan', done: 0, total: 1 });
    // Synchronous (loading a 100,000-model project takes a minute): it checks for a cancel as it goes.
    const plan = planWorkspace(snapshotFileSource(root, snapshot), { ...this.planOptions(), shouldStop: breather.stopped });
    phaseDone('plan');
    const table: ResultTable = emptyResultTable();
    // A first scan (empty catalog) stores the model level while the workers parse, so views need
    // not wait for the parse and column lineage. No signature is written, so an interrupted scan
    // still starts over (from the parses it stored in the parse cache).
    const { outcome, stageMillis, shared } = await stagedParse(table, plan, {
      snapshot, root, store: this.store, run: this.runJobs, control,
      onParseProgress: (done, total) => onProgress?.({ phase: 'parse', done, total }),
      ...(firstScan ? { stage: { onStart: () => onProgress?.({ phase: 'stage', done: 0, total: 1 }), onStored: () => call.onModelLevelStored?.() } } : {}),
    });
    if (stageMillis !== undefined) report.phases.stage = stageMillis;
    if (shared) report.stage = shared;
    phaseDone('parse');
    report.cacheHits = outcome.cacheHits;
    report.parsed = outcome.parsed;
    report.parseMillis = outcome.parseMillis;
    onProgress?.({ phase: 'assemble', done: 0, total: 1 });
    const memos: LineageMemos = new Map();
    const git = await gitPromise;
    signal?.throwIfAborted();
    const units = new Map(assembleWorkspace(plan, table.results, memos).map((u) => [u.key, { ...u, facts: withGitOwners(u.facts, git) }]));
    units.set(FILE_ISSUES_UNIT, fileIssueUnit(snapshot));
    const facts = mergeFacts([...units.values()].map((u) => u.facts));
    report.entities = facts.entities.length;
    signal?.throwIfAborted();
    // The IR is resolved: what is in the parse cache already need not stay in memory for the write.
    releaseStatements(table, memos, this.store, outcome.cacheWrites);
    phaseDone('assemble');
    if (!upToDate) {
      onProgress?.({ phase: 'write', done: 0, total: 1 });
      writeAll(this.store, { snapshot, plan, git, facts, cacheWrites: outcome.cacheWrites, signature });
      report.wrote = true;
    } else if (outcome.cacheWrites.length > 0) {
      // Facts are current but some cache entries were missing: keep them for next time.
      this.store.transaction(() => {
        for (const w of outcome.cacheWrites) this.store.putParseCache(w.path, w.hash, w.cacheKey, w.value);
      });
    }
    phaseDone('write');
    releaseTexts(snapshot);
    releaseStatements(table, memos, this.store);
    this.state = { snapshot, plan, table, memos, units, git };
    report.millis = performance.now() - started;
    onProgress?.({ phase: 'write', done: 1, total: 1 });
    return report;
  }

  /** Stops the workers. Idempotent. Does not close the store (the caller owns it). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // The state holds every file's IR and all facts (~200 MB on 5,000 models): drop it now rather
    // than whenever the last reference to this scanner goes.
    this.state = undefined;
    await this.pool?.dispose();
  }
}
