import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkCancelled } from '../../core/dbt/jinja/budget';
import type { Facts } from '../../core/model/entities';
import { IR_VERSION } from '../../core/sql/parseSql';
import { PIPELINE_VERSION, type FileStepResult } from '../../core/pipeline/fileStep';
import { assembleWorkspace, mergeFacts, modelLevelFacts, type LineageMemos, type UnitFacts } from '../../core/pipeline/extractWorkspace';
import { CONFIG_FILE, parseWorkspaceConfig } from '../../core/pipeline/workspaceConfig';
import { planWorkspace, projectOfPath, type PlanOptions, type WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { CatalogStore } from '../catalog/catalogStore';
import type { FileRecord } from '../catalog/catalogTypes';
import { Breather } from './breather';
import { groupByOwner, signGroups, type OwnerKey } from './factsDiff';
import { computeResults, releaseStatements, renderNodes, type CacheWrite, type JobRunner, type ResultTable } from './fileResults';
import { runParseJob } from './parseJobs';
import { FILE_ISSUES_UNIT, fileIssueUnit } from './fileIssues';
import { readGitOwnership, type GitFileInfo } from './gitOwnership';
import { applyUpdate } from './incremental';
import { SIGNATURE_KEY, type ScanCallOptions, type ScannerOptions, type ScanPhase, type ScanReport, type UpdateReport, type WorkControl } from './scanTypes';
import { readSnapshot, releaseTexts, sha1, snapshotFileSource, type Snapshot } from './snapshot';
import { walkWorkspace } from './walker';
import { processProfileDirs, readExternalProfiles } from './externalProfiles';
import { WorkerPool } from './workerPool';

/**
 * The workspace scanner: walk → read and hash → plan → per-file step (parse cache, then worker
 * pool) → assemble → write to the catalog in one transaction. It keeps the assembled state in memory
 * so `update` can apply single-file changes incrementally (see `incremental.ts`).
 */

/** Below this many files an update is rendered and parsed on the calling thread. */
const INLINE_JOBS = 8;

export { SIGNATURE_KEY } from './scanTypes';

/** In-memory state of the last scan, needed for incremental updates. */
export interface ScanState {
  snapshot: Snapshot;
  plan: WorkspacePlan;
  table: ResultTable;
  memos: LineageMemos;
  units: Map<string, UnitFacts>;
  /** Owner group signatures of what the store holds. */
  signatures: Map<OwnerKey, string>;
  git: Map<string, GitFileInfo>;
}

/** Adds git ownership hints (last author of the defining file) to entities, in place. */
export function withGitOwners(facts: Facts, git: ReadonlyMap<string, GitFileInfo>): Facts {
  if (git.size === 0) return facts;
  // Assigned in place rather than spread: dbt unit facts materialize their big arrays lazily.
  facts.entities = facts.entities.map((e) => {
    const info = git.get(e.path);
    if (!info || e.owners.some((o) => o.source === 'git')) return e;
    return { ...e, owners: [...e.owners, { name: info.author, ...(info.email ? { email: info.email } : {}), source: 'git' as const }] };
  });
  return facts;
}

/** File records for the store. */
export function fileRecords(snapshot: Snapshot, plan: WorkspacePlan, git: ReadonlyMap<string, GitFileInfo>, only?: Iterable<string>): FileRecord[] {
  const out: FileRecord[] = [];
  for (const p of only ?? snapshot.keys()) {
    const f = snapshot.get(p);
    if (!f) continue;
    const info = git.get(p);
    out.push({ path: p, project: projectOfPath(plan, p), hash: f.hash, size: f.size, mtimeMs: f.mtimeMs, ...(info ? { lastAuthor: info.author, lastCommitDate: info.date } : {}) });
  }
  return out;
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
  readonly runJobs: JobRunner = async (jobs, plan, call) => {
    if (jobs.length < (this.options.inlineBelow ?? INLINE_JOBS) || this.options.workers === 0) {
      const contexts = new Map(plan.dbt.map((p) => [p.cacheKey, p.ctx]));
      const breather = new Breather(call);
      const millis: number[] = [];
      const results: FileStepResult[] = [];
      for (const job of jobs) {
        await breather.pause();
        const start = performance.now();
        results.push(runParseJob(job, contexts, breather.renderOptions));
        millis.push(performance.now() - start);
        call.onProgress?.(results.length, jobs.length);
      }
      breather.throwIfStopped();
      return { results, millis };
    }
    const pool = this.workerPool();
    pool.retainContexts(new Set(plan.dbt.map((p) => p.cacheKey)));
    for (const p of plan.dbt) pool.setContext(p.cacheKey, p.ctx);
    try {
      const results = await pool.run(jobs, call);
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
    return { workspaceName: path.basename(path.resolve(this.options.root)), ...(this.options.dialect ? { dialect: this.options.dialect } : {}), defaults, ...(externalProfiles.length > 0 ? { externalProfiles } : {}) };
  }

  /**
   * Signature of every input of extraction: options, code versions and every file's content hash.
   * Equal signatures mean equal facts, so a re-open with nothing changed skips even planning.
   */
  signature(snapshot: Snapshot): string {
    const lines = [JSON.stringify(this.planOptions()), `git=${this.options.git !== false}`, `pipeline=${PIPELINE_VERSION}`, `ir=${IR_VERSION}`];
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
    const started = performance.now();
    const { signal, onProgress } = call;
    const control: WorkControl = { ...(signal ? { signal } : {}), ...(call.stopRequested ? { stopRequested: call.stopRequested } : {}) };
    const breather = new Breather(control);
    const root = this.options.root;
    onProgress?.({ phase: 'walk', done: 0, total: 0 });
    const configText = await readFile(path.join(root, CONFIG_FILE), 'utf8').catch(() => undefined);
    const { config } = parseWorkspaceConfig(configText);
    const walked = await walkWorkspace(root, { include: [...(this.options.include ?? []), ...config.include], exclude: [...(this.options.exclude ?? []), ...config.exclude], ...(signal ? { signal } : {}) });
    const snapshot = await readSnapshot(root, walked, { ...(signal ? { signal } : {}), ...(config.maxFileBytes ? { maxBytes: config.maxFileBytes } : {}), onProgress: (done, total) => onProgress?.({ phase: 'read', done, total }) });
    const signature = this.signature(snapshot);
    const upToDate = this.store.getMeta(SIGNATURE_KEY) === signature;
    if (upToDate && !needState) {
      return { files: snapshot.size, cacheHits: 0, parsed: 0, wrote: false, entities: 0, millis: performance.now() - started, phases: {}, parseMillis: [] };
    }
    // Git history (a `git log` over every commit) is read only when the facts are built: a re-open
    // that finds nothing changed does not need it. It runs while the files are planned and parsed.
    const gitPromise = this.options.git === false ? Promise.resolve(new Map<string, GitFileInfo>()) : readGitOwnership(root, signal);
    onProgress?.({ phase: 'plan', done: 0, total: 1 });
    // Synchronous (loading a 100,000-model project takes a minute): it checks for a cancel as it goes.
    const plan = planWorkspace(snapshotFileSource(root, snapshot), { ...this.planOptions(), shouldStop: breather.stopped });
    const report: ScanReport = { files: snapshot.size, cacheHits: 0, parsed: 0, wrote: false, entities: 0, millis: 0, phases: {}, parseMillis: [] };
    let mark = started;
    const phaseDone = (phase: ScanPhase): void => {
      const now = performance.now();
      report.phases[phase] = (report.phases[phase] ?? 0) + (now - mark);
      mark = now;
    };
    phaseDone('plan');
    if (!upToDate && call.onModelLevelStored && this.store.listEntities({ limit: 1 }).items.length === 0) {
      // First scan: store the model level from rendered nodes before any SQL is parsed (a small
      // write), so views need not wait for the parse and column lineage. No signature is written,
      // so an interrupted scan still starts over.
      onProgress?.({ phase: 'stage', done: 0, total: 1 });
      const staged = modelLevelFacts(plan, await renderNodes(plan, snapshot, root, control));
      this.store.transaction(() => this.store.replaceAll(staged));
      call.onModelLevelStored();
      phaseDone('stage');
    }
    const table: ResultTable = { results: new Map(), keys: new Map() };
    const outcome = await computeResults(table, plan, snapshot, root, this.store, this.runJobs, {
      ...control,
      onProgress: (done, total) => onProgress?.({ phase: 'parse', done, total }),
    });
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
    phaseDone('assemble');
    if (!upToDate) {
      onProgress?.({ phase: 'write', done: 0, total: 1 });
      this.writeAll(snapshot, plan, git, facts, outcome.cacheWrites, signature);
      report.wrote = true;
    } else if (outcome.cacheWrites.length > 0) {
      // Facts are current but some cache entries were missing: keep them for next time.
      this.store.transaction(() => {
        for (const w of outcome.cacheWrites) this.store.putParseCache(w.path, w.hash, w.cacheKey, w.value);
      });
    }
    phaseDone('write');
    const signatures = signGroups(groupByOwner(facts));
    phaseDone('sign');
    releaseTexts(snapshot);
    releaseStatements(table, memos, this.store);
    this.state = { snapshot, plan, table, memos, units, signatures, git };
    report.millis = performance.now() - started;
    onProgress?.({ phase: 'write', done: 1, total: 1 });
    return report;
  }

  private writeAll(snapshot: Snapshot, plan: WorkspacePlan, git: ReadonlyMap<string, GitFileInfo>, facts: Facts, cacheWrites: readonly CacheWrite[], signature: string): void {
    const stale = this.store.listFiles().map((f) => f.path).filter((p) => !snapshot.has(p));
    this.store.transaction(() => {
      if (stale.length > 0) this.store.removeFiles(stale);
      this.store.replaceAll(facts);
      this.store.upsertFiles(fileRecords(snapshot, plan, git));
      for (const w of cacheWrites) this.store.putParseCache(w.path, w.hash, w.cacheKey, w.value);
      this.store.setMeta(SIGNATURE_KEY, signature);
    });
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
