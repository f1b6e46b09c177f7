import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Facts } from '../../../core/model/entities';
import { CatalogError } from '../../../extension/catalog/catalogError';
import { column, columnEdge, diagnostic, entity, facts, modelEdge, tempStore, unresolved } from './catalogFixtures';

/**
 * Model-based test of the ownership rules: random sequences of replaceFacts / removeFiles /
 * replaceAll against an in-memory reference that implements the rules literally.
 */

const IDS = ['model.p.a', 'model.p.b', 'model.p.c', 'model.p.d', 'source.p.s.t'];
const FILES = ['models/one.sql', 'models/two.sql', 'models/three.yml'];
const COLS = ['x', 'y'];
const owner = (columnId: string): string => columnId.slice(0, columnId.indexOf('#'));

interface Ref {
  entities: Map<string, { path: string; description: string }>;
  columns: Set<string>;
  modelEdges: Set<string>;
  columnEdges: Set<string>;
  unresolved: string[];
  diagnostics: string[];
}

const factsArb = fc
  .record({
    entities: fc.uniqueArray(fc.record({ id: fc.constantFrom(...IDS), file: fc.constantFrom(...FILES), d: fc.constantFrom('', 'one', 'two') }), { selector: (e) => e.id, maxLength: 3 }),
    extraScope: fc.subarray(IDS, { maxLength: 2 }),
    columns: fc.uniqueArray(fc.record({ e: fc.constantFrom(...IDS), c: fc.constantFrom(...COLS) }), { selector: (x) => `${x.e}#${x.c}`, maxLength: 4 }),
    modelEdges: fc.array(fc.record({ from: fc.constantFrom(...IDS), to: fc.constantFrom(...IDS) }), { maxLength: 4 }),
    columnEdges: fc.array(fc.record({ from: fc.constantFrom(...IDS), to: fc.constantFrom(...IDS), c: fc.constantFrom(...COLS) }), { maxLength: 4 }),
    unresolved: fc.array(fc.constantFrom(...IDS), { maxLength: 2 }),
    diagnostics: fc.array(fc.record({ file: fc.constantFrom(...FILES), line: fc.nat(9) }), { maxLength: 3 }),
    scopeFiles: fc.subarray(FILES, { maxLength: 2 }),
  })
  .map((r) => {
    const f: Facts = facts({
      entities: r.entities.map((e) => entity(e.id, { path: e.file, description: e.d })),
      columns: r.columns.map((x) => column(x.e, x.c)),
      modelEdges: r.modelEdges.map((m) => modelEdge(m.from, m.to)),
      columnEdges: r.columnEdges.map((m) => columnEdge(`${m.from}#${m.c}`, `${m.to}#${m.c}`)),
      unresolved: r.unresolved.map((t) => unresolved(`${t}#x`, 'q.x')),
      diagnostics: r.diagnostics.map((d) => diagnostic(d.file, d.line + 1)),
    });
    return { facts: f, scope: { entityIds: r.extraScope, files: r.scopeFiles } };
  });

const opArb = fc.oneof(
  factsArb.map((x) => ({ op: 'replace' as const, ...x })),
  fc.subarray(FILES, { minLength: 1 }).map((paths) => ({ op: 'remove' as const, paths })),
  factsArb.map((x) => ({ op: 'all' as const, facts: x.facts })),
);

function deleteOwned(ref: Ref, ids: ReadonlySet<string>, files: ReadonlySet<string>): void {
  for (const id of ids) ref.entities.delete(id);
  for (const c of [...ref.columns]) if (ids.has(owner(c))) ref.columns.delete(c);
  for (const e of [...ref.modelEdges]) if (ids.has(e.split('|')[1] ?? '')) ref.modelEdges.delete(e);
  for (const e of [...ref.columnEdges]) if (ids.has(owner(e.split('|')[1] ?? ''))) ref.columnEdges.delete(e);
  ref.unresolved = ref.unresolved.filter((t) => !ids.has(owner(t)));
  ref.diagnostics = ref.diagnostics.filter((d) => !files.has(d.split(':')[0] ?? ''));
}

function insert(ref: Ref, f: Facts): void {
  for (const e of f.entities) ref.entities.set(e.id, { path: e.path, description: e.description });
  for (const c of f.columns) ref.columns.add(c.id);
  for (const m of f.modelEdges) ref.modelEdges.add(`${m.from}|${m.to}`);
  for (const c of f.columnEdges) ref.columnEdges.add(`${c.from}|${c.to}`);
  for (const u of f.unresolved) ref.unresolved.push(u.target);
  for (const d of f.diagnostics) ref.diagnostics.push(`${d.file}:${d.line}`);
}

describe('catalog store: ownership rules vs a reference model (property)', () => {
  it('random replace/remove/replaceAll sequences match the reference', () => {
    const env = tempStore();
    try {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 8 }), (ops) => {
          const { store } = env;
          store.replaceAll(facts({}));
          const ref: Ref = { entities: new Map(), columns: new Set(), modelEdges: new Set(), columnEdges: new Set(), unresolved: [], diagnostics: [] };
          let warnings = new Set<string>();
          for (const op of ops) {
            if (op.op === 'remove') {
              const paths = new Set(op.paths);
              const ids = new Set([...ref.entities].filter(([, e]) => paths.has(e.path)).map(([id]) => id));
              deleteOwned(ref, ids, paths);
              store.removeFiles(op.paths);
              continue;
            }
            // A column needs its entity among the facts (foreign key): it is dropped with a warning at the column.
            const orphans = (f: Facts): string[] => f.columns.filter((c) => !f.entities.some((e) => e.id === c.entityId)).map((c) => `column '${c.name}' belongs to ${c.entityId}, which is not defined; the column is ignored`);
            const withoutOrphans = (f: Facts): Facts => ({ ...f, columns: f.columns.filter((c) => f.entities.some((e) => e.id === c.entityId)) });
            if (op.op === 'all') {
              deleteOwned(ref, new Set(IDS), new Set(FILES));
              insert(ref, withoutOrphans(op.facts));
              warnings = new Set(orphans(op.facts));
              store.replaceAll(op.facts);
              continue;
            }
            const ids = new Set([...op.scope.entityIds, ...op.facts.entities.map((e) => e.id)]);
            const files = new Set([...op.scope.files, ...op.facts.diagnostics.map((d) => d.file)]);
            const owners = [...op.facts.columns.map((c) => c.entityId), ...op.facts.modelEdges.map((m) => m.to), ...op.facts.columnEdges.map((c) => owner(c.to)), ...op.facts.unresolved.map((u) => owner(u.target))];
            if (owners.some((o) => !ids.has(o))) {
              assert.throws(() => store.replaceFacts(op.scope, op.facts), (e: unknown) => CatalogError.is(e, 'out-of-scope'));
              continue;
            }
            deleteOwned(ref, ids, files);
            insert(ref, withoutOrphans(op.facts));
            // A warning for a file outside the scope replaces only an identical one, so they do not pile up.
            for (const w of orphans(op.facts)) warnings.add(w);
            store.replaceFacts(op.scope, op.facts);
          }
          const got = {
            entities: new Map([...store.exportEntities()].map((e) => [e.id, { path: e.path, description: store.getEntity(e.id)?.description ?? '?' }])),
            columns: new Set(IDS.flatMap((id) => store.columnsOf(id).map((c) => c.id))),
            modelEdges: new Set([...store.exportEdges({ columns: false })].map((e) => `${e.from}|${e.to}`)),
            columnEdges: new Set([...store.exportEdges()].filter((e) => e.level === 'column').map((e) => `${e.from}|${e.to}`)),
            unresolved: store.unresolved().map((u) => u.target).sort(),
            diagnostics: store.diagnostics().filter((d) => d.code !== 'duplicate-definition').map((d) => `${d.file}:${d.line}`).sort(),
          };
          const gotWarnings = store.diagnostics().filter((d) => d.code === 'duplicate-definition').map((d) => d.message).sort();
          assert.deepEqual(gotWarnings, [...warnings].sort());
          assert.deepEqual(got, { ...ref, unresolved: [...ref.unresolved].sort(), diagnostics: [...ref.diagnostics].sort() });
          for (const id of IDS) {
            const name = id.split('.').slice(2).join('.');
            assert.equal(store.search(name, { limit: 50 }).some((h) => h.id === id), ref.entities.has(id), `search row of ${id}`);
          }
        }),
        { numRuns: 200, seed: 11 },
      );
    } finally {
      env.cleanup();
    }
  });
});
