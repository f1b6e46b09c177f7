import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { generateEtlRepo } from '../../../scripts/gen/bigqueryEtl';
import { canonicalCatalog, makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * The generated bigquery-etl repository scanned by the real scanner (parse worker thread, SQLite
 * file): bare queries land in the catalog as the tables their folders name, with the truth's
 * edges, the rule in their meta and the ambiguous name among the stored diagnostics; editing
 * `.mallard.json` (targets off, then a configured rule) re-plans and rewrites exactly what a full
 * scan of the new state writes.
 */

describe('scanner: targets of bare queries and exact names (real files, real SQLite)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const stores: CatalogStore[] = [];
  const scanners: WorkspaceScanner[] = [];
  const open = (root: string, workers: number): { store: CatalogStore; scanner: WorkspaceScanner } => {
    const { store, dir } = tempStore();
    dirs.push(dir);
    stores.push(store);
    const scanner = new WorkspaceScanner(store, { root, workers, git: false, debounceMs: 50, inlineBelow: 0, defaultDialect: 'bigquery', profileDirs: false });
    scanners.push(scanner);
    return { store, scanner };
  };
  after(async () => {
    for (const s of scanners) await s.dispose();
    for (const s of stores) s.close();
    for (const d of dirs) removeDir(d);
  });
  const label = (store: CatalogStore, id: string): string => {
    const e = store.getEntity(id);
    return e ? [e.database, e.schema, e.name].filter(Boolean).join('.') : id;
  };
  const edges = (store: CatalogStore): string[] => [...store.exportEdges({ columns: false })].map((e) => `${label(store, e.from)}>${label(store, e.to)}`).sort();
  const fullScan = async (root: string): Promise<CatalogStore> => {
    const { store, scanner } = open(root, 0);
    await scanner.scan();
    return store;
  };

  it('stores the truth\'s table edges, the rule that named each target, and the located ambiguity', async () => {
    const repo = generateEtlRepo({ seed: 21, tables: 24 });
    const root = makeWorkspace(repo.files, 'mallard-etl-');
    dirs.push(root);
    const { store, scanner } = open(root, 1);
    const report = await scanner.scan();
    assert.equal(report.wrote, true);
    assert.equal(scanner.workersStarted, 1, 'parsed in a worker thread');
    assert.deepEqual(edges(store), repo.edges);
    const first = Object.entries(repo.targets).find(([p, t]) => t !== null && p.endsWith('/query.sql'));
    const target = store.listEntities({ limit: 10000 }).items.map((e) => store.getEntity(e.id)).find((e) => e && label(store, e.id) === first?.[1]);
    assert.equal(target?.meta.targetRule, 'table-folder');
    assert.equal(target?.provenance.extractor, 'sql-target-rule');
    const ambiguous = store.diagnostics().filter((d) => d.code === 'ambiguous-relation');
    assert.deepEqual(ambiguous.map((d) => d.file), repo.ambiguous.map((a) => a.file));
    assert.ok(ambiguous.every((d) => d.line > 1 && d.column > 1));
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)), 'the worker scan equals an in-process scan');
  });

  it('an edit of .mallard.json re-plans: targets off, then a configured rule, each equal to a full scan', async () => {
    const repo = generateEtlRepo({ seed: 22, tables: 12 });
    const root = makeWorkspace(repo.files, 'mallard-etl-');
    dirs.push(root);
    const { store, scanner } = open(root, 0);
    await scanner.scan();
    const before = edges(store).length;
    assert.ok(before > 10);

    writeFileSync(path.join(root, '.mallard.json'), '{"targets": []}\n');
    await scanner.update(['.mallard.json']);
    const off = edges(store);
    assert.ok(off.length < before / 2, `only written targets keep edges (${off.length} of ${before})`);
    assert.deepEqual(store.diagnostics().filter((d) => d.severity === 'info'), [], 'targets off: nothing to say');
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)));

    writeFileSync(path.join(root, '.mallard.json'), '{"targets": [{"glob": "scripts/**/*.sql", "target": "adhoc.{file}", "kind": "view"}, "table-folder"]}\n');
    await scanner.update(['.mallard.json']);
    const report = store.listEntities({ limit: 10000 }).items.map((e) => store.getEntity(e.id)).find((e) => e?.name === 'events_report');
    assert.deepEqual([report?.schema, report?.kind], ['adhoc', 'view']);
    // The two summary.sql scripts share a name, which a configured rule is free to give them: one view.
    assert.equal(store.listEntities({ limit: 10000 }).items.filter((e) => e.name === 'summary').length, 1);
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)));
  });
});
