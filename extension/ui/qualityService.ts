import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Score } from '../../core/governance/quality';
import type { ProjectSummary, ScoredEntity } from '../../core/governance/qualityView';
import type { QualityIndex } from './qualityIndex';

/**
 * Docs quality scores for the views, computed in a worker thread (`qualityWorker.ts`) and kept per
 * catalog until it changes. A view asks synchronously and gets the last scores (undefined before
 * the first ones); a change marks them stale and starts one computation, whose end calls
 * `onUpdated` so the views draw the new scores. No `vscode`, so tests run it with a real worker.
 */

/** A request to the worker: score the catalog in `file`. */
export interface QualityRequest {
  id: number;
  file: string;
}

/** The worker's answer. */
export type QualityReply =
  | { id: number; ok: true; entities: ScoredEntity[]; projects: ProjectSummary[] }
  | { id: number; ok: false; error: string };

interface CatalogScores {
  file: string;
  index?: QualityIndex;
  /** A computation is running. */
  running: boolean;
  /** The catalog changed since the running (or last) computation began. */
  stale: boolean;
}

export class QualityService {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: QualityReply) => void>();
  private readonly catalogs = new Map<string, CatalogScores>();
  private disposed = false;

  constructor(
    private readonly onUpdated: (root: string) => void,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** The scores of the catalog at `root` (its SQLite `file`), computing them if they are missing or stale. */
  index(root: string, file: string): QualityIndex | undefined {
    let state = this.catalogs.get(root);
    if (!state || state.file !== file) this.catalogs.set(root, (state = { file, running: false, stale: true }));
    if (state.stale && !state.running) void this.compute(root, state);
    return state.index;
  }

  /** One entity's score, when computed. */
  score(root: string, file: string, entityId: string): Score | undefined {
    return this.index(root, file)?.byEntity.get(entityId)?.score;
  }

  /** Marks every catalog's scores stale (they stay shown until the new ones arrive). */
  invalidate(): void {
    for (const state of this.catalogs.values()) state.stale = true;
  }

  /** Forgets a catalog that left the workspace. */
  forget(root: string): void {
    this.catalogs.delete(root);
  }

  /** Computes now and resolves when done (tests, and a view that must wait). */
  async refresh(root: string, file: string): Promise<QualityIndex | undefined> {
    this.index(root, file);
    const state = this.catalogs.get(root);
    while (state?.running) await new Promise((r) => setTimeout(r, 20));
    return state?.index;
  }

  private async compute(root: string, state: CatalogScores): Promise<void> {
    state.running = true;
    state.stale = false;
    try {
      const reply = await this.request(state.file);
      if (this.catalogs.get(root) !== state) return;
      if (reply.ok) {
        state.index = { byEntity: new Map(reply.entities.map((e) => [e.id, e])), projects: reply.projects };
        this.onUpdated(root);
      } else this.onError(`Docs quality scores of ${root} failed: ${reply.error}`);
    } finally {
      state.running = false;
      // Changed while computing: once more, with what the catalog holds now.
      if (state.stale && !this.disposed && this.catalogs.get(root) === state) void this.compute(root, state);
    }
  }

  private request(file: string): Promise<QualityReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, file } satisfies QualityRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const bundled = path.join(__dirname, 'qualityWorker.js');
    const worker = existsSync(bundled) ? new Worker(bundled) : new Worker(path.join(__dirname, 'qualityWorker.ts'), { execArgv: ['--require', 'tsx/cjs'] });
    worker.on('message', (reply: QualityReply) => {
      const settle = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      settle?.(reply);
    });
    const fail = (message: string): void => {
      // Every request waiting on this worker gets an answer; the next request starts a new one.
      if (this.worker === worker) this.worker = undefined;
      for (const [id, settle] of this.pending) settle({ id, ok: false, error: message });
      this.pending.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`the quality worker exited (${code})`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    this.disposed = true;
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
