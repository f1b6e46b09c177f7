import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { MallardConfig } from '../config';
import { CatalogStore } from '../catalog/catalogStore';
import type { EntitySummary } from '../catalog/catalogTypes';
import { WorkspaceScanner } from '../scanner/scanner';
import type { ScanProgress, ScanReport } from '../scanner/scanTypes';
import { watchWorkspace, type WorkspaceWatcher } from '../scanner/watcher';
import type { Logger } from './logger';

/**
 * One workspace folder's catalog: the SQLite store under `.mallard/catalog.db` (shared with the
 * CLI), the scanner (parsing runs in worker threads) and the file watcher. It knows nothing about
 * VS Code; views subscribe to `onDidChange` and read the store.
 */
export class WorkspaceCatalog {
  readonly store: CatalogStore;
  private readonly scanner: WorkspaceScanner;
  private watcher: WorkspaceWatcher | undefined;
  private readonly listeners = new Set<() => void>();
  private byPath: Map<string, EntitySummary[]> | undefined;
  private disposed = false;

  constructor(
    /** Absolute path of the workspace folder. */
    readonly root: string,
    config: MallardConfig,
    private readonly logger: Logger,
  ) {
    const dir = path.join(root, '.mallard');
    mkdirSync(dir, { recursive: true });
    this.store = CatalogStore.open(path.join(dir, 'catalog.db'));
    this.scanner = new WorkspaceScanner(this.store, {
      root,
      defaultDialect: config.dialect,
      dialectByFolder: config.dialectByFolder,
      include: config.include,
      exclude: config.exclude,
    });
  }

  /** Registers a listener called after every scan or incremental update; returns its disposer. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    this.byPath = undefined;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
      }
    }
  }

  /** Full scan (a no-op write when nothing changed since the last one). */
  async scan(onProgress?: (p: ScanProgress) => void, signal?: AbortSignal): Promise<ScanReport> {
    const call = signal ? { onProgress, signal } : { onProgress };
    const report = await this.scanner.scan(call);
    this.logger.info(`Scanned ${report.files} files (${report.parsed} parsed, ${report.cacheHits} cached) in ${report.millis.toFixed(0)} ms; ${report.entities} entities`);
    this.changed();
    return report;
  }

  /** Starts watching files (after the first scan) so edits update the catalog incrementally. */
  watch(): void {
    if (this.watcher || this.disposed) return;
    this.watcher = watchWorkspace(this.scanner, {
      onUpdate: (report) => {
        if (report.changedPaths.length === 0) return;
        this.logger.info(`Updated ${report.changedPaths.length} changed files in ${report.millis.toFixed(0)} ms`);
        this.changed();
      },
      onError: (err) => this.logger.error(err instanceof Error ? err : String(err)),
    });
  }

  /** Rescans the given workspace-relative or absolute paths now (e.g. on save). */
  async update(paths: readonly string[]): Promise<void> {
    const report = await this.scanner.update(paths);
    if (report.changedPaths.length > 0) this.changed();
  }

  /** Entities defined in a workspace-relative file, from an index rebuilt after each change. */
  entitiesIn(relativePath: string): EntitySummary[] {
    if (!this.byPath) {
      this.byPath = new Map();
      for (let offset = 0; ; offset += 10_000) {
        const page = this.store.listEntities({ limit: 10_000, offset });
        for (const e of page.items) {
          const list = this.byPath.get(e.path) ?? [];
          list.push(e);
          this.byPath.set(e.path, list);
        }
        if (offset + page.items.length >= page.total || page.items.length === 0) break;
      }
    }
    return this.byPath.get(relativePath) ?? [];
  }

  /** Workspace-relative path with forward slashes, or undefined when outside this folder. */
  relative(absolute: string): string | undefined {
    const rel = path.relative(this.root, absolute);
    return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
  }

  /** Stops the watcher and workers and closes the store. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    await this.watcher?.dispose();
    await this.scanner.dispose();
    this.store.close();
  }
}
