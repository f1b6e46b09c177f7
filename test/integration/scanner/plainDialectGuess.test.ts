import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * A repository of BigQuery scripts with no dialect configured, through the real scanner and SQLite:
 * it is parsed as BigQuery (no false parse warnings), `stats` says which dialect and why, and an
 * edit of one file keeps the guess (the incremental plan must not fall back to PostgreSQL).
 */

const FILES = {
  'sql/p/ds/a/query.sql': 'DECLARE days INT64 DEFAULT 30;\nSELECT id, SAFE_CAST(v AS INT64) AS v FROM `p.ds.src`\n',
  'sql/p/ds/b/query.sql': 'SELECT id FROM `p.ds.a` WHERE _TABLE_SUFFIX > "2024"\n',
  'sql/p/ds/c/query.sql': '# a BigQuery comment\nSELECT id FROM `p.ds.b`\n',
};

describe('plain SQL dialect guess through the scanner', function () {
  this.timeout(60_000);

  it('parses a BigQuery repository as BigQuery, says so in stats, and keeps it through an edit', async () => {
    const ws = makeWorkspace(FILES);
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root: ws, git: false, workers: 0 });
    try {
      await scanner.scan();
      assert.deepEqual(store.diagnostics().filter((d) => d.code === 'sql-parse').map((d) => d.file), []);
      const guess = store.stats().dialects.find((d) => d.project === 'plain SQL');
      assert.equal(guess?.dialect, 'bigquery');
      assert.match(guess?.reason ?? '', /in 3 of 3 plain SQL files/);
      writeFileSync(path.join(ws, 'sql/p/ds/c/query.sql'), '# edited\nSELECT id, 1 AS n FROM `p.ds.b`\n');
      await scanner.update(['sql/p/ds/c/query.sql']);
      assert.deepEqual(store.diagnostics().filter((d) => d.code === 'sql-parse').map((d) => d.file), []);
      assert.equal(store.stats().dialects.find((d) => d.project === 'plain SQL')?.dialect, 'bigquery');
    } finally {
      await scanner.dispose();
      store.close();
      removeDir(ws);
      removeDir(dir);
    }
  });
});
