import { parentPort } from 'node:worker_threads';
import { CatalogStore } from '../catalog/catalogStore';
import { computeQuality } from './qualityIndex';
import type { QualityReply, QualityRequest } from './qualityService';

/**
 * The worker thread that scores a catalog's docs quality (`qualityService.ts`): reading and
 * parsing every column of a large catalog takes about a second at 5,000 models, which must not
 * block the extension host. It opens each catalog file read-only (SQLite WAL lets it read while the
 * scan worker writes) and answers one request at a time.
 */

const stores = new Map<string, CatalogStore>();

parentPort?.on('message', (request: QualityRequest) => {
  let reply: QualityReply;
  try {
    let store = stores.get(request.file);
    if (!store) stores.set(request.file, (store = CatalogStore.open(request.file, { readonly: true })));
    const index = computeQuality(store);
    reply = { id: request.id, ok: true, entities: [...index.byEntity.values()], projects: index.projects };
  } catch (err) {
    reply = { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
