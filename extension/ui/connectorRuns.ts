import path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../core/connectors/orgProtocol';
import { CATALOG_FOLDER } from '../catalog/catalogFolder';
import type { Logger } from './logger';
import type { WorkspaceCatalog } from './workspaceCatalog';
import { runInWorker } from '../connectors/localRunner';
import type { OrgConnectors } from '../connectors/orgConnectors';
import type { WorkspaceConnectors } from '../connectors/workspaceConnectors';

/**
 * "Run now" for both scopes, with a cancellable progress notification. A workspace connector runs
 * in its own worker thread and writes the folder's catalog; its status goes to the workspace store.
 * An org connector's run is started by the `connectors` function and polled through `runs` until it
 * ends; then a sync cycle brings the org catalog's new rows into the local catalog.
 */

const POLL_MS = 1500;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Runs a workspace connector into `catalog`; resolves when it ended (any outcome). */
export async function runWorkspaceConnector(connectors: WorkspaceConnectors, id: string, catalog: WorkspaceCatalog, logger: Logger, catalogChanged: () => void): Promise<void> {
  const connector = connectors.get(id);
  if (!connector) return;
  const startedAt = new Date().toISOString();
  await connectors.setRun(id, { status: 'running', startedAt });
  const secrets = await connectors.secretsOf(id);
  logger.info(`Connector ${connector.name}: run started`);
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Mallard: running ${connector.name}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    try {
      return await runInWorker(
        { catalogFile: path.join(catalog.root, CATALOG_FOLDER, 'catalog.db'), root: catalog.root, type: connector.type, connectorId: id, config: connector.config, secrets, ...(connector.state !== undefined ? { state: connector.state } : {}) },
        { signal: abort.signal, onProgress: (message, done, total) => progress.report({ message: done !== undefined && total !== undefined ? `${message} (${done}/${total})` : message }) },
      );
    } finally {
      cancel.dispose();
    }
  });
  const finishedAt = new Date().toISOString();
  if (outcome.ok) {
    const counts = Object.entries(outcome.stats).map(([k, v]) => `${v} ${k}`).join(', ');
    await connectors.setRun(id, { status: 'succeeded', startedAt, finishedAt, message: counts || `${outcome.entities} entities` }, outcome.state);
    logger.info(`Connector ${connector.name}: run succeeded (${counts})`);
    catalogChanged();
    return;
  }
  const status = outcome.reason === 'cancelled' ? 'cancelled' : 'failed';
  await connectors.setRun(id, { status, startedAt, finishedAt, message: outcome.message });
  // The message is the connector's own (it never holds a secret: connectors do not echo them).
  logger.warn(`Connector ${connector.name}: run ${status} (${outcome.reason}): ${outcome.message}`);
  if (status === 'failed') void vscode.window.showErrorMessage(`Mallard: ${connector.name} failed: ${outcome.message}`);
}

/** Starts an org connector's run and follows it; `afterSuccess` (a sync cycle) runs when it succeeded. */
export async function runOrgConnector(org: OrgConnectors, id: string, name: string, logger: Logger, changed: () => void, afterSuccess: () => Promise<void>): Promise<RunSummary | undefined> {
  return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Mallard: running ${name} in the cloud`, cancellable: true }, async (progress, token) => {
    let run = await org.run(id);
    changed();
    logger.info(`Org connector ${name}: run ${run.id} ${run.status}`);
    while (!TERMINAL.has(run.status)) {
      if (token.isCancellationRequested) {
        // Only the watching stops: the run goes on in the cloud and the tree shows its status.
        return undefined;
      }
      progress.report({ message: `${run.status}, ${run.phase}: ${run.chunksDone} chunks, ${run.counts.entities} entities` });
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      run = (await org.runs(id, run.id)).find((r) => r.id === run.id) ?? run;
    }
    logger.info(`Org connector ${name}: run ${run.id} ${run.status} after ${run.chunksDone} chunks (${run.counts.entities} entities)`);
    if (run.status === 'succeeded') {
      progress.report({ message: 'syncing the catalog…' });
      await afterSuccess();
    } else if (run.status === 'failed') {
      void vscode.window.showErrorMessage(`Mallard: ${name} failed in the cloud: ${run.errors[0]?.message ?? 'no error reported'}`);
    }
    changed();
    return run;
  });
}
