import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { assembleDbtProject, loadDbtProject, readManifest, renderDbtNode } from '../../../core/dbt/api';
import type { Diagnostic } from '../../../core/model/entities';
import { dirFileSource, fixturesDir, memFileSource } from './helpers';

/** Property tests: bad input never throws, and every diagnostic is located (line ≥ 1, column ≥ 1). */

const shop = dirFileSource(path.join(fixturesDir, 'shop'));
const shopCtx = loadDbtProject(shop, '');
const shopModels = shop.list().filter((p) => p.endsWith('.sql') && !p.startsWith('macros/') && !p.includes('dbt_packages'));

function located(diags: Diagnostic[]): void {
  for (const d of diags) {
    assert.ok(d.line >= 1 && d.column >= 1, `unlocated diagnostic ${JSON.stringify(d)}`);
    assert.ok(d.file.length > 0 && d.message.length > 0);
  }
}

const FRAGMENTS = ['{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', ' if ', ' endif ', ' for x in ', ' endfor ', ' set a = ', ' macro m() ', ' endmacro ', ' call m() ', ' endcall ', ' else ', 'ref(', 'source(', "'stg_orders'", "'raw'", ', ', ')', '(', '[', ']', '{', '}', '~', '|', 'upper', '.', '"', "'", '\n', 'select ', ' from ', 'x', '1', 'none', ' is ', ' not ', ' in ', 'var(', 'return(', 'loop.index', '-- depends_on: '];
const template = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((xs) => xs.join(''));

function renderChecked(text: string): void {
  const r = renderDbtNode(shopCtx, 'models/fuzz.sql', text);
  located(r.diagnostics);
  const lines = text.split('\n').length;
  assert.equal(r.rendered.lineageSql.split('\n').length, lines, 'lineage SQL keeps the line count');
  assert.equal(r.rendered.compiledSql.split('\n').length, lines, 'compiled SQL keeps the line count');
}

describe('dbt fuzz', () => {
  it('random Jinja-ish templates never throw and keep line numbers', () => {
    fc.assert(fc.property(template, renderChecked), { numRuns: 400 });
  });

  it('random strings and bytes never throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), renderChecked), { numRuns: 300 });
  });

  it('truncated fixture models never throw', () => {
    const texts = shopModels.map((p) => shop.read(p) ?? '');
    fc.assert(fc.property(fc.nat({ max: texts.length - 1 }), fc.nat(), (i, cut) => {
      const t = texts[i] ?? '';
      renderChecked(t.slice(0, cut % (t.length + 1)));
    }), { numRuns: 300 });
  });

  it('broken YAML and project files never throw; the project still loads', () => {
    const yamlish = fc.array(fc.constantFrom('models:', 'sources:', '\n', '  - name: ', 'x', ': ', '"', "'", '[', ']', '{', '}', '    columns:', '      - ', 'tables:', 'versions:', 'v: 2', '&a', '*a', '!!int', '\t', '#', 'description: "{{ doc(', "'d') }}\""), { maxLength: 40 }).map((xs) => xs.join(''));
    fc.assert(fc.property(yamlish, yamlish, (schema, project) => {
      for (const projectText of [project, `name: p\n${project}`]) {
        const fs = memFileSource({ 'dbt_project.yml': projectText, 'models/schema.yml': schema, 'models/a.sql': "select * from {{ ref('b') }}", 'models/b.sql': 'select 1', 'models/d.md': '{% docs d %}x{% enddocs %}' });
        const ctx = loadDbtProject(fs, '');
        located(ctx.facts.diagnostics);
        const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
        const facts = assembleDbtProject(ctx, results);
        located(facts.diagnostics);
      }
    }), { numRuns: 200 });
  });

  it('malformed or truncated manifests never throw', () => {
    const good = JSON.stringify({ metadata: { project_name: 'p' }, nodes: { 'model.p.a': { depends_on: { nodes: ['model.p.b'] } } }, sources: {} }, null, 2);
    fc.assert(fc.property(fc.nat({ max: good.length }), fc.string({ maxLength: 30 }), (cut, junk) => {
      for (const text of [good.slice(0, cut), good.slice(0, cut) + junk, junk]) {
        const r = readManifest(text);
        located(r.diagnostics);
        if (!r.ok) assert.ok(r.diagnostics.length > 0);
      }
    }), { numRuns: 300 });
  });

  it('absurd nesting and failing file sources give diagnostics, not crashes', () => {
    for (const t of ['{{ ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + ' }}', '{% if true %}'.repeat(5000), '{{ 1' + ' ~ 1'.repeat(50000) + ' }}', '{{ x' + '.a'.repeat(50000) + ' }}']) {
      const r = renderDbtNode(shopCtx, 'models/deep.sql', t);
      located(r.diagnostics);
      assert.ok(r.diagnostics.some((d) => d.severity === 'error'));
    }
    const exploding = { list: () => ['dbt_project.yml', 'models/a.sql'], read: (): string => { throw new Error('disk on fire'); } };
    const ctx = loadDbtProject(exploding, '');
    located(ctx.facts.diagnostics);
    assert.ok(ctx.facts.diagnostics.length > 0);
  });
});
