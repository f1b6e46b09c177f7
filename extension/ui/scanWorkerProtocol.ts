import type { MallardConfig } from '../config';
import type { ScanProgress } from '../scanner/scanTypes';
import type { CompiledPreview } from './compiledRender';

/**
 * Messages between the extension host and the scan worker thread. The worker owns the writing
 * catalog connection, the scanner and the file watcher, so the extension host thread never waits
 * on walking, hashing, assembling or writing; it only reads the catalog (SQLite WAL).
 */

/** Host → worker. */
export type ToScanWorker =
  | { type: 'scan'; id: number }
  | { type: 'update'; id: number; paths: string[] }
  /** Show Compiled SQL: render `text` as the dbt node at workspace-relative `path` (no write). */
  | { type: 'render'; id: number; path: string; text: string }
  | { type: 'cancel' }
  | { type: 'stop' };

/** Worker → host. */
export type FromScanWorker =
  | { type: 'progress'; progress: ScanProgress }
  | { type: 'done'; id: number; ok: true; summary: string; changed: boolean }
  | { type: 'done'; id: number; ok: false; error: string; cancelled: boolean }
  /** The watcher applied file changes; the host refreshes its views. */
  | { type: 'changed'; summary: string }
  /** The answer to a `render` request. */
  | { type: 'rendered'; id: number; preview: CompiledPreview }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** What the worker is started with (`workerData`). */
export interface ScanWorkerData {
  root: string;
  catalogFile: string;
  config: MallardConfig;
  /**
   * How long after a re-open's first scan (nothing changed) the worker waits before it builds the
   * warm state and starts the watcher; an update request starts them at once. Default 10 s.
   */
  warmupDelayMs?: number;
  /**
   * One Int32 shared with the host, which stores the id of a scan request to cancel in it (and
   * sends `cancel`). The worker reads it during long synchronous work (planning, rendering), which
   * cannot see the `cancel` message until it ends.
   */
  cancelFlag?: Int32Array;
}
