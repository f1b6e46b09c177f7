import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../../extension/config';
import { compiledDocumentText } from '../../../extension/ui/compiledRender';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { expectedCompiledSql } from '../../support/compiledExpected';
import { removeDir } from '../scanner/helpers';

/**
 * Show Compiled SQL, host to worker and back: a real WorkspaceCatalog (real scan worker thread,
 * real catalog file) on a copy of the sample project renders editor text (saved or not) with the
 * dbt context of its scan; the document text is compared with the core renderer's output computed
 * independently in the test.
 */
describe('Show Compiled SQL: the worker renders a model from the editor text', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const ORDERS = 'models/marts/orders.sql';
  let root: string;
  let catalog: WorkspaceCatalog;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mallard-compiled-'));
    cpSync(path.join(__dirname, '../../../samples/jaffle_duck'), root, { recursive: true, filter: (src) => !/[\\/]\.mallard$/.test(src) });
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent, { warmupDelayMs: 60_000 });
    await catalog.scan();
  });

  after(async () => {
    await catalog?.dispose();
    removeDir(root);
  });

  it('the document of a saved model is exactly the renderer output', async () => {
    const text = readFileSync(path.join(root, ORDERS), 'utf8');
    const preview = await catalog.render(ORDERS, text);
    const expected = expectedCompiledSql(root, ORDERS);
    assert.deepEqual(expected.errors, [], 'the sample renders without errors');
    assert.ok(preview.ok);
    assert.deepEqual(preview.errors, []);
    assert.equal(compiledDocumentText(ORDERS, preview), expected.compiledSql);
    // Jinja really was rendered: no tags left, the refs became relations.
    assert.doesNotMatch(expected.compiledSql, /\{\{|\{%/);
    assert.match(expected.compiledSql, /\bstg_orders\b/);
  });

  it('unsaved editor text is what gets rendered', async () => {
    const text = readFileSync(path.join(root, ORDERS), 'utf8').replace("ref('stg_orders')", "ref('stg_customers')");
    const preview = await catalog.render(ORDERS, text);
    const expected = expectedCompiledSql(root, ORDERS, text);
    assert.ok(preview.ok);
    assert.equal(compiledDocumentText(ORDERS, preview), expected.compiledSql);
    assert.notEqual(expected.compiledSql, expectedCompiledSql(root, ORDERS).compiledSql, 'the edit changes the compiled SQL');
  });

  it('a template that does not render heads the document with the error and its line and column', async () => {
    const text = "select *\nfrom {{ ref('stg_orders') }}\n{% if true %}\nwhere 1 = 1\n";
    const preview = await catalog.render(ORDERS, text);
    assert.ok(preview.ok);
    const expected = expectedCompiledSql(root, ORDERS, text);
    assert.ok(expected.errors.length > 0, 'the renderer reports the unclosed if');
    const doc = compiledDocumentText(ORDERS, preview);
    const lines = doc.split('\n');
    assert.equal(lines[0], `-- Mallard could not fully render ${ORDERS}:`);
    for (const e of preview.errors) assert.ok(lines.some((l) => l.startsWith(`--   line ${e.line}, column ${e.column}: `) && l.endsWith(`(${e.code})`)), `the header names ${e.line}:${e.column}`);
    assert.deepEqual(preview.errors.map((e) => `${e.line}:${e.column} ${e.code}`), expected.errors);
    assert.ok(doc.endsWith(expected.compiledSql), 'what rendered follows the header');
    assert.ok(doc.split('\n').every((l) => l === '' || l.startsWith('--') || expected.compiledSql.includes(l)), 'every header line is a SQL comment');
  });

  it('a new model not scanned yet renders; a file outside the model folders gets an explanation, not an empty document', async () => {
    const fresh = await catalog.render('models/marts/new_model.sql', "select * from {{ ref('orders') }}\n");
    assert.ok(fresh.ok);
    assert.equal(fresh.compiledSql, expectedCompiledSql(root, ORDERS, "select * from {{ ref('orders') }}\n").compiledSql);
    const preview = await catalog.render('elsewhere/query.sql', 'select 1');
    assert.deepEqual(preview.ok ? 'rendered' : preview.reason, 'not-dbt');
    assert.equal(compiledDocumentText('elsewhere/query.sql', preview), '-- Mallard could not compile elsewhere/query.sql: elsewhere/query.sql is not in a dbt project\n');
  });

  it('a re-opened catalog (no warm state yet) renders at once, without waiting for the warm-up', async () => {
    await catalog.dispose();
    // The catalog file exists: this scan is the re-open's quick check, which builds no warm state.
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent, { warmupDelayMs: 600_000 });
    await catalog.scan();
    const text = readFileSync(path.join(root, ORDERS), 'utf8');
    const preview = await catalog.render(ORDERS, text);
    assert.ok(preview.ok, preview.ok ? '' : preview.message);
    assert.equal(compiledDocumentText(ORDERS, preview), expectedCompiledSql(root, ORDERS).compiledSql);
  });
});
