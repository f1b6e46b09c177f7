import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';

/** Creates a temp workspace with the given files; returns its absolute path. */
export function makeWorkspace(files: Record<string, string> | Map<string, string>, prefix = 'mallard-scan-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFiles(dir, files);
  return dir;
}

/** Writes files under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string> | Map<string, string>): void {
  for (const [rel, text] of files instanceof Map ? files : Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Removes a temp folder. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Test teardown: stops the watcher and the scanner, closes the store, removes the folders. */
export async function teardown(parts: { watcher?: { dispose(): Promise<void> }; scanner?: { dispose(): Promise<void> }; store?: CatalogStore; dirs?: readonly string[] }): Promise<void> {
  await parts.watcher?.dispose();
  await parts.scanner?.dispose();
  parts.store?.close();
  for (const d of parts.dirs ?? []) removeDir(d);
}

/** Opens a fresh catalog in a new temp folder. */
export function tempStore(): { store: CatalogStore; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mallard-db-'));
  return { store: CatalogStore.open(path.join(dir, 'catalog.db')), dir };
}

/**
 * Everything the store holds, in a canonical order, for comparing two catalogs: entities (without
 * volatile fields), columns, model and column edges, unresolved refs and diagnostics.
 */
export function canonicalCatalog(store: CatalogStore): unknown {
  const entities = store.listEntities({ limit: 10000 }).items.map((e) => e.id).sort();
  const full = entities.map((id) => {
    const e = store.getEntity(id);
    return { ...e, columns: store.columnsOf(id).map((c) => ({ name: c.name, origin: c.origin, position: c.position, type: c.type, description: c.description })) };
  });
  const edges = [...store.exportEdges()].map((e) => JSON.stringify(e)).sort();
  const diagnostics = store.diagnostics().map((d) => JSON.stringify(d)).sort();
  const unresolved = store.unresolved().map((u) => JSON.stringify(u)).sort();
  return { entities: full, edges, diagnostics, unresolved };
}

/** A small dbt project with a `SELECT *` chain: raw source → stg_a → mid_b (select *) → top_c (select *). */
export function starChainProject(): Record<string, string> {
  return {
    'dbt_project.yml': "name: chain\nversion: '1.0'\nconfig-version: 2\nprofile: chain\nmodel-paths: ['models']\n",
    'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n          - name: amount\n          - name: status\n',
    'models/stg_a.sql': "select id as order_id, amount from {{ source('raw', 'orders') }}\n",
    'models/mid_b.sql': "select * from {{ ref('stg_a') }}\n",
    'models/top_c.sql': "select * from {{ ref('mid_b') }}\n",
    'models/docs.yml': 'version: 2\nmodels:\n  - name: top_c\n    description: The top model.\n    columns:\n      - name: order_id\n        description: Order key.\n',
  };
}
