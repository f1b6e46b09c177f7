import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Facts } from '../../../core/model/entities';
import type { Dialect, RelationName } from '../../../core/pipeline/contracts';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from './memoryFs';

/**
 * Properties of plain SQL names over random workspaces (the whole in-process pipeline):
 * - a name never resolves to a relation whose qualifiers differ from the ones written (in the
 *   dialect's case rules), whatever relations, defaults and spellings the workspace holds;
 * - every file that ends with a bare query yields a target under the default rules (one table per
 *   folder, else its file name), named as its path says.
 */

const DIALECTS: Dialect[] = ['bigquery', 'postgresql', 'snowflake'];
const same = (dialect: Dialect, a: string, b: string): boolean => (dialect === 'bigquery' ? a === b : a.toLowerCase() === b.toLowerCase());
const part = fc.constantFrom('a', 'b', 'A', 'c');
const relArb = fc.record({ database: fc.option(part, { nil: undefined }), schema: fc.option(part, { nil: undefined }), name: fc.constantFrom('t', 'T', 'u') }).map((r): RelationName => {
  // A database needs a schema: `x.y` is always schema.table.
  const out: RelationName = { name: r.name };
  if (r.schema !== undefined) out.schema = r.schema;
  if (r.schema !== undefined && r.database !== undefined) out.database = r.database;
  return out;
});
const text = (r: RelationName): string => [r.database, r.schema, r.name].filter((p) => p !== undefined).join('.');

describe('plain SQL names (property)', () => {
  it('a written qualifier never resolves to a relation whose qualifier differs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DIALECTS), fc.array(relArb, { minLength: 1, maxLength: 6 }), fc.array(relArb, { minLength: 1, maxLength: 6 }), fc.option(fc.constantFrom('a', 'b', 'x.a'), { nil: undefined }), (dialect, defined, reads, defaultSchema) => {
        const files: Record<string, string> = {};
        if (defaultSchema) files['.mallard.json'] = JSON.stringify({ defaultSchema });
        // Writers are created by DDL in folder-free files (no folder defaults), readers each read one name.
        defined.forEach((r, i) => (files[`ddl_${i}.sql`] = `CREATE TABLE ${text(r)} (x INT);\n`));
        reads.forEach((r, i) => (files[`reader_${i}.sql`] = `SELECT x FROM ${text(r)}\n`));
        const facts: Facts = extractWorkspace(memoryFs(files), { workspaceName: 'ws', dialect }).facts;
        const byId = new Map(facts.entities.map((e) => [e.id, e]));
        reads.forEach((r, i) => {
          const reader = facts.entities.find((e) => e.name === `reader_${i}`);
          assert.ok(reader, `reader_${i} has a target`);
          const into = facts.modelEdges.filter((e) => e.to === reader.id);
          const ambiguous = facts.diagnostics.some((d) => d.code === 'ambiguous-relation' && d.file === `reader_${i}.sql`);
          assert.equal(into.length + (ambiguous ? 1 : 0), 1, `reader_${i}: one edge, or an ambiguity (${JSON.stringify(into)})`);
          for (const edge of into) {
            const from = byId.get(edge.from);
            assert.ok(from);
            assert.ok(same(dialect, from.name, r.name), `name ${from.name} for ${text(r)}`);
            if (r.schema !== undefined) assert.ok(from.schema !== undefined && same(dialect, from.schema, r.schema), `schema of ${from.id} for ${text(r)}`);
            if (r.database !== undefined) assert.ok(from.database !== undefined && same(dialect, from.database, r.database), `database of ${from.id} for ${text(r)}`);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('every file that ends with a bare query yields a target named by its path', () => {
    const folder = fc.constantFrom('p1', 'p2', 'ds', 'x');
    const layout = fc.oneof(
      fc.record({ kind: fc.constant('folder' as const), folders: fc.array(folder, { minLength: 1, maxLength: 4 }), file: fc.constantFrom('query.sql', 'init.sql', 'view.sql', 'materialized_view.sql', 'script.sql', 'part1.sql') }),
      fc.record({ kind: fc.constant('name' as const), folders: fc.array(folder, { maxLength: 3 }), file: fc.constantFrom('orders', 'daily_users', 'Report', 'x1').map((s) => `${s}.sql`) }),
    );
    const prefix = fc.constantFrom('', 'DECLARE d DATE DEFAULT CURRENT_DATE();\n', 'CREATE TEMP FUNCTION f(x INT64) AS (x);\n', '-- comment\n\n');
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ layout, prefix }), { minLength: 1, maxLength: 8, selector: (f) => (f.layout.kind === 'name' ? f.layout.file.toLowerCase() : [...f.layout.folders, f.layout.file].join('/')) }), (specs) => {
        const files: Record<string, string> = {};
        const expected = new Map<string, string>();
        specs.forEach(({ layout: l, prefix: p }, i) => {
          const path = [...l.folders, l.file].join('/');
          if (files[path] !== undefined) return;
          files[path] = `${p}SELECT x FROM raw_${i}.src\n`;
          expected.set(`raw_${i}.src`, l.kind === 'folder' ? l.folders.slice(-3).join('.') : l.file.replace(/\.sql$/, ''));
        });
        const facts = extractWorkspace(memoryFs(files), { workspaceName: 'ws', dialect: 'bigquery' }).facts;
        const name = new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter((x) => x !== undefined).join('.')]));
        for (const [source, target] of expected) {
          // In a folder with a project, `raw_i.src` is that project's dataset: match the written part.
          const found = facts.modelEdges.filter((e) => name.get(e.from) === source || name.get(e.from)?.endsWith(`.${source}`)).map((e) => name.get(e.to));
          assert.deepEqual(found, [target], `${source} feeds ${target}`);
          const entity = facts.entities.find((e) => name.get(e.id) === target);
          assert.ok(typeof entity?.meta.targetRule === 'string', 'the target says which rule named it');
        }
      }),
      { numRuns: 150 },
    );
  });
});
