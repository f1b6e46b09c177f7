import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIALECTS, type Dialect, type ParsedSql } from '../../../core/pipeline/contracts';
import { lineColumnAt, lineIndex } from '../../../core/sql/lexer';
import { parseSql } from '../../../core/sql/parseSql';
import { resolveLineage } from '../../../core/sql/resolveLineage';

const SAMPLES = [
  `with a as (select id, sum(x) over (partition by g order by t) s from raw.t where y > 1)
   insert into mart.out (id, s) select a.id, case when a.s > 0 then a.s end from a join b using (id);`,
  `merge into t using (select * from s) s on t.k = s.k when matched then update set v = s.v when not matched then insert (k, v) values (s.k, s.v);`,
  `select * except (a) from \`p.d.t\` qualify row_number() over (partition by id) = 1; update t set a = s.b from s where t.id = s.id;`,
  `create table x (a int, b varchar(10)); create view v as select a, (select max(b) from x) m from x order by 1;`,
];

const TOKENS = ['select', 'from', 'where', 'join', 'on', 'with', 'as', '(', ')', ',', ';', '*', 'a', 'b.c', "'s'", '"q"', '`t`', '[x]',
  'union', 'insert', 'into', 'values', 'merge', 'using', 'when', 'then', 'case', 'end', 'over', 'partition', 'by', '::', ':', '--', '/*', '*/', '$$', '1', '.'];

/** What must hold for any input: no throw, positioned diagnostics, JSON-safe IR, resolvable statements. */
function checkInvariants(sql: string, dialect: Dialect): void {
  let parsed: ParsedSql | undefined;
  assert.doesNotThrow(() => {
    parsed = parseSql(sql, { dialect, file: 'fuzz.sql' });
  });
  if (!parsed) return;
  for (const d of parsed.diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line ${d.line}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}`);
    assert.equal(d.file, 'fuzz.sql');
  }
  assert.deepEqual(JSON.parse(JSON.stringify(parsed)), parsed);
  for (const st of parsed.statements) {
    assert.ok(st.line >= 1);
    const resolved = resolveLineage(st, () => undefined);
    assert.ok(Array.isArray(resolved.columns));
  }
}

describe('sql: fuzz (fast-check)', () => {
  const dialect = fc.constantFrom<Dialect>(...DIALECTS);

  it('never throws on truncated SQL', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.nat(), dialect, (sample, cut, d) => checkInvariants(sample.slice(0, cut % (sample.length + 1)), d)),
      { numRuns: 150 },
    );
  });

  it('never throws on random strings and bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => String.fromCharCode(...b))), dialect, (s, d) => checkInvariants(s, d)),
      { numRuns: 150 },
    );
  });

  it('never throws on token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), dialect, (tokens, d) => checkInvariants(tokens.join(' '), d)),
      { numRuns: 200 },
    );
  });

  it('survives pathological nesting and very long statements', () => {
    // Unclosed parentheses are reported without running the (exponentially backtracking) grammars.
    checkInvariants(`select ${'('.repeat(3000)}1 from t`, 'postgresql');
    checkInvariants(`select ${'('.repeat(200)}1${')'.repeat(200)} from t`, 'postgresql');
    checkInvariants(`select * from t where ${'a = 1 and '.repeat(1000)}b = 2`, 'postgresql');
    checkInvariants('select 1 from t'.concat(' union all select 1 from t'.repeat(200)), 'snowflake');
    checkInvariants(`with ${Array.from({ length: 100 }, (_, i) => `c${i} as (select * from ${i === 0 ? 't' : `c${i - 1}`})`).join(', ')} select * from c99`, 'bigquery');
  });

  it('indexes line/column positions exactly like a linear scan', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }).map((s) => s.replace(/[abc]/g, '\n')), fc.nat(), (text, at) => {
        const offset = at % (text.length + 1);
        assert.deepEqual(lineIndex(text)(offset), lineColumnAt(text, offset));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on samples with a random splice', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.nat(), fc.string({ maxLength: 12 }), dialect, (sample, at, insert, d) => {
        const i = at % (sample.length + 1);
        checkInvariants(sample.slice(0, i) + insert + sample.slice(i), d);
      }),
      { numRuns: 150 },
    );
  });
});
