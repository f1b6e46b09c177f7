import assert from 'node:assert/strict';
import { CatalogError } from '../../../extension/catalog/catalogError';
import type { Facts } from '../../../core/model/entities';
import { prov, column, columnEdge, diagnostic, entity, facts, modelEdge, snapshot, tempStore, unresolved } from './catalogFixtures';

/** a → b → c with one column each and column edges along the chain. */
function chain(): Facts {
  return facts({
    entities: [entity('model.p.a'), entity('model.p.b'), entity('model.p.c')],
    columns: [column('model.p.a', 'x'), column('model.p.b', 'x'), column('model.p.b', 'y', 1), column('model.p.c', 'x')],
    modelEdges: [modelEdge('model.p.a', 'model.p.b'), modelEdge('model.p.b', 'model.p.c')],
    columnEdges: [columnEdge('model.p.a#x', 'model.p.b#x'), columnEdge('model.p.b#x', 'model.p.c#x')],
    unresolved: [unresolved('model.p.b#y', 'o.amount')],
    diagnostics: [diagnostic('models/b.sql', 3), diagnostic('models/c.sql', 1)],
  });
}

describe('catalog store: replacing and removing facts', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(chain());
  });
  afterEach(() => env.cleanup());

  it('replaces exactly what the scope owns', () => {
    const { store } = env;
    // b is re-extracted: new column z, no unresolved ref, edge from a unchanged, diagnostics of b.sql gone.
    store.replaceFacts(
      { entityIds: ['model.p.b'], files: ['models/b.sql'] },
      facts({
        entities: [entity('model.p.b', { description: 'rebuilt' })],
        columns: [column('model.p.b', 'x'), column('model.p.b', 'z', 1)],
        modelEdges: [modelEdge('model.p.a', 'model.p.b')],
        columnEdges: [columnEdge('model.p.a#x', 'model.p.b#z', 'transformation')],
      }),
    );
    assert.equal(store.getEntity('model.p.b')?.description, 'rebuilt');
    assert.deepEqual(store.columnsOf('model.p.b').map((c) => c.name), ['x', 'z']);
    assert.deepEqual(store.unresolved(), []);
    assert.deepEqual(store.diagnostics().map((d) => d.file), ['models/c.sql']);
    const edges = [...store.exportEdges()];
    // Owned by b (into b): replaced. Owned by c (b → c): untouched even though b was replaced.
    assert.deepEqual(edges, [
      { from: 'model.p.a', to: 'model.p.b', level: 'model' },
      { from: 'model.p.b', to: 'model.p.c', level: 'model' },
      { from: 'model.p.a#x', to: 'model.p.b#z', level: 'column', transform: 'transformation' },
      { from: 'model.p.b#x', to: 'model.p.c#x', level: 'column', transform: 'identity' },
    ]);
    assert.deepEqual(store.search('rebuilt').map((h) => h.id), ['model.p.b']);
  });

  it('an entity in scope but absent from the facts is deleted with what it owns', () => {
    env.store.replaceFacts({ entityIds: ['model.p.c'], files: ['models/c.sql'] }, facts({}));
    assert.equal(env.store.getEntity('model.p.c'), undefined);
    assert.deepEqual(env.store.columnsOf('model.p.c'), []);
    assert.equal(env.store.stats().modelEdges, 1);
    assert.equal(env.store.stats().columnEdges, 1);
    assert.deepEqual(env.store.search('c').map((h) => h.id).includes('model.p.c'), false);
  });

  it('replacing with the same facts twice is idempotent', () => {
    const before = snapshot(env.store);
    const all = chain();
    const scope = { entityIds: all.entities.map((e) => e.id), files: ['models/b.sql', 'models/c.sql'] };
    env.store.replaceFacts(scope, all);
    env.store.replaceFacts(scope, all);
    assert.deepEqual(snapshot(env.store), before);
  });

  it('refuses facts owned outside the scope before writing anything', () => {
    const before = snapshot(env.store);
    assert.throws(
      () => env.store.replaceFacts({ entityIds: ['model.p.b'], files: [] }, facts({ columnEdges: [columnEdge('model.p.b#x', 'model.p.c#y')] })),
      (err: unknown) => CatalogError.is(err, 'out-of-scope') && /model\.p\.c/.test((err as Error).message),
    );
    assert.deepEqual(snapshot(env.store), before);
  });

  it('invalid facts are refused with the offending index and nothing is written', () => {
    const before = snapshot(env.store);
    const bad = { ...diagnostic('models/b.sql', 1), line: 'seven' } as unknown as ReturnType<typeof diagnostic>;
    assert.throws(
      () => env.store.replaceFacts({ entityIds: ['model.p.b'], files: ['models/b.sql'] }, facts({ diagnostics: [bad] })),
      (err: unknown) => CatalogError.is(err, 'invalid-input') && /diagnostics\[0\].*line/.test((err as Error).message),
    );
    assert.deepEqual(snapshot(env.store), before);
  });

  it('a write that fails mid-transaction leaves the previous state intact', () => {
    const before = snapshot(env.store);
    // A trigger makes the column insert fail after the deletes of b's facts already ran.
    env.store.db.exec(`CREATE TEMP TRIGGER fail_columns BEFORE INSERT ON columns BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    try {
      const failing = facts({ entities: [entity('model.p.b', { description: 'half' })], columns: [column('model.p.b', 'x')] });
      assert.throws(() => env.store.replaceFacts({ entityIds: ['model.p.b'], files: ['models/b.sql'] }, failing), (err: unknown) =>
        CatalogError.is(err, 'invalid-input') && /disk says no/.test((err as Error).message),
      );
      assert.deepEqual(snapshot(env.store), before);
      // The same holds for the bulk path.
      assert.throws(() => env.store.replaceAll(failing), (err: unknown) => CatalogError.is(err, 'invalid-input'));
      assert.deepEqual(snapshot(env.store), before);
    } finally {
      env.store.db.exec('DROP TRIGGER fail_columns');
    }
  });

  it('duplicate ids are written once (first wins) with a warning located at the ignored one', () => {
    const dup = facts({
      entities: [
        entity('model.p.b', { description: 'first', provenance: { ...prov('models/b.sql'), line: 1 } }),
        entity('model.p.b', { description: 'second', path: 'models/copy/b.sql', provenance: { ...prov('models/copy/b.sql'), line: 3 } }),
        entity('model.p.c'),
      ],
      columns: [
        column('model.p.c', 'x', 0, { description: 'kept', provenance: { ...prov('models/b.yml'), line: 5 } }),
        column('model.p.c', 'X', 1, { description: 'dropped', provenance: { ...prov('models/b.yml'), line: 9 } }),
        column('model.p.gone', 'y', 0, { provenance: { ...prov('models/b.yml'), line: 12 } }),
      ],
    });
    for (const write of [() => env.store.replaceFacts({ entityIds: ['model.p.b', 'model.p.gone'], files: [] }, dup), () => env.store.replaceAll(dup)]) {
      write();
      assert.equal(env.store.getEntity('model.p.b')?.description, 'first');
      assert.deepEqual(env.store.columnsOf('model.p.c').map((c) => [c.name, c.description]), [['x', 'kept']]);
      const warnings = env.store.diagnostics().filter((d) => d.code === 'duplicate-definition');
      assert.deepEqual(warnings.map((d) => `${d.file}:${d.line} ${d.severity}`).sort(), ['models/b.yml:12 warning', 'models/b.yml:9 warning', 'models/copy/b.sql:3 warning']);
      assert.match(warnings.find((d) => d.file === 'models/copy/b.sql')?.message ?? '', /model 'b' \(model\.p\.b\) is defined twice; the first definition \(models\/b\.sql:1\) wins/);
      assert.match(warnings.find((d) => d.line === 9)?.message ?? '', /column 'X' of model\.p\.c is declared twice; the first declaration \(models\/b\.yml:5\) wins/);
      assert.match(warnings.find((d) => d.line === 12)?.message ?? '', /model\.p\.gone, which is not defined/);
    }
    // Writing the same duplicates again does not pile up warnings.
    env.store.replaceFacts({ entityIds: ['model.p.b', 'model.p.gone'], files: [] }, dup);
    env.store.replaceFacts({ entityIds: ['model.p.b', 'model.p.gone'], files: [] }, dup);
    assert.equal(env.store.diagnostics().filter((d) => d.code === 'duplicate-definition').length, 3);
  });

  it('a caller transaction that throws after a replace rolls the replace back', () => {
    const before = snapshot(env.store);
    assert.throws(() =>
      env.store.transaction(() => {
        env.store.replaceFacts({ entityIds: ['model.p.a'], files: [] }, facts({}));
        env.store.upsertFiles([{ path: 'models/a.sql', project: 'p', hash: 'h1', size: 1, mtimeMs: 1 }]);
        throw new Error('scanner crashed');
      }),
    );
    assert.deepEqual(snapshot(env.store), before);
    assert.equal(env.store.getFile('models/a.sql'), undefined);
  });

  it('removeFiles drops entities defined in the files, their facts, diagnostics, file rows and parse cache', () => {
    const { store } = env;
    store.upsertFiles([
      { path: 'models/b.sql', project: 'p', hash: 'hb', size: 10, mtimeMs: 5, lastAuthor: 'ann', lastCommitDate: '2026-01-01T00:00:00Z' },
      { path: 'models/c.sql', project: 'p', hash: 'hc', size: 11, mtimeMs: 6 },
    ]);
    store.putParseCache('models/b.sql', 'hb', 'ir1', { statements: 1 });
    store.removeFiles(['models/b.sql']);
    assert.equal(store.getEntity('model.p.b'), undefined);
    assert.deepEqual(store.unresolved(), []);
    assert.deepEqual(store.diagnostics().map((d) => d.file), ['models/c.sql']);
    assert.deepEqual(store.listFiles().map((f) => f.path), ['models/c.sql']);
    assert.equal(store.getParseCache('models/b.sql', 'hb', 'ir1'), undefined);
    // The edge b → c is owned by c and stays (now dangling); a → b went with b.
    assert.deepEqual([...store.exportEdges({ columns: false })], [{ from: 'model.p.b', to: 'model.p.c', level: 'model' }]);
    const lineage = store.modelLineage('model.p.c');
    assert.deepEqual(lineage.nodes.map((n) => [n.id, n.depth, n.entity === undefined]), [
      ['model.p.b', -1, true],
      ['model.p.c', 0, false],
    ]);
  });

  it('replaceAll keeps files, parse cache, user edits and the outbox', () => {
    const { store } = env;
    store.upsertFiles([{ path: 'models/a.sql', project: 'p', hash: 'ha', size: 1, mtimeMs: 1 }]);
    store.putParseCache('models/a.sql', 'ha', 'ir1', [1, 2]);
    store.mutate({ entityId: 'model.p.a' }, { description: 'mine' });
    store.replaceAll(chain());
    assert.equal(store.stats().files, 1);
    assert.deepEqual(store.getParseCache('models/a.sql', 'ha', 'ir1'), [1, 2]);
    assert.equal(store.getEntity('model.p.a')?.description, 'mine');
    assert.equal(store.pendingOps().length, 1);
  });
});
