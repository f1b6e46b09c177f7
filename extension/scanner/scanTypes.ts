import type { ProfileDirs } from './externalProfiles';
import type { Dialect } from '../../core/pipeline/contracts';
import type { TargetRule } from '../../core/pipeline/targetRules';

/** Store meta key holding the signature of the inputs of the last complete write. */
export const SIGNATURE_KEY = 'scanner.signature';

/** Options of a `WorkspaceScanner`. */
export interface ScannerOptions {
  /** Absolute path of the workspace folder. */
  root: string;
  /** Dialect forced for every file (CLI `--dialect`); wins over `.mallard.json` and dbt profiles. */
  dialect?: Dialect;
  /** Defaults under `.mallard.json` (VS Code settings). */
  defaultDialect?: Dialect;
  dialectByFolder?: Record<string, Dialect>;
  /** Target rules and default schema of plain SQL under `.mallard.json` (VS Code settings `mallard.targets`, `mallard.defaultSchema`). */
  targets?: readonly TargetRule[];
  defaultSchema?: string;
  /** Globs of files to include / exclude, on top of `.gitignore` / `.dbtignore` and `.mallard.json`. */
  include?: readonly string[];
  exclude?: readonly string[];
  /** Worker threads for parsing; 0 parses on the calling thread. Default: one per core, max 4. */
  workers?: number;
  /** Batches smaller than this are parsed on the calling thread (default 8; 0 = always use workers). */
  inlineBelow?: number;
  /** Read git history for ownership hints (default true). */
  git?: boolean;
  /** Debounce of the file watcher in milliseconds (default 150). */
  debounceMs?: number;
  /**
   * Where dbt profiles outside the workspace are looked for (`DBT_PROFILES_DIR`, `~/.dbt`);
   * default: this process's environment. `false` reads none.
   */
  profileDirs?: ProfileDirs | false;
}

/** Scan phases reported to progress callbacks. */
export type ScanPhase = 'walk' | 'read' | 'plan' | 'parse' | 'assemble' | 'stage' | 'write';

/** A progress report: `done` of `total` units of the current phase. */
export interface ScanProgress {
  phase: ScanPhase;
  done: number;
  total: number;
}

/** How a caller stops work in progress. */
export interface WorkControl {
  signal?: AbortSignal;
  /**
   * Synchronous check that the work was cancelled, read during renders on the scan thread (which
   * cannot see an abort event until they end): e.g. a flag in shared memory that the thread asking
   * for the cancel sets. Work stopped this way throws `WorkCancelled`.
   */
  stopRequested?: () => boolean;
}

/** Per-call options of `scan`. */
export interface ScanCallOptions extends WorkControl {
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Called on a first scan (empty catalog) once the model level is stored: entities, declared
   * columns and model edges from the rendered nodes, before any SQL is parsed, column lineage is
   * resolved and the whole catalog is written.
   * Views can show models and model-level lineage from then on.
   */
  onModelLevelStored?: () => void;
}

/** What a full scan did. */
export interface ScanReport {
  files: number;
  /** Files whose per-file step was served from the parse cache. */
  cacheHits: number;
  /** Files rendered/parsed in this scan. */
  parsed: number;
  /** False when the catalog was already up to date (nothing written). */
  wrote: boolean;
  entities: number;
  millis: number;
  /** Wall-clock milliseconds per phase. */
  phases: Partial<Record<ScanPhase, number>>;
  /** Per-file parse time (ms) of the files parsed in this scan, inside the workers. */
  parseMillis: number[];
  /**
   * A first scan's stage: dbt nodes it rendered and handed to their parse jobs (the workers only
   * parsed them), and nodes whose model level it took from a worker's result (see `StageShare`).
   */
  stage?: { handedOver: number; fromWorkers: number };
}

/** What an incremental update did. */
export interface UpdateReport {
  /** Paths that changed content, appeared or disappeared. */
  changedPaths: string[];
  /** Entity ids whose facts were replaced in the store (changed, added or removed). */
  replacedEntities: string[];
  /** Files whose diagnostics were replaced. */
  replacedDiagnosticFiles: string[];
  /** Files rendered/parsed for this update. */
  parsed: number;
  /** Those files (workspace-relative paths). */
  parsedPaths?: string[];
  /** Of those, dbt nodes that rendered the same SQL as before and kept their parse. */
  reusedParses?: number;
  millis: number;
  /** Milliseconds per step (plan, parse, assemble, diff, write), for benchmarks. */
  phases?: Record<string, number>;
}
