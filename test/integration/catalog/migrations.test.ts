import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { CatalogError } from '../../../extension/catalog/catalogError';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { MIGRATIONS, migrate, readUserVersion, SCHEMA_VERSION } from '../../../extension/catalog/migrations';
import type { Migration } from '../../../extension/catalog/migrations';
import { entity, facts, tempStore } from './catalogFixtures';

describe('catalog store: opening and migrations', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
  });
  afterEach(() => env.cleanup());

  it('creates a WAL file at the current schema version with foreign keys on', () => {
    const db = env.store.db;
    assert.equal(readUserVersion(db), SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL is 1');
    assert.ok(Number(db.pragma('busy_timeout', { simple: true })) > 0);
    assert.equal(db.pragma('journal_size_limit', { simple: true }), 64 * 1024 * 1024);
    assert.equal(db.pragma('cache_size', { simple: true }), -32 * 1024);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const t of ['meta', 'entities', 'columns', 'model_edges', 'column_edges', 'unresolved', 'diagnostics', 'files', 'parse_cache', 'user_edits', 'outbox', 'search_fts']) {
      assert.ok(tables.includes(t), `table ${t} exists`);
    }
  });

  it('reopening keeps data and the replica id', () => {
    env.store.replaceAll(facts({ entities: [entity('model.p.a')] }));
    const replicaId = env.store.replicaId;
    assert.match(replicaId, /^[0-9a-f-]{36}$/);
    env.store.close();
    env.store.close(); // idempotent
    const again = CatalogStore.open(env.file);
    try {
      assert.equal(again.replicaId, replicaId);
      assert.equal(again.getEntity('model.p.a')?.name, 'a');
    } finally {
      again.close();
    }
  });

  it('refuses a file written by a newer schema without touching it', () => {
    const file = path.join(env.dir, 'newer.db');
    const raw = new DatabaseConstructor(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.exec('CREATE TABLE future (x)');
    raw.close();
    assert.throws(() => CatalogStore.open(file), (err: unknown) => CatalogError.is(err, 'schema-too-new') && /version/.test(String((err as Error).message)));
    const check = new DatabaseConstructor(file);
    assert.equal(readUserVersion(check), SCHEMA_VERSION + 5);
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    assert.deepEqual(tables, ['future']);
    check.close();
  });

  it('a failing step rolls back to the last good version', () => {
    const file = path.join(env.dir, 'steps.db');
    const db = new DatabaseConstructor(file);
    const bad: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'half-done step',
      up(d) {
        d.exec('CREATE TABLE added_by_bad_step (x)');
        d.exec('THIS IS NOT SQL');
      },
    };
    assert.throws(() => migrate(db, [...MIGRATIONS, bad]), (err: unknown) => CatalogError.is(err, 'migration-failed'));
    assert.equal(readUserVersion(db), SCHEMA_VERSION);
    const leftover = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'added_by_bad_step'").pluck().get();
    assert.equal(leftover, 0);
    // The good steps were applied and a later run with a fixed step continues from there.
    const fixed: Migration = { ...bad, up: (d) => d.exec('CREATE TABLE added_by_bad_step (x)') };
    assert.equal(migrate(db, [...MIGRATIONS, fixed]), SCHEMA_VERSION + 1);
    assert.equal(readUserVersion(db), SCHEMA_VERSION + 1);
    db.close();
  });

  it('upgrades a version-1 file step by step and keeps its data', () => {
    const file = path.join(env.dir, 'v1.db');
    const raw = new DatabaseConstructor(file);
    migrate(raw, MIGRATIONS.slice(0, 1));
    raw.prepare("INSERT INTO entities (id, kind, name, project, path, payload) VALUES ('model.p.old', 'model', 'old', 'p', 'old.sql', ?)").run(
      JSON.stringify(entity('model.p.old')),
    );
    raw.close();
    const upgraded = CatalogStore.open(file);
    try {
      assert.equal(readUserVersion(upgraded.db), SCHEMA_VERSION);
      assert.equal(upgraded.getEntity('model.p.old')?.name, 'old');
      upgraded.replaceFacts({ entityIds: [], files: [] }, facts({ entities: [entity('model.p.old_orders_x')] }));
      const typo = upgraded.findEntity('old_ordrs_x');
      assert.equal(typo.status === 'not-found' ? typo.suggestions[0]?.id : undefined, 'model.p.old_orders_x');
    } finally {
      upgraded.close();
    }
  });

  it('a file that is not SQLite gives corrupt, names the file and is left as it is', () => {
    const file = path.join(env.dir, 'garbage.db');
    const text = 'this is definitely not a sqlite database, just text padding '.repeat(100);
    writeFileSync(file, text);
    for (const readonly of [false, true]) {
      assert.throws(() => CatalogStore.open(file, { readonly }), (err: unknown) => CatalogError.is(err, 'corrupt') && err.message.startsWith(`Catalog ${file} is damaged`));
    }
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('read-only open reads but cannot write, and refuses a missing file', () => {
    env.store.replaceAll(facts({ entities: [entity('model.p.a')] }));
    const reader = CatalogStore.open(env.file, { readonly: true });
    try {
      assert.equal(reader.getEntity('model.p.a')?.id, 'model.p.a');
      assert.equal(reader.replicaId, env.store.replicaId);
      assert.throws(() => reader.replaceAll(facts({})));
    } finally {
      reader.close();
    }
    assert.throws(() => CatalogStore.open(path.join(env.dir, 'missing.db'), { readonly: true }), (err: unknown) => CatalogError.is(err, 'open-failed'));
  });

  it('use after close is a typed error', () => {
    env.store.close();
    assert.throws(() => env.store.stats(), (err: unknown) => CatalogError.is(err, 'closed'));
  });
});
