import { parentPort } from 'node:worker_threads';
import { CatalogStore } from '../catalog/catalogStore';
import { computeQuality } from './qualityIndex';
import type { QualityReply, QualityRequest } from './qualityService';

/**
 * The worker thread that scores a catalog's docs quality (`qualityService.ts`): reading and
 * parsing every column of a large catalog takes about a second at 5,000 models, which must not
 * block the extension host. It opens the catalog file read-only (SQLite WAL lets it read while the
 * scan worker writes) and answers one request at a time.
 */

parentPort?.on('message', (request: QualityRequest) => {
  let reply: QualityReply;
  // Opened for each request and closed after it (a few milliseconds against a second of work): a
  // connection left open would keep the catalog's write-ahead log from being removed when the
  // extension host closes the catalog.
  let store: CatalogStore | undefined;
  try {
    store = CatalogStore.open(request.file, { readonly: true });
    const index = computeQuality(store);
    reply = { id: request.id, ok: true, entities: [...index.byEntity.values()], projects: index.projects };
  } catch (err) {
    reply = { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    store?.close();
  }
  parentPort?.postMessage(reply);
});
