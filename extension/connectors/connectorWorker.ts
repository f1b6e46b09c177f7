import { parentPort, workerData } from 'node:worker_threads';
import { connectorDefinition } from '../../core/connectors/registry';
import type { ConnectorType, HttpFetch } from '../../core/connectors/connector';
import { CatalogStore } from '../catalog/catalogStore';
import type { ConnectorWorkerData, FromConnectorWorker, ToConnectorWorker } from './connectorWorkerProtocol';
import { runConnectorInto, type RunOutcome } from './localRun';
import { folderFiles } from './folderFiles';
import { openSqlSession } from './sqlDrivers';
import { ensureSqlEngine } from '../sqlEngineHost';

/**
 * The worker thread of one local connector run (bundled as dist/extension/connectorWorker.js):
 * extraction (queries, parsing view definitions) and the catalog write happen here, so the
 * extension host's thread never waits on them. It reports progress and the outcome, then exits.
 */

const data = workerData as ConnectorWorkerData;
const post = (message: FromConnectorWorker): void => parentPort?.postMessage(message);
const abort = new AbortController();
parentPort?.on('message', (message: ToConnectorWorker) => {
  if (message.type === 'cancel') abort.abort();
});

async function main(): Promise<RunOutcome> {
  const def = connectorDefinition(data.type);
  if (!def) return { ok: false, reason: 'bad-host', message: `This build of Mallard has no ${data.type} connector.` };
  // View definitions are parsed for lineage: the SQL parser (WebAssembly) is installed per thread.
  ensureSqlEngine();
  const store = CatalogStore.open(data.catalogFile);
  try {
    return await runConnectorInto(
      store,
      def,
      { id: data.connectorId, config: data.config, secrets: data.secrets, ...(data.state !== undefined ? { state: data.state } : {}) },
      {
        fetch: globalThis.fetch as unknown as HttpFetch,
        openSql: (config, secrets) => openSqlSession(data.type as ConnectorType, config, secrets),
        ...(data.root !== undefined ? { files: folderFiles(data.root) } : {}),
        signal: abort.signal,
        progress: (message, done, total) => post({ type: 'progress', message, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) }),
      },
    );
  } finally {
    // Closed before the outcome is posted: the host may read the catalog as soon as it hears of it.
    store.close();
  }
}

void main()
  .catch((err: unknown): RunOutcome => ({ ok: false, reason: 'internal', message: err instanceof Error ? err.message : String(err) }))
  .then((outcome) => {
    post({ type: 'done', outcome });
    // Without the port's listener the thread ends once the connector's sockets are closed.
    parentPort?.close();
  });
