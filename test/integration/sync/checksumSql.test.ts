import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Sql } from 'postgres';
import { checksumAggregateSql, rowDigest, rowDigestSql, scopeChecksum } from '../../../core/sync/checksum';
import type { VersionVector } from '../../../core/sync/versionVector';
import { connect, getServer } from '../../support/pgHarness';
import '../../support/mochaPg';

const R1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const R2 = 'bbbbbbbb-0000-4000-8000-000000000002';

/** Postgres computes the same row digests and scope checksums as `core/sync/checksum.ts`. */
describe('sync contract: checksum SQL agrees with the client (real Postgres)', function () {
  this.timeout(120_000);
  let sql: Sql;
  before(async () => {
    const server = await getServer();
    sql = connect(server, 'postgres', 'super', 1);
  });
  after(async () => {
    await sql?.end();
  });

  it('digests and sums rows exactly as the client does', async () => {
    const rows = fc.sample(
      fc.record({
        target: fc.record({ kind: fc.constantFrom('entity', 'column'), id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\u0000')) }),
        vector: fc.dictionary(fc.constantFrom(R1, R2, '*'), fc.integer({ min: 1, max: 2 ** 40 })) as fc.Arbitrary<VersionVector>,
      }),
      { seed: 1330, numRuns: 300 },
    );
    const input = JSON.stringify(rows.map((r, n) => ({ n, kind: r.target.kind, id: r.target.id, vector: r.vector })));
    const digestExpr = rowDigestSql('r.kind', 'r.id', 'r.vector');
    const perRow = await sql.unsafe<{ digest: string }[]>(
      `select ${digestExpr}::text as digest from jsonb_to_recordset($1::text::jsonb) as r(n int, kind text, id text, vector jsonb) order by r.n`,
      [input],
    );
    assert.deepEqual(
      perRow.map((r) => r.digest),
      rows.map((r) => rowDigest(r.target, r.vector).toString()),
    );
    const [total] = await sql.unsafe<{ count: string; checksum: string }[]>(
      `select count(*)::text as count, ${checksumAggregateSql(digestExpr)} as checksum from jsonb_to_recordset($1::text::jsonb) as r(kind text, id text, vector jsonb)`,
      [input],
    );
    const expected = scopeChecksum(rows);
    assert.deepEqual(total, { count: String(expected.rows), checksum: expected.checksum });
    const [empty] = await sql.unsafe<{ checksum: string }[]>(`select ${checksumAggregateSql(digestExpr)} as checksum from jsonb_to_recordset('[]'::jsonb) as r(kind text, id text, vector jsonb)`);
    assert.equal(empty?.checksum, scopeChecksum([]).checksum);
  });
});
