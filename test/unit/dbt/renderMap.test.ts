import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { sourcePosition } from '../../../core/dbt/renderMap';
import { corporaDir, dirFileSource, fixturesDir } from './helpers';

/**
 * The render map of a node says where each run of its rendered SQL comes from. Its promise, checked
 * here on random templates and on real projects: a run marked exact is the source text at the
 * position it names, character for character; every other run names a position inside the file.
 */

const shop = dirFileSource(path.join(fixturesDir, 'shop'));
const shopCtx = loadDbtProject(shop, '');

/** Offset of a 1-based line/column in `text`. */
function offsetIn(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  return lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
}

/** Checks one rendered text against its map and the source. */
function checkMap(source: string, rendered: string, map: readonly number[] | undefined, label: string): void {
  assert.ok(map && map.length % 4 === 0, `${label}: a map`);
  if (rendered === '') return;
  assert.equal(map[0], 0, `${label}: the first run starts at 0`);
  const lines = source.split('\n');
  for (let i = 0; i < map.length; i += 4) {
    const [at, line, column, exact] = map.slice(i, i + 4) as [number, number, number, number];
    const end: number = i + 4 < map.length ? (map[i + 4] as number) : rendered.length;
    assert.ok(end >= at, `${label}: runs in order`);
    assert.ok(line >= 1 && line <= lines.length && column >= 1 && column <= (lines[line - 1]?.length ?? 0) + 1, `${label}: run ${i / 4} at ${line}:${column} is outside the file`);
    if (exact === 1) {
      const from = offsetIn(source, line, column);
      assert.equal(rendered.slice(at, end), source.slice(from, from + end - at), `${label}: exact run ${i / 4} differs from the source`);
    }
  }
  // Every rendered offset, looked up, lands inside the file.
  for (let o = 0; o <= rendered.length; o += Math.max(1, Math.floor(rendered.length / 50))) {
    const p = sourcePosition(rendered, map, o);
    assert.ok(p.line >= 1 && p.line <= lines.length && p.column >= 1 && p.column <= (lines[p.line - 1]?.length ?? 0) + 1, `${label}: offset ${o} maps outside the file (${p.line}:${p.column})`);
  }
}

function checkNode(text: string, file = 'models/fuzz.sql', ctx = shopCtx): void {
  const r = renderDbtNode(ctx, file, text);
  checkMap(text, r.rendered.lineageSql, r.rendered.lineageMap, `${file} lineage`);
  checkMap(text, r.rendered.compiledSql, r.rendered.compiledMap, `${file} compiled`);
}

describe('dbt render map', () => {
  it('maps literal text exactly and Jinja output to its tag, through placeholders and folding', () => {
    const text = "select a,\n  {% for i in range(3) %}\n  c{{ i }},\n  {% endfor %}\n  b from {{ ref('stg_orders') }} where x = 1\n";
    const r = renderDbtNode(shopCtx, 'models/m.sql', text);
    const sql = r.rendered.lineageSql;
    const map = r.rendered.lineageMap ?? [];
    // After the placeholder the text is exact again, at its source column.
    const where = sql.indexOf('where');
    assert.deepEqual(sourcePosition(sql, map, where), { line: 5, column: (text.split('\n')[4]?.indexOf('where') ?? 0) + 1, exact: true });
    // Inside the placeholder: the ref's tag.
    assert.deepEqual(sourcePosition(sql, map, sql.indexOf('mallard__rel') + 5), { line: 5, column: 10, exact: false });
    // Inside the loop output, folded onto line 2: the loop's tag.
    assert.deepEqual(sourcePosition(sql, map, sql.indexOf('c2')), { line: 2, column: 3, exact: false });
    checkNode(text);
  });

  it('random templates keep the map truthful', () => {
    const pieces = ['{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', ' if true ', ' endif ', ' for i in range(4) ', ' endfor ', ' else ', "ref('stg_orders')", "source('raw', 'orders')", '{{ i }}', 'x', ' ', '\n', '\r\n', '-- c ', ', ', 'select ', "'--'", '{{ "a\nb" }}', '{{ this }}'];
    const template = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(''));
    fc.assert(fc.property(template, (t) => checkNode(t)), { numRuns: 400 });
  });

  it('is truthful on every node of a Jinja-heavy real project', () => {
    const fs = dirFileSource(path.join(corporaDir(), 'dbt_shopify'));
    const ctx = loadDbtProject(fs, '');
    for (const f of ctx.nodeFiles) checkNode(fs.read(f.path) ?? '', f.path, ctx);
    assert.ok(ctx.nodeFiles.length > 100);
  });
});
