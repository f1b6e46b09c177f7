import type { Score } from '../../core/governance/quality';
import type { ProjectSummary, ScoredEntity } from '../../core/governance/qualityView';
import { CatalogJobWorker } from './catalogJobs';
import type { QualityIndex } from './qualityIndex';

/**
 * Docs quality scores for the views, computed in a worker thread (`qualityWorker.ts`) and kept per
 * catalog until it changes. A view asks synchronously and gets the last scores (undefined before
 * the first ones); a change marks them stale and starts one computation, whose end calls
 * `onUpdated` so the views draw the new scores. No `vscode`, so tests run it with a real worker.
 */

/** A request to the worker: score the catalog in `file`. */
export interface QualityRequest {
  file: string;
}

/** The worker's answer. */
export interface QualityResult {
  entities: ScoredEntity[];
  projects: ProjectSummary[];
}

interface CatalogScores {
  file: string;
  index?: QualityIndex;
  /** A computation is running. */
  running: boolean;
  /** The catalog changed since the running (or last) computation began. */
  stale: boolean;
}

export class QualityService {
  private readonly worker = new CatalogJobWorker<QualityRequest, QualityResult>('qualityWorker');
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
      const reply = await this.worker.run({ file: state.file });
      if (this.catalogs.get(root) !== state) return;
      if (reply.ok) {
        state.index = { byEntity: new Map(reply.value.entities.map((e) => [e.id, e])), projects: reply.value.projects };
        this.onUpdated(root);
      } else this.onError(`Docs quality scores of ${root} failed: ${reply.error}`);
    } finally {
      state.running = false;
      // Changed while computing: once more, with what the catalog holds now.
      if (state.stale && !this.disposed && this.catalogs.get(root) === state) void this.compute(root, state);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.worker.dispose();
  }
}
