import assert from 'node:assert/strict';
import path from 'node:path';
import { makeWorkspace, removeDir, writeFiles } from '../scanner/helpers';
import { buildCli, mallard, repoRoot } from './spawnCli';

/**
 * What the CLI prints: short usage errors with "did you mean", dialect names and aliases, indirect
 * column edges (a hint naming --indirect, or the edges with it), data tests and multi-line
 * descriptions in `show`, completed progress counts and plurals. Spawns the built CLI.
 */

const project = {
  'dbt_project.yml': "name: shop\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/stg_orders.sql': "select 1 as order_id, 10 as amount\n",
  // size_band depends on amount only through the CASE condition: an indirect (conditional) edge.
  'models/orders.sql': "select order_id, case when amount > 5 then 'big' else 'small' end as size_band from {{ ref('stg_orders') }}\n",
  'models/schema.yml': [
    'version: 2',
    'models:',
    '  - name: orders',
    '    description: |',
    '      Orders, one per row.',
    '',
    '      Second paragraph.',
    '    columns:',
    '      - name: order_id',
    '        description: "Line one.\\nLine two."',
    '        data_tests: [unique]',
    '      - name: size_band',
    '        data_tests:',
    '          - accepted_values:',
    "              values: ['big', 'small']",
    '',
  ].join('\n'),
};

describe('mallard CLI: what it prints (built bundle, spawned)', function () {
  this.timeout(180_000);
  let root = '';

  before(() => {
    buildCli();
    root = makeWorkspace(project, 'mallard-output-');
    const scan = mallard(['scan', '.', '--no-git', '--quiet'], root);
    assert.equal(scan.code, 0, scan.stderr);
  });
  after(() => removeDir(root));

  it('scan progress ends with completed counts; a rescan of one changed file says "1 file"', () => {
    const own = makeWorkspace(project, 'mallard-progress-');
    try {
      const first = mallard(['scan', '.', '--no-git'], own);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /mallard: plan 1\/1 \(\d+\.\d\d s\)/);
      assert.match(first.stderr, /mallard: write 1\/1 \(\d+\.\d\d s\)\n$/);
      assert.doesNotMatch(first.stderr, / 0\/\d/);
      writeFiles(own, { 'models/stg_orders.sql': 'select 1 as order_id, 12 as amount\n' });
      const again = mallard(['scan', '.', '--no-git', '--quiet'], own);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^1 file parsed, /m);
    } finally {
      removeDir(own);
    }
  });

  it('lineage shows what indirect edges it leaves out, and --indirect follows them', () => {
    const direct = mallard(['lineage', 'orders.size_band', '--upstream', '--quiet'], root);
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^orders\.size_band\n└─ \(no direct inputs; indirect: 1 conditional — --indirect shows them\)$/m);
    assert.match(direct.stdout, /Direct edges only: 1 indirect edge \(join, filter, group, sort, window, conditional\) not shown; --indirect follows them\./);
    const all = mallard(['lineage', 'orders.size_band', '--upstream', '--indirect', '--quiet'], root);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^orders\.size_band\n└─ stg_orders\.amount {2}\[conditional\]$/m);
    assert.doesNotMatch(all.stdout, /not shown/);
    const modelLevel = mallard(['lineage', 'orders', '--indirect', '--quiet'], root);
    assert.equal(modelLevel.code, 2);
    assert.match(modelLevel.stderr, /--indirect applies to column lineage/);
    const json = JSON.parse(mallard(['lineage', 'orders', '--columns', '--upstream', '--json', '--quiet'], root).stdout) as { indirect: boolean; columns: { column: string; hiddenIndirect: number }[] };
    assert.equal(json.indirect, false);
    assert.deepEqual(json.columns.map((c) => [c.column, c.hiddenIndirect]), [['order_id', 0], ['size_band', 1]]);
  });

  it('show prints data tests with their arguments, and multi-line descriptions never break a table', () => {
    const r = mallard(['show', 'orders', '--quiet'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^orders\n\n {2}Orders, one per row\.\n\n {2}Second paragraph\.\n/);
    assert.match(r.stdout, /^tests\s+2$/m);
    assert.match(r.stdout, /^order_id\s+unique$/m);
    assert.match(r.stdout, /^size_band\s+accepted_values\(values: \[big, small\]\)$/m);
    assert.match(r.stdout, /^0\s+order_id\s+both\s+Line one\. Line two\.$/m);
    assert.doesNotMatch(r.stdout, /^Line two/m);
  });

  it('a usage error is two lines with "did you mean", not the whole help', () => {
    const command = mallard(['lineag', 'orders'], root);
    assert.equal(command.code, 2);
    assert.equal(command.stderr, 'mallard: unknown command "lineag"; did you mean "lineage"?\nUsage: mallard <command> [options]; "mallard --help" lists the commands\n');
    const option = mallard(['lineage', 'orders', '--dept', '1'], root);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /^mallard: unknown option --dept for "lineage"; did you mean --depth\?\nUsage: mallard lineage <entity>\[\.<column>\] \[--columns\]/);
    assert.equal(option.stderr.trimEnd().split('\n').length, 2);
    const elsewhere = mallard(['stats', '--columns'], root);
    assert.match(elsewhere.stderr, /--columns is not an option of "stats" \(it is an option of "lineage"\)/);
    const bare = mallard([], root);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Commands:/);
    const help = mallard(['lineage', '--help'], root);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--indirect\s+also follow indirect column edges/);
  });

  it('--dialect accepts dbt adapter names and any case; an unknown one lists the dialects', () => {
    const sql = makeWorkspace({ 'q.sql': 'create table t (id int);\n' }, 'mallard-dialect-alias-');
    try {
      for (const name of ['postgres', 'Snowflake', 'duckdb', 'sqlserver']) {
        const r = mallard(['scan', '.', '--dialect', name, '--no-git', '--quiet', '--json'], sql);
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      }
      const bad = mallard(['scan', '.', '--dialect', 'postgrse'], sql);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown dialect "postgrse"; did you mean "postgres"\?/);
      assert.match(bad.stderr, /Dialects: postgresql, snowflake, bigquery, redshift, mysql, trino, hive, transactsql/);
    } finally {
      removeDir(sql);
    }
  });

  it('npm run demo ends with a hint instead of a bare column', () => {
    const db = path.join(root, 'demo.db');
    assert.equal(mallard(['scan', path.join(repoRoot, 'samples/jaffle_duck'), '--db', db, '--no-git', '--quiet'], root).code, 0);
    const r = mallard(['lineage', 'orders', '--columns', '--upstream', '--db', db], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /orders\.payment_status\n└─ \(no direct inputs; indirect: 2 conditional, /);
    assert.match(r.stdout, /not shown; --indirect follows them\.\n$/);
  });
});
