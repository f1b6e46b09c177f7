import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dialect } from '../../../core/pipeline/contracts';
import { lineage } from './lineageHelpers';

const DIR = path.resolve(__dirname, '../../fixtures/sql/dialects');

/**
 * One realistic file per dialect (`<dialect>.sql`) with its reviewed lineage in
 * `<dialect>.expected.json`. Set MALLARD_UPDATE_GOLDEN=1 to rewrite them after a reviewed change.
 */
describe('sql: dialect golden files', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.sql'));

  it('has a golden file for every dialect Mallard offers', () => {
    const dialects = files.map((f) => f.replace(/\.sql$/, '')).sort();
    assert.deepEqual(dialects, ['bigquery', 'hive', 'mysql', 'postgresql', 'redshift', 'snowflake', 'transactsql', 'trino']);
  });

  for (const file of files) {
    const dialect = file.replace(/\.sql$/, '') as Dialect;
    it(`${dialect}: parses without diagnostics and matches the reviewed lineage`, () => {
      const { parsed, views } = lineage(fs.readFileSync(path.join(DIR, file), 'utf8'), dialect);
      assert.deepEqual(parsed.diagnostics, []);
      const expectedFile = path.join(DIR, `${dialect}.expected.json`);
      if (process.env.MALLARD_UPDATE_GOLDEN) fs.writeFileSync(expectedFile, `${JSON.stringify(views, null, 2)}\n`);
      assert.deepEqual(views, JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    });
  }
});
