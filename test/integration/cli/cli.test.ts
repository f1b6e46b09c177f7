import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeWorkspace, removeDir, starChainProject } from '../scanner/helpers';

/**
 * Spawns the built CLI (`node dist/cli/mallard.js`) on a fixture workspace and checks its output,
 * `--json`, the export format and the exit codes.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function mallard(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mallard CLI (built bundle, spawned)', function () {
  this.timeout(180_000);
  let root = '';

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
    root = makeWorkspace({
      ...starChainProject(),
      'warehouse/ddl.sql': 'create table audit_log (id int, at timestamp);\n',
      'warehouse/broken.sql': 'select from where (;\n',
    }, 'mallard-cli-');
  });
  after(() => removeDir(root));

  it('scan writes the default catalog, reports progress on stderr and a summary on stdout', () => {
    const r = mallard(['scan', '.', '--no-git'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(path.join(root, '.mallard/catalog.db')));
    assert.match(r.stdout, /Scanned .* in \d+\.\d+ s/);
    assert.match(r.stdout, /entities\s+columns/);
    assert.match(r.stderr, /mallard: parse/);
    const again = mallard(['scan', root, '--json', '--quiet', '--no-git'], '/');
    assert.equal(again.code, 0, again.stderr);
    const json = JSON.parse(again.stdout) as { wrote: boolean; parsed: number; stats: { entities: number } };
    assert.equal(json.wrote, false, 'second scan finds nothing to do');
    assert.equal(json.parsed, 0);
    assert.ok(json.stats.entities >= 5);
    assert.equal(again.stderr, '');
  });

  it('export --format json prints entities and model/column edges', () => {
    const r = mallard(['export', '--format', 'json'], root);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { entities: { id: string; kind: string; name: string; project: string; path: string }[]; edges: { from: string; to: string; level: string; transform?: string }[] };
    const ids = data.entities.map((e) => e.id);
    assert.ok(ids.includes('model.chain.top_c') && ids.includes('source.chain.raw.orders'));
    assert.deepEqual(Object.keys(data.entities[0] ?? {}).sort(), ['id', 'kind', 'name', 'path', 'project']);
    assert.ok(data.edges.some((e) => e.level === 'model' && e.from === 'model.chain.mid_b' && e.to === 'model.chain.top_c'));
    assert.ok(data.edges.some((e) => e.level === 'column' && e.from === 'model.chain.mid_b#amount' && e.to === 'model.chain.top_c#amount' && e.transform === 'identity'));
    assert.ok(data.edges.filter((e) => e.level === 'model').every((e) => e.transform === undefined));
  });

  it('lineage prints trees; --columns, --upstream and --depth narrow it; --json is parseable', () => {
    const model = mallard(['lineage', 'mid_b'], root);
    assert.equal(model.code, 0, model.stderr);
    assert.match(model.stdout, /Upstream\nmid_b \(model\)\n└─ stg_a \(model\)\s+\[ref\]\n\s+└─ raw\.orders \(source\)/);
    assert.match(model.stdout, /Downstream\nmid_b \(model\)\n└─ top_c \(model\)/);
    const up = mallard(['lineage', 'top_c', '--upstream', '--depth', '1', '--json'], root);
    assert.equal(up.code, 0, up.stderr);
    const lin = JSON.parse(up.stdout) as { nodes: { id: string; depth: number }[] };
    assert.deepEqual(lin.nodes.map((n) => n.id).sort(), ['model.chain.mid_b', 'model.chain.top_c']);
    const cols = mallard(['lineage', 'top_c.amount', '--upstream'], root);
    assert.equal(cols.code, 0, cols.stderr);
    assert.match(cols.stdout, /top_c\.amount\n└─ mid_b\.amount\s+\[identity\]\n\s+└─ stg_a\.amount\s+\[identity\]\n\s+└─ raw\.orders\.amount/);
    const all = mallard(['lineage', 'top_c', '--columns', '--json'], root);
    const parsed = JSON.parse(all.stdout) as { columns: { column: string }[] };
    assert.deepEqual(parsed.columns.map((c) => c.column), ['order_id', 'amount']);
  });

  it('show, search, stats and diagnostics answer in tables and JSON', () => {
    const show = mallard(['show', 'top_c'], root);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /top_c — The top model\./);
    assert.match(show.stdout, /order_id\s+both\s+Order key\./);
    const search = mallard(['search', 'audit', '--json'], root);
    assert.equal(search.code, 0, search.stderr);
    assert.ok((JSON.parse(search.stdout) as { name: string }[]).some((h) => h.name === 'audit_log'));
    const stats = mallard(['stats', '--json'], root);
    assert.equal((JSON.parse(stats.stdout) as { entitiesByKind: Record<string, number> }).entitiesByKind['model'], 3);
    const diags = mallard(['diagnostics', '--json'], root);
    const list = JSON.parse(diags.stdout) as { file: string; line: number; column: number }[];
    assert.ok(list.some((d) => d.file === 'warehouse/broken.sql' && d.line >= 1 && d.column >= 1));
    assert.match(mallard(['diagnostics'], root).stdout, /warehouse\/broken\.sql:\d+:\d+\s+error/);
  });

  it('exit codes: 2 for usage errors with help, 1 for errors, 0 for --help', () => {
    const unknown = mallard(['frobnicate'], root);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.match(unknown.stderr, /Usage: mallard <command>/);
    const flag = mallard(['stats', '--colour'], root);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--colour/);
    assert.equal(mallard(['lineage'], root).code, 2);
    assert.equal(mallard(['lineage', 'x', '--upstream', '--downstream'], root).code, 2);
    assert.equal(mallard(['export'], root).code, 2);
    const missing = mallard(['show', 'no_such_model'], root);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no entity named "no_such_model"/);
    const nodb = mallard(['stats', '--db', 'nope/catalog.db'], root);
    assert.equal(nodb.code, 1);
    assert.match(nodb.stderr, /no catalog at/);
    const help = mallard(['--help'], root);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /lineage <entity>/);
  });

  it('on the sample project, a bare name prefers the model over the docs block of the same name, also for <entity>.<column>', () => {
    const db = path.join(root, 'sample.db');
    const scan = mallard(['scan', path.join(repo, 'samples/jaffle_duck'), '--db', db, '--no-git', '--quiet'], root);
    assert.equal(scan.code, 0, scan.stderr);
    const show = mallard(['show', 'orders', '--db', db, '--json'], root);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { entity: { id: string } }).entity.id, 'model.jaffle_duck.orders');
    const down = mallard(['lineage', 'orders.total_paid', '--downstream', '--db', db, '--json'], root);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /model\.jaffle_duck\.customers\.v2#lifetime_value/);
  });
});
