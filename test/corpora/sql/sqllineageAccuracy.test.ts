import * as assert from 'node:assert/strict';
import { columnLineage, expectedColumns, mapDialect, readCorpus, runCase, sameSet, tableLineage, type SqllineageCase } from './corpusHarness';

/** Accuracy against sqllineage's own test suite: table level ≥ 85 % exact, column level ≥ 70 % exact. */
describe('sql accuracy: sqllineage cases', () => {
  const cases = JSON.parse(readCorpus('sqllineage_cases.json')) as SqllineageCase[];
  const schema = JSON.parse(readCorpus('sqllineage_schema.json')) as Record<string, string[]>;

  it('table-level lineage is exact for at least 85 % of the 274 cases', () => {
    const tableCases = cases.filter((c) => c.kind === 'table');
    assert.equal(tableCases.length, 274);
    const perDialect = new Map<string, { n: number; parsed: number; exact: number; tp: number; fp: number; fn: number }>();
    let exact = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const failures: string[] = [];
    for (const c of tableCases) {
      const { resolved, parsedOk } = runCase(c, c.needs_schema ? schema : {});
      const { sources, targets } = tableLineage(resolved);
      const expSources = new Set((c.source_tables ?? []).map((t) => t.toLowerCase()));
      const expTargets = new Set((c.target_tables ?? []).map((t) => t.toLowerCase()));
      const ok = sameSet(sources, expSources) && sameSet(targets, expTargets);
      const d = perDialect.get(c.dialect) ?? { n: 0, parsed: 0, exact: 0, tp: 0, fp: 0, fn: 0 };
      for (const [got, exp] of [[sources, expSources], [targets, expTargets]] as const) {
        for (const t of got) (exp.has(t) ? (tp++, d.tp++) : (fp++, d.fp++));
        for (const t of exp) if (!got.has(t)) (fn++, d.fn++);
      }
      d.n++;
      if (parsedOk) d.parsed++;
      if (ok) d.exact++;
      perDialect.set(c.dialect, d);
      if (ok) exact++;
      else failures.push(`${c.id}: got ${[...sources]} -> ${[...targets]}; want ${[...expSources]} -> ${[...expTargets]}`);
    }
    const rate = exact / tableCases.length;
    console.log(`    table-level: ${exact}/${tableCases.length} exact (${(rate * 100).toFixed(1)} %), precision ${(tp / (tp + fp)).toFixed(3)}, recall ${(tp / (tp + fn)).toFixed(3)}`);
    for (const [dialect, d] of [...perDialect].sort((a, b) => b[1].n - a[1].n)) {
      const precision = d.tp + d.fp === 0 ? 1 : d.tp / (d.tp + d.fp);
      const recall = d.tp + d.fn === 0 ? 1 : d.tp / (d.tp + d.fn);
      console.log(`      ${dialect.padEnd(12)} (${mapDialect(dialect).padEnd(11)}) cases ${String(d.n).padStart(3)}  parsed ${pct(d.parsed, d.n)}  exact ${pct(d.exact, d.n)}  precision ${precision.toFixed(2)}  recall ${recall.toFixed(2)}`);
    }
    if (process.env.MALLARD_SHOW_FAILURES) for (const f of failures) console.log(`      FAIL ${f}`);
    assert.ok(rate >= 0.85, `table-level exact ${rate}`);
  });

  it('column-level lineage is exact for at least 70 % of the 179 cases', () => {
    const columnCases = cases.filter((c) => c.kind === 'column');
    assert.equal(columnCases.length, 179);
    let exact = 0;
    let parsed = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const failures: string[] = [];
    for (const c of columnCases) {
      const { resolved, parsedOk } = runCase(c, c.needs_schema ? schema : {});
      if (parsedOk) parsed++;
      const got = columnLineage(resolved);
      const exp = expectedColumns(c);
      for (const t of got) (exp.has(t) ? tp++ : fp++);
      for (const t of exp) if (!got.has(t)) fn++;
      if (sameSet(got, exp)) exact++;
      else failures.push(`${c.id}\n        got  ${[...got].map((x) => x.replace(/\u0000/g, '|')).join('  ')}\n        want ${[...exp].map((x) => x.replace(/\u0000/g, '|')).join('  ')}`);
    }
    const rate = exact / columnCases.length;
    console.log(`    column-level: ${exact}/${columnCases.length} exact (${(rate * 100).toFixed(1)} %), parsed ${pct(parsed, columnCases.length)}, edge precision ${(tp / (tp + fp)).toFixed(3)}, recall ${(tp / (tp + fn)).toFixed(3)}`);
    if (process.env.MALLARD_SHOW_FAILURES) for (const f of failures) console.log(`      FAIL ${f}`);
    assert.ok(rate >= 0.7, `column-level exact ${rate}`);
  });
});

function pct(a: number, b: number): string {
  return `${((a / b) * 100).toFixed(0).padStart(3)} %`;
}
