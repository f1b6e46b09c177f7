import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { sourcePosition } from '../../../core/dbt/renderMap';
import { dirFileSource, fixturesDir } from './helpers';
import { checkNode } from './renderMapCheck';

/**
 * The render map of a node says where each run of its rendered SQL comes from. Its promise
 * (`renderMapCheck.ts`) is checked here on random templates, and on a real project in
 * `test/corpora/dbt/renderMap.test.ts`.
 */

const shop = dirFileSource(path.join(fixturesDir, 'shop'));
const shopCtx = loadDbtProject(shop, '');
const checkShop = (text: string): void => checkNode(text, 'models/fuzz.sql', shopCtx);

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
    checkShop(text);
  });

  it('random templates keep the map truthful', () => {
    const pieces = ['{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', ' if true ', ' endif ', ' for i in range(4) ', ' endfor ', ' else ', "ref('stg_orders')", "source('raw', 'orders')", '{{ i }}', 'x', ' ', '\n', '\r\n', '-- c ', ', ', 'select ', "'--'", '{{ "a\nb" }}', '{{ this }}'];
    const template = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(''));
    fc.assert(fc.property(template, (t) => checkShop(t)), { numRuns: 400 });
  });
});
