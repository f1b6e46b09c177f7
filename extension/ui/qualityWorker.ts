import { CatalogStore } from '../catalog/catalogStore';
import { serveCatalogJobs } from './catalogJobs';
import { computeQuality } from './qualityIndex';
import type { QualityRequest, QualityResult } from './qualityService';

/**
 * The worker thread that scores a catalog's docs quality (`qualityService.ts`): reading and
 * parsing every column of a large catalog takes about a second at 5,000 models, which must not
 * block the extension host. It opens the catalog file read-only (SQLite WAL lets it read while the
 * scan worker writes) and answers one request at a time.
 */

serveCatalogJobs<QualityRequest, QualityResult>((request) => {
  // Opened for each request and closed after it (a few milliseconds against a second of work): a
  // connection left open would keep the catalog's write-ahead log from being removed when the
  // extension host closes the catalog.
  const store = CatalogStore.open(request.file, { readonly: true });
  try {
    const index = computeQuality(store);
    return { entities: [...index.byEntity.values()], projects: index.projects };
  } finally {
    store.close();
  }
});
