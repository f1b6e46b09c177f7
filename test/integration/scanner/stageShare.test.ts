import assert from 'node:assert/strict';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { snapshot } from '../catalog/catalogFixtures';
import { makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * A first scan's stage renders dbt nodes on the scan thread and hands them to their parse jobs,
 * so each node is rendered once (`StageShare`): real files, real SQLite, a real parse worker. The
 * catalog and the parse cache must be exactly those of a scan where the workers render everything.
 */

/** 240 models in chains of four, Jinja in each (refs, a config, a macro, an if), and YAML docs. */
function project(): Record<string, string> {
  const files: Record<string, string> = {
    'dbt_project.yml': "name: shared\nversion: '1.0'\nconfig-version: 2\nprofile: shared\nmodel-paths: ['models']\nmacro-paths: ['macros']\n",
    'macros/cents.sql': '{% macro cents(col) %}({{ col }} * 100)::int{% endmacro %}\n',
    'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n          - name: amount\n          - name: status\n',
  };
  const docs: string[] = ['version: 2', 'models:'];
  for (let i = 0; i < 240; i++) {
    const step = i % 4;
    const name = `m${i}`;
    files[`models/g${Math.floor(i / 4)}/${name}.sql`] = step === 0
      ? `{{ config(materialized='table') }}\nselect id, amount, status from {{ source('raw', 'orders') }}\n`
      : step === 1
        ? `select id, {{ cents('amount') }} as amount_cents, status from {{ ref('m${i - 1}') }}\n`
        : step === 2
          ? `select *{% if var('flag', true) %}, 1 as flagged{% endif %} from {{ ref('m${i - 1}') }}\n`
          : `select a.id, a.amount_cents, b.amount from {{ ref('m${i - 1}') }} a join {{ ref('m${i - 3}') }} b on a.id = b.id\n`;
    docs.push(`  - name: ${name}`, `    description: Model ${i}.`, '    columns:', '      - name: id', `        description: Key of ${name}.`, '        data_tests: [not_null]');
  }
  files['models/docs.yml'] = `${docs.join('\n')}\n`;
  return files;
}

describe('first scan: the stage hands its renders to the parse jobs (real worker)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const stores: CatalogStore[] = [];
  after(() => {
    for (const s of stores) s.close();
    for (const d of dirs) removeDir(d);
  });

  async function scan(root: string, staged: boolean): Promise<{ store: CatalogStore; report: Awaited<ReturnType<WorkspaceScanner['scan']>> }> {
    const { store, dir } = tempStore();
    stores.push(store);
    dirs.push(dir);
    const scanner = new WorkspaceScanner(store, { root, workers: staged ? 1 : 0, git: false });
    try {
      const report = await scanner.scan(staged ? { onModelLevelStored: () => undefined } : {});
      return { store, report };
    } finally {
      await scanner.dispose();
    }
  }

  it('renders each node once between the stage and the worker, and the catalog and parse cache equal a scan without a stage', async () => {
    const root = makeWorkspace(project());
    dirs.push(root);
    const shared = await scan(root, true);
    const plain = await scan(root, false);
    const stage = shared.report.stage;
    assert.ok(stage, 'the first scan staged the model level');
    assert.ok(stage.handedOver > 0, `renders were handed to parse jobs (${JSON.stringify(stage)})`);
    assert.equal(stage.handedOver + stage.fromWorkers, 240, 'every node rendered once by the stage or taken from a worker result');
    assert.equal(plain.report.stage, undefined);
    assert.deepEqual(snapshot(shared.store), snapshot(plain.store));
    const cache = (store: CatalogStore): unknown[] => store.db.prepare('SELECT path, hash, cache_key, value FROM parse_cache ORDER BY path').all();
    assert.equal(cache(shared.store).length, 240);
    assert.deepEqual(cache(shared.store), cache(plain.store));
    assert.ok(shared.store.stats().columnEdges > 400, 'column lineage was resolved');
  });
});
