import assert from 'node:assert/strict';
import { compileTargetRules, globRegExp, DEFAULT_TARGET_RULES } from '../../../core/pipeline/targetRules';
import { parseWorkspaceConfig } from '../../../core/pipeline/workspaceConfig';
import { readConfig } from '../../../extension/config';

/**
 * Target rules on their own: the built-in rules' answers for the two common layouts, glob captures
 * in configured templates, and the validation of `"targets"` in `.mallard.json` and the setting,
 * whose errors point at the key to fix.
 */

const rules = compileTargetRules(DEFAULT_TARGET_RULES);

describe('target rules', () => {
  it('table-folder: the three folders above query/init/view files name the table, view files a view', () => {
    assert.deepEqual(rules('sql/moz-fx-data-shared-prod/telemetry_derived/clients_daily_v6/query.sql'), {
      target: { name: 'clients_daily_v6', schema: 'telemetry_derived', database: 'moz-fx-data-shared-prod' },
      kind: 'table',
      defaults: { schema: 'telemetry_derived', database: 'moz-fx-data-shared-prod' },
      rule: 'table-folder',
    });
    assert.equal(rules('sql/p/telemetry/main/view.sql')?.kind, 'view');
    assert.equal(rules('sql/p/telemetry/main/materialized_view.sql')?.kind, 'view');
    assert.equal(rules('sql/p/ds/t/init.sql')?.target?.name, 't');
    assert.equal(rules('sql/p/ds/t/part2.sql')?.target?.name, 't');
    // Fewer folders than three: the ones there are.
    assert.deepEqual(rules('orders/query.sql')?.target, { name: 'orders' });
    assert.deepEqual(rules('ds/orders/query.sql')?.target, { name: 'orders', schema: 'ds' });
  });

  it('table-folder: checks.sql builds nothing but keeps its folder\'s defaults', () => {
    const checks = rules('sql/p/ds/t/checks.sql');
    assert.equal(checks?.target, undefined);
    assert.deepEqual(checks?.defaults, { schema: 'ds', database: 'p' });
  });

  it('file-name: any other .sql file builds the table named after it, with no schema (dbt\'s convention)', () => {
    assert.deepEqual(rules('models/staging/stg_orders.sql'), { target: { name: 'stg_orders' }, kind: 'table', defaults: {}, rule: 'file-name', byFileName: true });
    assert.deepEqual(rules('query.sql')?.target, { name: 'query' }, 'a query.sql with no folder above falls through to its file name');
  });

  it('configured globs capture wildcards for the template; the first matching rule wins', () => {
    const match = compileTargetRules([
      { glob: 'reports/**/*.sql', target: 'reports.{2}' },
      { glob: 'warehouse/*/*.sql', target: '{1}.{file}', kind: 'view' },
      { glob: 'scratch/**', target: false },
      'file-name',
    ]);
    assert.deepEqual(match('reports/daily/sales.sql')?.target, { name: 'sales', schema: 'reports' });
    assert.deepEqual(match('reports/sales.sql')?.target, { name: 'sales', schema: 'reports' }, '** matches no folder too');
    const view = match('warehouse/marts/orders.sql');
    assert.deepEqual(view?.target, { name: 'orders', schema: 'marts' });
    assert.equal(view?.kind, 'view');
    assert.equal(view?.rule, 'targets[1] (warehouse/*/*.sql → {1}.{file})');
    assert.deepEqual(match('warehouse/marts/orders.sql')?.defaults, { schema: 'marts' });
    const off = match('scratch/a/b.sql');
    assert.ok(off && off.target === undefined, 'target false: matched, builds nothing');
    assert.deepEqual(match('other/x.sql')?.target, { name: 'x' });
    assert.equal(compileTargetRules([])('a/b.sql'), undefined, 'no rules: nothing matches');
  });

  it('globs: * stays within a name, ? is one character, regex characters are literal', () => {
    assert.ok(globRegExp('sql/*.sql').test('sql/a.sql'));
    assert.ok(!globRegExp('sql/*.sql').test('sql/a/b.sql'));
    assert.ok(globRegExp('sql/?.sql').test('sql/a.sql'));
    assert.ok(!globRegExp('sql/?.sql').test('sql/ab.sql'));
    assert.ok(!globRegExp('sql/a+b.sql').test('sql/aab.sql'));
    assert.ok(globRegExp('./sql/a+b.sql').test('sql/a+b.sql'));
  });
});

describe('target rules in .mallard.json and the setting', () => {
  it('accepts built-in names, globs and false; absent means the built-in rules', () => {
    const { config, diagnostics } = parseWorkspaceConfig(JSON.stringify({ targets: ['table-folder', { glob: 'sql/*/*/*/query.sql', target: '{1}.{2}.{3}' }, { glob: 'x/**', target: false }], defaultSchema: 'proj.analytics' }));
    assert.deepEqual(diagnostics, []);
    assert.equal(config.targets?.length, 3);
    assert.equal(config.defaultSchema, 'proj.analytics');
    assert.equal(parseWorkspaceConfig('{}').config.targets, undefined);
  });

  it('reports each invalid rule at the key to fix, with the reason', () => {
    const text = '{\n  "dialect": "bigquery",\n  "targets": [\n    "file-name",\n    { "glob": "sql/*/*.sql", "target": "{1}.{3}" },\n    { "glob": "a/*.sql" },\n    "folders-please"\n  ]\n}\n';
    const { config, diagnostics } = parseWorkspaceConfig(text);
    assert.equal(config.targets, undefined, 'an invalid file is ignored whole');
    const byMessage = (part: string) => diagnostics.find((d) => d.message.includes(part));
    const template = byMessage('{3} refers to wildcard 3');
    assert.deepEqual([template?.line, template?.column], [5, 30], 'at the "target" key of the second rule');
    assert.match(template?.message ?? '', /targets\[1\]\.target/);
    const missing = diagnostics.find((d) => d.message.includes('targets[2]'));
    assert.deepEqual([missing?.line, missing?.column], [6, 5], 'a rule without its target: at the rule');
    assert.match(missing?.message ?? '', /targets\[2\]\.target: missing: expected string or false/);
    const unknown = diagnostics.find((d) => d.message.includes('targets[3]'));
    assert.deepEqual([unknown?.line, unknown?.column], [7, 5]);
    assert.match(unknown?.message ?? '', /expected one of "table-folder"\|"file-name" or object, received string/);
    assert.equal(diagnostics.length, 3);
    for (const d of diagnostics) assert.equal(d.file, '.mallard.json');
  });

  it('rejects unknown placeholders, empty name parts and a malformed defaultSchema', () => {
    const bad = parseWorkspaceConfig(JSON.stringify({ targets: [{ glob: 'a/*.sql', target: '{dir}.{file}' }, { glob: 'b/*.sql', target: '{1}..x' }], defaultSchema: 'a..b' }));
    const messages = bad.diagnostics.map((d) => d.message).join('\n');
    assert.match(messages, /unknown placeholder \{dir\}/);
    assert.match(messages, /empty name part/);
    assert.match(messages, /defaultSchema/);
  });

  it('places a JSON syntax error where the parser found it', () => {
    const { diagnostics } = parseWorkspaceConfig('{\n  "targets": [\n    "file-name",\n  ]\n}');
    assert.equal(diagnostics.length, 1);
    assert.deepEqual([diagnostics[0]?.line, diagnostics[0]?.column], [4, 3], 'the "]" after a trailing comma');
    const truncated = parseWorkspaceConfig('{"targets": ["file-name"').diagnostics[0];
    assert.deepEqual([truncated?.line, truncated?.column], [1, 25], 'a file that ends too early: at its end');
  });

  it('the setting is validated by the same schema and reported, falling back to the built-in rules', () => {
    const ok = readConfig((k) => (k === 'targets' ? ['file-name'] : k === 'defaultSchema' ? 'public' : undefined));
    assert.deepEqual(ok.config.targets, ['file-name']);
    assert.equal(ok.config.defaultSchema, 'public');
    assert.deepEqual(ok.problems, []);
    const bad = readConfig((k) => (k === 'targets' ? [{ glob: 'a/*.sql', target: '{2}' }] : k === 'defaultSchema' ? 'a b' : undefined));
    assert.equal(bad.config.targets, null);
    assert.equal(bad.config.defaultSchema, '');
    assert.equal(bad.problems.length, 2);
    assert.match(bad.problems[0] ?? '', /^mallard\.targets\[0\]\.target: \{2\} refers to wildcard 2/);
  });
});
