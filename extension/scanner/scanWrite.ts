import type { Facts } from '../../core/model/entities';
import { projectOfPath, type WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { CatalogStore } from '../catalog/catalogStore';
import type { FileRecord } from '../catalog/catalogTypes';
import type { CacheWrite } from './fileResults';
import type { GitFileInfo } from './gitOwnership';
import { PLAIN_SQL_DIALECT_KEY } from '../catalog/metaTable';
import { SIGNATURE_KEY } from './scanTypes';
import type { Snapshot } from './snapshot';
import { reapplyConnectorFacts } from '../connectors/connectorFacts';

/**
 * What a full pass writes besides the facts' assembly: git ownership hints, file records, and the
 * one transaction that replaces the catalog.
 */

/** Adds git ownership hints (last author of the defining file) to entities, in place. */
export function withGitOwners(facts: Facts, git: ReadonlyMap<string, GitFileInfo>): Facts {
  if (git.size === 0) return facts;
  // Assigned in place rather than spread: dbt unit facts materialize their big arrays lazily.
  facts.entities = facts.entities.map((e) => {
    const info = git.get(e.path);
    if (!info || e.owners.some((o) => o.source === 'git')) return e;
    return { ...e, owners: [...e.owners, { name: info.author, ...(info.email ? { email: info.email } : {}), source: 'git' as const }] };
  });
  return facts;
}

/** File records for the store. */
export function fileRecords(snapshot: Snapshot, plan: WorkspacePlan, git: ReadonlyMap<string, GitFileInfo>, only?: Iterable<string>): FileRecord[] {
  const out: FileRecord[] = [];
  for (const p of only ?? snapshot.keys()) {
    const f = snapshot.get(p);
    if (!f) continue;
    const info = git.get(p);
    out.push({ path: p, project: projectOfPath(plan, p), hash: f.hash, size: f.size, mtimeMs: f.mtimeMs, ...(info ? { lastAuthor: info.author, lastCommitDate: info.date } : {}) });
  }
  return out;
}

/** What `writeAll` stores. */
export interface FullWrite {
  snapshot: Snapshot;
  plan: WorkspacePlan;
  git: ReadonlyMap<string, GitFileInfo>;
  facts: Facts;
  /** Parse results not stored yet (the pool's are stored as they come). */
  cacheWrites: readonly CacheWrite[];
  /** Signature of the inputs, recorded with the facts (see `WorkspaceScanner.signature`). */
  signature: string;
}

/** Replaces the catalog with a full pass's facts in one transaction (files gone are removed). */
export function writeAll(store: CatalogStore, w: FullWrite): void {
  const stale = store.listFiles().map((f) => f.path).filter((p) => !w.snapshot.has(p));
  // The caller waits for this write; the WAL checkpoint of its ~200 MB can wait (see `bulkTransaction`).
  store.bulkTransaction(() => {
    if (stale.length > 0) store.removeFiles(stale);
    store.replaceAll(w.facts);
    // Workspace connectors' tables are not in the files: they come back in the same transaction.
    reapplyConnectorFacts(store);
    store.upsertFiles(fileRecords(w.snapshot, w.plan, w.git));
    for (const c of w.cacheWrites) store.putParseCache(c.path, c.hash, c.cacheKey, c.value);
    store.setMeta(SIGNATURE_KEY, w.signature);
    store.setMeta(PLAIN_SQL_DIALECT_KEY, JSON.stringify(w.plan.sqlDialect ?? null));
  });
}
