import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../../extension/catalog/migrations';
import { makeWorkspace, removeDir, starChainProject } from '../scanner/helpers';

/**
 * A damaged catalog, or one written by a newer Mallard (issue 10, item 6): every command names the
 * file, says why and what to do, never deletes or rewrites it; `mallard doctor` checks it, saves the
 * user's edits and unsent changes to JSON, and `--rebuild` moves the file aside for a new scan.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');

function mallard(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Scans the workspace into `file` and records one user edit (overlay + outbox row). */
function scannedWithEdit(root: string, file: string): void {
  const scan = mallard(['scan', root, '--db', file, '--quiet', '--no-git'], root);
  assert.equal(scan.code, 0, scan.stderr);
  const store = CatalogStore.open(file);
  try {
    store.mutate({ entityId: 'model.chain.top_c' }, { description: 'written by hand' });
  } finally {
    store.close();
  }
}

function setVersion(file: string, version: number): void {
  const db = new DatabaseConstructor(file);
  db.pragma(`user_version = ${version}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe('mallard doctor and damaged or newer catalogs (built bundle, spawned)', function () {
  this.timeout(240_000);
  let root = '';
  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
    root = makeWorkspace(starChainProject(), 'mallard-doctor-');
  });
  after(() => removeDir(root));

  it('a healthy catalog: every check ok, exit 0; --export-edits saves the overlay and the unsent change', () => {
    const file = path.join(root, 'healthy.db');
    scannedWithEdit(root, file);
    const r = mallard(['doctor', '--db', file, '--export-edits', 'edits.json'], root);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const check of ['integrity', 'schema version', 'foreign keys', 'search index', 'user edits']) assert.match(r.stdout, new RegExp(`${check}\\s+ok`));
    assert.match(r.stdout, /1 edit in the overlay, 1 change not yet synced/);
    const saved = JSON.parse(readFileSync(path.join(root, 'edits.json'), 'utf8')) as { userEdits: { targetId: string; description: string }[]; outbox: { targetId: string; opNumber: number; patch: { description: string } }[]; errors: string[] };
    assert.deepEqual(saved.userEdits.map((e) => [e.targetId, e.description]), [['model.chain.top_c', 'written by hand']]);
    assert.deepEqual(saved.outbox.map((o) => [o.targetId, o.opNumber, o.patch.description]), [['model.chain.top_c', 1, 'written by hand']]);
    assert.deepEqual(saved.errors, []);
  });

  it('a newer catalog: read commands and scan give the same truthful advice and leave the file as it is', () => {
    const file = path.join(root, 'newer.db');
    scannedWithEdit(root, file);
    setVersion(file, SCHEMA_VERSION + 3);
    const before = readFileSync(file);
    for (const args of [['stats'], ['show', 'top_c'], ['scan', root, '--quiet', '--no-git']]) {
      const r = mallard([...args, '--db', file], root);
      assert.equal(r.code, 1, `${args[0] ?? ''}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`Catalog ${file} was written by a newer Mallard (schema version ${SCHEMA_VERSION + 3}; this Mallard knows versions up to ${SCHEMA_VERSION})`), r.stderr);
      assert.match(r.stderr, /Update Mallard .* a rescan with this version cannot upgrade it\. The file is left as it is/);
      assert.ok(r.stderr.includes(`mallard doctor --rebuild --db ${file}`));
      assert.doesNotMatch(r.stderr, /rescan to migrate|migrate it/i);
    }
    assert.deepEqual(readFileSync(file), before, 'the file is not rewritten');
    const doctor = mallard(['doctor', '--db', file], root);
    assert.equal(doctor.code, 0, 'a newer file is not damaged');
    assert.match(doctor.stdout, new RegExp(`schema version\\s+warning\\s+version ${SCHEMA_VERSION + 3} is newer than this Mallard`));
    assert.match(doctor.stdout, /1 edit in the overlay/);
  });

  it('an older catalog: read commands say to scan once, and the scan upgrades it', () => {
    const file = path.join(root, 'older.db');
    const db = new DatabaseConstructor(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.close();
    const r = mallard(['stats', '--db', file], root);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`Catalog ${file} has schema version 1; this Mallard uses version ${SCHEMA_VERSION}. Run \`mallard scan\` on its folder once`), r.stderr);
    assert.equal(mallard(['scan', root, '--db', file, '--quiet', '--no-git'], root).code, 0);
    assert.equal(mallard(['stats', '--db', file], root).code, 0, 'what the message said works');
  });

  it('a file that is not a database: every command says damaged and what to do; doctor exits 1; nothing is deleted', () => {
    const file = path.join(root, 'garbage.db');
    writeFileSync(file, 'this is not a catalog\n');
    for (const args of [['stats'], ['scan', root, '--quiet', '--no-git']]) {
      const r = mallard([...args, '--db', file], root);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`Catalog ${file} is damaged and cannot be read (file is not a database)`), r.stderr);
      assert.ok(r.stderr.includes(`mallard doctor --db ${file}`));
    }
    const doctor = mallard(['doctor', '--db', file], root);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /file\s+problem\s+not a readable SQLite database: file is not a database/);
    assert.equal(readFileSync(file, 'utf8'), 'this is not a catalog\n');
  });

  it('damaged pages, rows without their entity and a search index out of step are each reported', () => {
    const file = path.join(root, 'damaged.db');
    scannedWithEdit(root, file);
    const db = new DatabaseConstructor(file);
    db.pragma('foreign_keys = OFF');
    db.prepare("INSERT INTO columns (id, entity_id, name, position, payload) VALUES ('model.chain.gone#x', 'model.chain.gone', 'x', 0, '{}')").run();
    db.prepare('DELETE FROM search_fts WHERE rowid = (SELECT min(rowid) FROM entities)').run();
    const page = Number(db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'entities_name'").pluck().get());
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    // Zero the cell area of one index page: the table is intact, the index no longer matches it.
    const bytes = readFileSync(file);
    bytes.fill(0, page * pageSize - 600, page * pageSize);
    writeFileSync(file, bytes);
    const r = mallard(['doctor', '--db', file, '--json'], root);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as { healthy: boolean; checks: { check: string; status: string; detail: string }[] };
    const status = Object.fromEntries(report.checks.map((c) => [c.check, `${c.status}: ${c.detail}`]));
    assert.match(status.integrity ?? '', /^problem: .*missing from index entities_name/);
    assert.match(status['foreign keys'] ?? '', /^problem: 1 rows point at missing rows \(columns → entities: 1\)/);
    assert.match(status['search index'] ?? '', /^problem: 1 entities are not in the search index/);
    assert.equal(report.healthy, false);
  });

  it('--rebuild saves the edits, moves the file aside (never deletes it), and the next scan builds a new catalog', () => {
    const dir = makeWorkspace({}, 'mallard-rebuild-');
    try {
      const file = path.join(dir, 'catalog.db');
      scannedWithEdit(root, file);
      setVersion(file, SCHEMA_VERSION + 1);
      const original = readFileSync(file);
      const r = mallard(['doctor', '--db', file, '--rebuild'], root);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Saved 1 edit and 1 unsent change to .*catalog\.db\.edits-\d{8}T\d{6}Z\.json/);
      assert.equal(existsSync(file), false);
      const names = readdirSync(dir);
      const aside = names.find((n) => /^catalog\.db\.moved-\d{8}T\d{6}Z$/.test(n));
      assert.ok(aside, `moved aside: ${names.join(', ')}`);
      assert.deepEqual(readFileSync(path.join(dir, aside)), original, 'the moved file is the original, byte for byte');
      const json = names.find((n) => n.endsWith('.json')) ?? '';
      const saved = JSON.parse(readFileSync(path.join(dir, json), 'utf8')) as { schemaVersion: number; userEdits: { description: string }[] };
      assert.equal(saved.schemaVersion, SCHEMA_VERSION + 1);
      assert.deepEqual(saved.userEdits.map((e) => e.description), ['written by hand']);
      const scan = mallard(['scan', root, '--db', file, '--quiet', '--no-git'], root);
      assert.equal(scan.code, 0, scan.stderr);
    } finally {
      removeDir(dir);
    }
  });
});
