import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { dirFileSource, fixturesDir } from './helpers';

/**
 * Golden snapshot of everything extracted from the shop fixture (entities, edges, diagnostics,
 * unresolved names, rendered SQL). The snapshot was reviewed by hand; regenerate it with
 * `MALLARD_UPDATE_GOLDEN=1 npm run test:dbt` and review the diff before committing.
 */

const GOLDEN = path.join(fixturesDir, 'shop.golden.json');

function snapshot(): unknown {
  const fs = dirFileSource(path.join(fixturesDir, 'shop'));
  const ctx = loadDbtProject(fs, '');
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
  const facts = assembleDbtProject(ctx, results);
  return {
    entities: facts.entities.map((e) => ({ id: e.id, kind: e.kind, path: e.path, disabled: e.disabled, materialized: e.materialized ?? null, schema: e.schema ?? null, relation: e.relation ?? null, version: e.version ?? null, tags: e.tags, owners: e.owners.map((o) => o.name) })).sort((a, b) => a.id.localeCompare(b.id)),
    columns: facts.columns.map((c) => `${c.id} ${c.type ?? '-'} ${c.origin} [${c.tests.map((t) => t.name).join(',')}]`).sort(),
    edges: facts.modelEdges.map((e) => `${e.from} -${e.kind}-> ${e.to} @${e.provenance.file}:${e.provenance.line}:${e.provenance.column}`).sort(),
    diagnostics: facts.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`).sort(),
    unresolved: facts.unresolved.map((u) => `${u.target} ${u.reason} ${u.name}`).sort(),
    compiled: Object.fromEntries(results.map((r) => [r.path, r.rendered.compiledSql.split('\n')])),
    lineage: Object.fromEntries(results.map((r) => [r.path, { placeholders: r.rendered.placeholders }])),
  };
}

describe('dbt golden snapshot (shop fixture)', () => {
  it('matches the reviewed snapshot', () => {
    const got = snapshot();
    if (process.env.MALLARD_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(got, null, 1)}\n`);
    const want: unknown = JSON.parse(readFileSync(GOLDEN, 'utf8'));
    assert.deepEqual(got, want);
  });
});
