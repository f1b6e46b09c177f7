import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Facts } from '../../../core/model/entities';
import { column, columnEdge, entity, facts, modelEdge, prov, tempStore } from './catalogFixtures';

/**
 * Duplicate-laden facts (ids defined twice, columns listed twice in any case, columns of entities
 * that are missing, edges found twice) never fail a write: the first fact of each id lands, every
 * fact without a conflict lands, and each ignored fact leaves one warning at its own location.
 */

const IDS = ['model.p.a', 'model.p.b', 'source.p.s.t'];
const NAMES = ['id', 'ID', 'Id', 'amount', 'AMOUNT'];

const factsArb = fc
  .record({
    entities: fc.array(fc.record({ id: fc.constantFrom(...IDS), d: fc.constantFrom('one', 'two', 'three'), line: fc.integer({ min: 1, max: 50 }) }), { maxLength: 6 }),
    columns: fc.array(fc.record({ e: fc.constantFrom(...IDS, 'model.p.missing'), name: fc.constantFrom(...NAMES), d: fc.constantFrom('x', 'y'), line: fc.integer({ min: 1, max: 50 }) }), { maxLength: 8 }),
    modelEdges: fc.array(fc.record({ from: fc.constantFrom(...IDS), to: fc.constantFrom(...IDS) }), { maxLength: 5 }),
    columnEdges: fc.array(fc.record({ from: fc.constantFrom(...IDS), to: fc.constantFrom(...IDS), c: fc.constantFrom('id', 'amount') }), { maxLength: 5 }),
  })
  .map((r): Facts =>
    facts({
      entities: r.entities.map((e) => entity(e.id, { description: e.d, provenance: { ...prov(`models/${e.d}.sql`), line: e.line } })),
      columns: r.columns.map((c, i) => column(c.e, c.name, i, { description: c.d, provenance: { ...prov('models/schema.yml'), line: c.line } })),
      modelEdges: r.modelEdges.map((m) => modelEdge(m.from, m.to)),
      columnEdges: r.columnEdges.map((m) => columnEdge(`${m.from}#${m.c}`, `${m.to}#${m.c}`)),
    }),
  );

/** What must land (the first entity of each id, the first column of each id whose entity exists) and the warnings. */
function expected(f: Facts): { entities: Map<string, string>; columns: Map<string, string>; warnings: string[] } {
  const entities = new Map<string, string>();
  const warnings = new Set<string>();
  const duplicated = new Set<string>();
  for (const e of f.entities) {
    if (entities.has(e.id)) {
      warnings.add(`${e.provenance.file}:${e.provenance.line} defined twice`);
      duplicated.add(e.id);
    } else entities.set(e.id, e.description);
  }
  const columns = new Map<string, string>();
  for (const c of f.columns) {
    if (!entities.has(c.entityId)) warnings.add(`${c.provenance.file}:${c.provenance.line} ${c.entityId}.${c.name} not defined`);
    else if (!columns.has(c.id)) columns.set(c.id, c.description);
    else if (!duplicated.has(c.entityId)) warnings.add(`${c.provenance.file}:${c.provenance.line} ${c.entityId}.${c.name} declared twice`);
  }
  return { entities, columns, warnings: [...warnings].sort() };
}

/** The stored warning in the form `expected` lists it. */
function shortForm(d: { file: string; line: number; message: string }): string {
  const m = /^column '([^']+)' (?:of|belongs to) ([^ ,]+)/.exec(d.message);
  const column = m ? `${m[2] ?? ''}.${m[1] ?? ''}` : undefined;
  const what = /which is not defined/.test(d.message) ? `${column ?? '?'} not defined` : column !== undefined ? `${column} declared twice` : 'defined twice';
  return `${d.file}:${d.line} ${what}`;
}

describe('catalog store: duplicate-laden facts (property)', () => {
  it('replaceAll and replaceFacts never fail; first wins, everything else lands, one warning per ignored fact', () => {
    const env = tempStore();
    try {
      fc.assert(
        fc.property(factsArb, fc.boolean(), (f, bulk) => {
          const { store } = env;
          store.replaceAll(facts({}));
          if (bulk) store.replaceAll(f);
          else store.replaceFacts({ entityIds: [...IDS, 'model.p.missing'], files: [] }, f);
          const want = expected(f);
          const gotEntities = new Map([...store.exportEntities()].map((e) => [e.id, store.getEntity(e.id)?.description ?? '?']));
          assert.deepEqual(gotEntities, want.entities);
          const gotColumns = new Map(IDS.flatMap((id) => store.columnsOf(id).map((c) => [c.id, c.description] as const)));
          assert.deepEqual(gotColumns, want.columns);
          const edges = new Set([...store.exportEdges()].map((e) => `${e.from}|${e.to}`));
          for (const m of [...f.modelEdges, ...f.columnEdges]) assert.ok(edges.has(`${m.from}|${m.to}`), `edge ${m.from} -> ${m.to} landed`);
          const warnings = store.diagnostics().filter((d) => d.code === 'duplicate-definition');
          assert.deepEqual(warnings.map(shortForm).sort(), want.warnings);
          for (const w of warnings) {
            assert.equal(w.severity, 'warning');
            assert.ok(w.line >= 1 && (w.file === 'models/schema.yml' || /^models\/\w+\.sql$/.test(w.file)), `located: ${w.file}:${w.line}`);
          }
        }),
        { numRuns: 300, seed: 7 },
      );
    } finally {
      env.cleanup();
    }
  });
});
