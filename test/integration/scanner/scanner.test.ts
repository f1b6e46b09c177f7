import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { SIGNATURE_KEY, WorkspaceScanner } from '../../../extension/scanner/scanner';
import type { ScanProgress, UpdateReport } from '../../../extension/scanner/scanTypes';
import { watchWorkspace } from '../../../extension/scanner/watcher';
import { makeWorkspace, removeDir, starChainProject, tempStore, writeFiles } from './helpers';

const columnNames = (store: CatalogStore, id: string): string[] => store.columnsOf(id).map((c) => c.name);

describe('scanner (real files, real SQLite, worker threads)', function () {
  this.timeout(120_000);
  const cleanup: string[] = [];
  const stores: CatalogStore[] = [];
  const scanners: WorkspaceScanner[] = [];
  const setup = (files: Record<string, string>, options: { workers?: number; git?: boolean; inlineBelow?: number } = {}): { root: string; store: CatalogStore; scanner: WorkspaceScanner } => {
    const root = makeWorkspace(files);
    const { store, dir } = tempStore();
    cleanup.push(root, dir);
    stores.push(store);
    const scanner = new WorkspaceScanner(store, { root, workers: options.workers ?? 1, git: options.git ?? false, debounceMs: 50, ...(options.inlineBelow !== undefined ? { inlineBelow: options.inlineBelow } : {}) });
    scanners.push(scanner);
    return { root, store, scanner };
  };
  /** A full scan of `root` into a fresh catalog (the reference an incremental result must equal). */
  const fullScan = async (root: string): Promise<CatalogStore> => {
    const { store, dir } = tempStore();
    cleanup.push(dir);
    stores.push(store);
    const full = new WorkspaceScanner(store, { root, workers: 0, git: false });
    scanners.push(full);
    await full.scan();
    return store;
  };
  after(async () => {
    for (const s of scanners) await s.dispose();
    for (const s of stores) s.close();
    for (const d of cleanup) removeDir(d);
  });

  it('extracts a dbt project in worker threads and expands a SELECT * chain from upstream columns', async () => {
    const { store, scanner } = setup(starChainProject(), { inlineBelow: 0 });
    const progress: ScanProgress[] = [];
    const report = await scanner.scan({ onProgress: (p) => progress.push(p) });
    assert.equal(report.parsed, 3);
    assert.equal(report.wrote, true);
    assert.equal(scanner.workersStarted, 1, 'one worker thread parsed the files');
    assert.equal(report.parseMillis.length, 3);
    assert.deepEqual(columnNames(store, 'model.chain.stg_a'), ['order_id', 'amount']);
    assert.deepEqual(columnNames(store, 'model.chain.top_c'), ['order_id', 'amount']);
    const top = store.columnsOf('model.chain.top_c');
    assert.equal(top[0]?.origin, 'both', 'YAML-declared + inferred column merges');
    assert.equal(top[0]?.description, 'Order key.');
    assert.equal(top[1]?.origin, 'inferred');
    const up = store.columnLineage('model.chain.top_c#amount', { direction: 'upstream' });
    assert.ok(up.nodes.some((n) => n.id === 'source.chain.raw.orders#amount'), 'lineage reaches the source column through two stars');
    const parse = progress.filter((p) => p.phase === 'parse');
    assert.equal(parse.at(-1)?.done, 3);
    assert.ok(parse.every((p, i) => i === 0 || p.done >= (parse[i - 1]?.done ?? 0)), 'progress is monotonic');
  });

  it('respects .gitignore and exclude globs from .mallard.json', async () => {
    const { store, scanner } = setup({
      '.gitignore': 'ignored/\n*.tmp.sql\n',
      '.mallard.json': JSON.stringify({ exclude: ['vendor/**'] }),
      'warehouse/ddl.sql': 'create table sales (id int, amount numeric);\n',
      'warehouse/scratch.tmp.sql': 'create table scratch (id int);\n',
      'ignored/old.sql': 'create table old_stuff (id int);\n',
      'vendor/lib.sql': 'create table vendor_table (id int);\n',
    });
    await scanner.scan();
    const names = store.listEntities({ limit: 100 }).items.map((e) => e.name).sort();
    assert.deepEqual(names, ['sales']);
    assert.deepEqual(store.listFiles().map((f) => f.path).sort(), ['.mallard.json', 'warehouse/ddl.sql']);
  });

  it('serves unchanged files from the parse cache and re-parses only the edited one', async () => {
    const { root, store, scanner } = setup(starChainProject());
    await scanner.scan();
    await scanner.dispose();
    const again = new WorkspaceScanner(store, { root, workers: 1, git: false });
    scanners.push(again);
    const unchanged = await again.scan();
    assert.equal(unchanged.wrote, false, 'nothing changed: nothing written');
    assert.equal(unchanged.parsed, 0);
    writeFileSync(path.join(root, 'models/mid_b.sql'), "select *, 1 as flag from {{ ref('stg_a') }}\n");
    const third = new WorkspaceScanner(store, { root, workers: 1, git: false });
    scanners.push(third);
    const edited = await third.scan();
    assert.equal(edited.parsed, 1);
    assert.equal(edited.cacheHits, 2);
    assert.deepEqual(columnNames(store, 'model.chain.top_c'), ['order_id', 'amount', 'flag']);
  });

  it('a first scan stores the model level before column lineage; later scans do not stage', async () => {
    const { root, store, scanner } = setup(starChainProject());
    const staged: { models: string[]; modelEdges: number; columnEdges: number; signed: boolean; parseReported: boolean }[] = [];
    const phases: string[] = [];
    await scanner.scan({
      onProgress: (p) => phases.push(p.phase),
      onModelLevelStored: () => {
        const stats = store.stats();
        const models = store.listEntities({ kind: 'model', limit: 100 }).items.map((e) => e.id).sort();
        staged.push({ models, modelEdges: stats.modelEdges, columnEdges: stats.columnEdges, signed: store.getMeta(SIGNATURE_KEY) !== undefined, parseReported: phases.includes('parse') });
      },
    });
    // Staged from nodes rendered on the scan thread while the workers parse (their progress is
    // reported after the stage); the edges equal the complete write's.
    assert.deepEqual(staged, [{ models: ['model.chain.mid_b', 'model.chain.stg_a', 'model.chain.top_c'], modelEdges: store.stats().modelEdges, columnEdges: 0, signed: false, parseReported: false }]);
    assert.ok(phases.includes('parse'), 'the parse follows');
    assert.ok(store.stats().columnEdges > 0, 'the complete write follows');
    writeFileSync(path.join(root, 'models/mid_b.sql'), "select *, 2 as flag from {{ ref('stg_a') }}\n");
    const again = new WorkspaceScanner(store, { root, workers: 1, git: false });
    scanners.push(again);
    let calls = 0;
    const report = await again.scan({ onModelLevelStored: () => calls++ });
    assert.equal(report.wrote, true);
    assert.equal(calls, 0, 'a catalog with content is replaced in one transaction, never staged');
  });

  it('a YAML or macro edit keeps the parse of every model whose SQL renders the same, and the catalog equals a full scan', async () => {
    const files = {
      ...starChainProject(),
      'macros/amount.sql': '{% macro amount_of(col) %}{{ col }}{% endmacro %}\n',
      'models/stg_a.sql': "select id as order_id, {{ amount_of('amount') }} as amount from {{ source('raw', 'orders') }}\n",
    };
    const { root, store, scanner } = setup(files);
    await scanner.scan();
    const edges = (s: CatalogStore): string[] => [...s.exportEdges({ columns: true })].map((e) => JSON.stringify(e)).sort();
    const amountEdge = (): string | undefined => store.columnLineage('model.chain.stg_a#amount', { direction: 'upstream' }).edges.find((e) => e.from === 'source.chain.raw.orders#amount')?.transform;
    assert.equal(amountEdge(), 'identity');

    // A description edit changes nothing any render reads: no node is rendered or parsed again.
    writeFileSync(path.join(root, 'models/docs.yml'), 'version: 2\nmodels:\n  - name: top_c\n    description: The top model, edited.\n    columns:\n      - name: order_id\n        description: Order key.\n');
    const yamlEdit = await scanner.update(['models/docs.yml']);
    assert.equal(yamlEdit.parsed, 0);
    assert.equal(yamlEdit.reusedParses, 0);
    assert.equal(store.getEntity('model.chain.top_c')?.description, 'The top model, edited.');
    assert.deepEqual(edges(store), edges(await fullScan(root)));

    // Columns declared for mid_b: its lineage is resolved again from the statements it kept, which
    // are reloaded from the parse cache (its released IR is not in memory).
    writeFileSync(path.join(root, 'models/docs.yml'), 'version: 2\nmodels:\n  - name: top_c\n    description: The top model, edited.\n  - name: mid_b\n    columns:\n      - name: order_id\n        description: Declared.\n');
    const declare = await scanner.update(['models/docs.yml']);
    assert.equal(declare.parsed, 0);
    assert.ok(store.columnLineage('model.chain.mid_b#amount', { direction: 'upstream' }).nodes.some((n) => n.id === 'source.chain.raw.orders#amount'), 'mid_b keeps its lineage');
    assert.equal(store.columnsOf('model.chain.mid_b')[0]?.description, 'Declared.');
    assert.deepEqual(edges(store), edges(await fullScan(root)));

    // A macro edit that changes one model's SQL parses that model again, and its lineage follows.
    writeFileSync(path.join(root, 'macros/amount.sql'), '{% macro amount_of(col) %}{{ col }} * 100{% endmacro %}\n');
    const macroEdit = await scanner.update(['macros/amount.sql']);
    assert.equal(macroEdit.parsed, 3);
    assert.equal(macroEdit.reusedParses, 2, 'mid_b and top_c render as before; stg_a does not');
    assert.equal(amountEdge(), 'transformation');
    assert.deepEqual(edges(store), edges(await fullScan(root)));
  });

  it('an edit that gives a model an alias re-renders the models that ref it, as a full scan does', async () => {
    const { root, store, scanner } = setup(starChainProject());
    await scanner.scan();
    assert.match(store.getEntity('model.chain.mid_b')?.compiledSql ?? '', /\bstg_a\b/);
    writeFileSync(path.join(root, 'models/stg_a.sql'), "{{ config(alias='orders_clean') }}\nselect id as order_id, amount from {{ source('raw', 'orders') }}\n");
    await scanner.update(['models/stg_a.sql']);
    const incremental = store.getEntity('model.chain.mid_b')?.compiledSql ?? '';
    assert.match(incremental, /\borders_clean\b/, `mid_b renders the new relation name: ${incremental}`);
    // The same files scanned from scratch give the same compiled SQL.
    const fresh = await fullScan(root);
    assert.equal(incremental, fresh.getEntity('model.chain.mid_b')?.compiledSql);
  });

  it('the watcher applies an edit and downstream SELECT * columns follow', async () => {
    const { root, store, scanner } = setup(starChainProject());
    await scanner.scan();
    const updates: UpdateReport[] = [];
    const watcher = watchWorkspace(scanner, { onUpdate: (r) => updates.push(r) });
    try {
      await watcher.ready;
      writeFileSync(path.join(root, 'models/stg_a.sql'), "select id as order_id, amount, status from {{ source('raw', 'orders') }}\n");
      for (let i = 0; i < 100 && updates.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await watcher.idle();
      assert.ok(updates.length >= 1, 'an update was applied');
      assert.deepEqual(columnNames(store, 'model.chain.top_c'), ['order_id', 'amount', 'status']);
      const replaced = new Set(updates.flatMap((u) => u.replacedEntities));
      assert.ok(replaced.has('model.chain.top_c') && replaced.has('model.chain.mid_b'), 'downstream models were replaced');
      assert.ok(!replaced.has('source.chain.raw.orders'), 'the unchanged source was left alone');
      const up = store.columnLineage('model.chain.top_c#status', { direction: 'upstream' });
      assert.ok(up.nodes.some((n) => n.id === 'source.chain.raw.orders#status'));
    } finally {
      await watcher.dispose();
    }
  });

  it('an aborted scan rejects and writes nothing', async () => {
    const { store, scanner } = setup(starChainProject());
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await assert.rejects(scanner.scan({ signal: controller.signal }), /user cancelled/);
    assert.equal(store.stats().entities, 0);
  });

  it('plain SQL: DDL declares tables, DML reads them, per-folder dialects apply', async () => {
    const { store, scanner } = setup({
      '.mallard.json': JSON.stringify({ dialect: 'postgresql', folders: { 'bq/': 'bigquery' } }),
      'ddl/tables.sql': 'create table customers (id int, name text);\ncreate table orders (id int, customer_id int, amount numeric);\n',
      'etl/report.sql': 'create view customer_revenue as\nselect c.name, sum(o.amount) as revenue\nfrom orders o join customers c on c.id = o.customer_id\ngroup by c.name;\n',
      'bq/daily.sql': 'create table `proj.ds.daily` as select name from customer_revenue;\n',
    });
    await scanner.scan();
    const view = store.getEntity('table.main.customer_revenue') ?? store.findEntity('customer_revenue');
    const entity = 'status' in view ? (view.status === 'found' ? view.entity : undefined) : view;
    assert.ok(entity, 'the view is an entity');
    assert.equal(entity.kind, 'view');
    assert.deepEqual(columnNames(store, entity.id), ['name', 'revenue']);
    const orders = store.columnsOf(entity.id.replace('customer_revenue', 'orders'));
    assert.deepEqual(orders.map((c) => [c.name, c.origin]), [['id', 'declared'], ['customer_id', 'declared'], ['amount', 'declared']]);
    const up = store.modelLineage(entity.id, { direction: 'upstream' });
    assert.deepEqual(up.edges.map((e) => `${e.from}>${e.kind}`).sort(), [`${entity.id.replace('customer_revenue', 'customers')}>sql`, `${entity.id.replace('customer_revenue', 'orders')}>sql`]);
    const rev = store.columnLineage(`${entity.id}#revenue`, { direction: 'upstream' });
    assert.ok(rev.edges.some((e) => e.from.endsWith('orders#amount') && e.transform === 'aggregation'));
    assert.ok(store.findEntity('proj.ds.daily').status !== 'not-found' || store.findEntity('daily').status !== 'not-found', 'the BigQuery-quoted target parsed with the folder dialect');
  });

  it('bad SQL yields a located diagnostic, never a crash', async () => {
    const { store, scanner } = setup({ 'broken.sql': 'select 1;\n\nselect from where (;\n', 'ok.sql': 'create table fine (id int);\n' });
    await scanner.scan();
    const diags = store.diagnostics('broken.sql');
    assert.ok(diags.length >= 1, 'a diagnostic for the broken file');
    assert.ok(diags.every((d) => d.file === 'broken.sql' && d.line >= 1 && d.column >= 1 && d.message.length > 0));
    assert.ok(store.findEntity('fine').status === 'found');
  });

  it('adds git ownership hints from one git log pass', async () => {
    const { root, store, scanner } = setup(starChainProject(), { git: true });
    const git = (...args: string[]): void => void execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com', 'add', '.');
    git('-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com', 'commit', '-q', '-m', 'initial');
    writeFiles(root, { 'models/stg_a.sql': "select id as order_id from {{ source('raw', 'orders') }}\n" });
    git('-c', 'user.name=Grace Hopper', '-c', 'user.email=grace@example.com', 'commit', '-q', '-am', 'narrow');
    await scanner.scan();
    const owners = (id: string): string[] => (store.getEntity(id)?.owners ?? []).filter((o) => o.source === 'git').map((o) => o.name);
    assert.deepEqual(owners('model.chain.stg_a'), ['Grace Hopper']);
    assert.deepEqual(owners('model.chain.mid_b'), ['Ada Lovelace']);
    assert.equal(store.getFile('models/stg_a.sql')?.lastAuthor, 'Grace Hopper');
  });
});
