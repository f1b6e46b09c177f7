import type { JsonValue } from '../../core/sync/ops';
import type { RunOutcome } from './localRun';

/**
 * Messages between the extension host and a connector run's worker thread. One worker per run: it
 * opens its own connection to the folder's catalog (SQLite WAL), extracts and writes, and ends.
 */

/** What the worker is started with (`workerData`). Secrets live only in this message and the worker's memory. */
export interface ConnectorWorkerData {
  catalogFile: string;
  /** The workspace folder: the `files` port of connectors that read repository files (BI). */
  root?: string;
  type: string;
  connectorId: string;
  config: unknown;
  secrets: unknown;
  state?: JsonValue;
}

/** Host → worker. */
export type ToConnectorWorker = { type: 'cancel' };

/** Worker → host. */
export type FromConnectorWorker = { type: 'progress'; message: string; done?: number; total?: number } | { type: 'done'; outcome: RunOutcome };
