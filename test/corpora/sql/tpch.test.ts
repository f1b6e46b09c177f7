import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIRECT_KINDS } from '../../../core/model/entities';
import { parseSql } from '../../../core/sql/parseSql';
import { resolveLineage } from '../../../core/sql/resolveLineage';
import { CORPORA, readCorpus } from './corpusHarness';

interface TpchTruth {
  tables: string[];
  columns: Record<string, string[]>;
  error: string | null;
}

/** TPC-H against sqlglot's column lineage with the schema: output columns ≥ 90 % exact. */
describe('sql accuracy: TPC-H column lineage', () => {
  it('matches sqlglot for at least 90 % of output columns and reads the right tables', () => {
    const truth = JSON.parse(readCorpus('tpch/column_truth.json')) as Record<string, TpchTruth>;
    const schemaTypes = JSON.parse(readCorpus('tpch/schema.json')) as Record<string, Record<string, string>>;
    const schema = new Map(Object.entries(schemaTypes).map(([t, cols]) => [t.toLowerCase(), Object.keys(cols)]));
    let columns = 0;
    let exact = 0;
    let tablesExact = 0;
    const failures: string[] = [];
    const files = fs.readdirSync(path.join(CORPORA, 'tpch')).filter((f) => f.endsWith('.sql')).sort();
    assert.equal(files.length, 22);
    for (const file of files) {
      const expected = truth[file];
      assert.ok(expected, `no truth for ${file}`);
      const parsed = parseSql(readCorpus(`tpch/${file}`), { dialect: 'postgresql', file });
      assert.deepEqual(parsed.diagnostics, [], `${file} should parse`);
      const statement = parsed.statements[0];
      assert.ok(statement);
      const resolved = resolveLineage(statement, (rel) => schema.get(rel.name.toLowerCase()));
      const reads = resolved.reads.map((r) => r.name.toLowerCase()).sort();
      if (JSON.stringify(reads) === JSON.stringify([...expected.tables].sort())) tablesExact++;
      for (const [name, want] of Object.entries(expected.columns)) {
        columns++;
        const col = resolved.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
        // sqlglot's projection lineage: value sources and CASE conditions, WHERE/JOIN columns excluded.
        const got = [...new Set((col?.sources ?? []).filter((s) => (DIRECT_KINDS.has(s.transform) || s.transform === 'conditional') && s.column !== '*').map((s) => `${s.relation.name}.${s.column}`.toLowerCase()))].sort();
        if (col && JSON.stringify(got) === JSON.stringify([...want].sort())) exact++;
        else failures.push(`${file} ${name}: got ${got.join(',')} want ${want.join(',')}`);
      }
    }
    const rate = exact / columns;
    console.log(`    TPC-H: ${exact}/${columns} output columns exact (${(rate * 100).toFixed(1)} %), tables exact in ${tablesExact}/22 queries`);
    for (const f of failures) console.log(`      MISMATCH ${f}`);
    assert.ok(rate >= 0.9, `TPC-H output columns exact ${rate}`);
    assert.equal(tablesExact, 22);
  });
});
