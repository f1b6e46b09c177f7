import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeWorkspace, removeDir } from '../scanner/helpers';
import { buildCli, mallard } from './spawnCli';

/**
 * How the CLI finds things: the catalog (nearest `.mallard/catalog.db` upward, named on stderr;
 * `.mallard/.gitignore`; a folder given as `--db`), files for `diagnostics --file` (relative to the
 * current folder, to the scanned folder, or absolute) and entities by dbt version
 * (`name` → `latest_version`, `name.v3`). Spawns the built CLI.
 */

const project = {
  'dbt_project.yml': "name: shop\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/stg_orders.sql': "select 1 as order_id, 2 as customer_id, 10 as amount\n",
  'models/marts/dim_customers_v1.sql': "select customer_id from {{ ref('stg_orders') }}\n",
  'models/marts/dim_customers_v2.sql': "select customer_id, sum(amount) as total from {{ ref('stg_orders') }} group by customer_id\n",
  'models/marts/dim_customers_v3.sql': "select customer_id, sum(amount) as total, count(*) as n from {{ ref('stg_orders') }} group by customer_id\n",
  // latest_version is 2 although 3 exists (a pre-release): a bare name means 2, as ref() does in dbt.
  'models/marts/schema.yml': 'version: 2\nmodels:\n  - name: dim_customers\n    latest_version: 2\n    versions:\n      - v: 1\n      - v: 2\n      - v: 3\n',
  'warehouse/broken.sql': 'select from where (;\n',
  'warehouse/fine.sql': 'create table audit_log (id int);\n',
};

describe('mallard CLI: finding the catalog, files and versions (built bundle, spawned)', function () {
  this.timeout(180_000);
  let outer = '';
  let root = '';
  let scan = { code: 0 as number | null, stdout: '', stderr: '' };

  before(() => {
    buildCli();
    outer = makeWorkspace({}, 'mallard-find-');
    root = path.join(outer, 'shop');
    mkdirSync(root);
    for (const [rel, text] of Object.entries(project)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    // Latin-1 text: read as windows-1252 with a warning, never an error.
    writeFileSync(path.join(root, 'warehouse/latin1.sql'), Buffer.from('create table caf\xe9 (id int);\n', 'latin1'));
    scan = mallard(['scan', 'shop', '--no-git'], outer);
    assert.equal(scan.code, 0, scan.stderr);
  });
  after(() => removeDir(outer));

  it('a scan of a folder below says how the other commands find its catalog', () => {
    assert.match(scan.stderr, /commands run inside .*shop use this catalog; from here, pass --db shop\/\.mallard\/catalog\.db/);
  });

  it('finds the nearest .mallard/catalog.db upward, names it on stderr, and hints at one below', () => {
    const deep = path.join(root, 'models/marts');
    const r = mallard(['show', 'stg_orders', '--json'], deep);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { entity: { id: string } }).entity.id, 'model.shop.stg_orders');
    assert.equal(r.stderr, `mallard: using catalog ${path.join(root, '.mallard/catalog.db')}\n`);
    assert.equal(mallard(['show', 'stg_orders', '--quiet'], deep).stderr, '', '--quiet silences the line');

    // A nearer catalog wins over the one above it.
    const sub = path.join(root, 'sub');
    mkdirSync(path.join(sub, 'deeper'), { recursive: true });
    writeFileSync(path.join(sub, 'only_here.sql'), 'create table only_here (id int);\n');
    assert.equal(mallard(['scan', '.', '--no-git', '--quiet'], sub).code, 0);
    const near = mallard(['search', 'only_here', '--json'], path.join(sub, 'deeper'));
    assert.equal(near.code, 0, near.stderr);
    assert.match(near.stderr, new RegExp(`using catalog ${path.join(sub, '.mallard/catalog.db').replace(/[.]/g, '\\.')}`));
    assert.ok((JSON.parse(near.stdout) as { name: string }[]).some((h) => h.name === 'only_here'));

    // Above every catalog: an error that points at the ones below.
    const none = mallard(['stats'], outer);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no catalog found: no \.mallard\/catalog\.db in .* or a folder above it/);
    assert.match(none.stderr, /Catalogs in folders below: shop\/\.mallard\/catalog\.db/);
  });

  it('.mallard/ carries its own .gitignore, so git status stays clean; other folders get none', () => {
    assert.equal(readFileSync(path.join(root, '.mallard/.gitignore'), 'utf8').split('\n').filter((l) => !l.startsWith('#'))[0], '*');
    const git = (args: string[]): string => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout;
    git(['init', '-q']);
    assert.doesNotMatch(git(['status', '--porcelain', '--untracked-files=all']), /\.mallard/);
    const elsewhere = path.join(outer, 'plain');
    assert.equal(mallard(['scan', 'shop/warehouse', '--db', 'plain/cat.db', '--no-git', '--quiet'], outer).code, 0);
    assert.ok(existsSync(path.join(elsewhere, 'cat.db')) && !existsSync(path.join(elsewhere, '.gitignore')));
  });

  it('--db naming a folder is refused with a clear message, not an SQLite error', () => {
    for (const args of [['stats', '--db', 'shop'], ['scan', 'shop', '--db', 'shop/models']]) {
      const r = mallard(args, outer);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /--db shop(\/models)? is a folder, not a catalog file; pass the file/);
      assert.doesNotMatch(r.stderr, /SqliteError|disk I\/O/);
    }
    assert.match(mallard(['stats', '--db', 'shop'], outer).stderr, /e\.g\. --db shop\/\.mallard\/catalog\.db/);
  });

  it('diagnostics --file takes cwd-relative, scanned-folder-relative and absolute paths; exit 1 when an error is listed', () => {
    const warehouse = path.join(root, 'warehouse');
    for (const given of ['broken.sql', path.join(warehouse, 'broken.sql')]) {
      const r = mallard(['diagnostics', '--file', given, '--quiet'], warehouse);
      assert.equal(r.code, 1, `${given}: ${r.stderr}`);
      assert.match(r.stdout, /warehouse\/broken\.sql:1:\d+\s+error/);
    }
    const catalogRelative = mallard(['diagnostics', '--file', 'warehouse/broken.sql', '--json', '--quiet'], path.join(root, 'models'));
    assert.equal(catalogRelative.code, 1);
    assert.deepEqual([...new Set((JSON.parse(catalogRelative.stdout) as { file: string }[]).map((d) => d.file))], ['warehouse/broken.sql']);
    const warningOnly = mallard(['diagnostics', '--file', 'latin1.sql', '--quiet'], warehouse);
    assert.equal(warningOnly.code, 0, warningOnly.stdout);
    assert.match(warningOnly.stdout, /latin1\.sql:1:\d+\s+warning/);
    assert.equal(mallard(['diagnostics', '--file', 'fine.sql', '--quiet'], warehouse).code, 0);
    assert.equal(mallard(['diagnostics', '--quiet'], root).code, 1, 'all diagnostics: one is an error');
    const unknown = mallard(['diagnostics', '--file', 'brokn.sql', '--quiet'], warehouse);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no file "brokn\.sql" in the catalog .*did you mean warehouse\/broken\.sql\?/);
  });

  it('a versioned model: the bare name means latest_version, name.vN one version, name.vN.col a column', () => {
    const id = (args: string[]): string => {
      const r = mallard([...args, '--json', '--quiet'], root);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { entity: { id: string } }).entity.id;
    };
    assert.equal(id(['show', 'dim_customers']), 'model.shop.dim_customers.v2');
    assert.equal(id(['show', 'dim_customers.v3']), 'model.shop.dim_customers.v3');
    assert.equal(id(['show', 'shop.dim_customers.v1']), 'model.shop.dim_customers.v1');
    const text = mallard(['show', 'dim_customers.v3', '--quiet'], root);
    assert.match(text.stdout, /^dim_customers\.v3/);
    assert.match(text.stdout, /version\s+3 \(versions 1, 2, 3; latest 2\)/);
    const col = mallard(['lineage', 'dim_customers.v3.n', '--upstream', '--quiet'], root);
    assert.equal(col.code, 0, col.stderr);
    assert.match(col.stdout, /^dim_customers\.v3\.n/);
    const model = mallard(['lineage', 'stg_orders', '--downstream', '--quiet'], root);
    assert.match(model.stdout, /dim_customers\.v1 \(model\)/);
    const missing = mallard(['show', 'dim_customers.v9', '--quiet'], root);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /dim_customers has no version 9 \(versions 1, 2, 3\)/);
    const noColumn = mallard(['lineage', 'dim_customers.v1.totl', '--quiet'], root);
    assert.match(noColumn.stderr, /dim_customers\.v1 has no column "totl"/);
  });
});
