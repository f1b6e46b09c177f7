import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDbtProject, readManifest, renderDbtNode } from '../../../core/dbt/api';
import { dirFileSource, fixturesDir, overlayFileSource } from '../../unit/dbt/helpers';
import { corporaDir } from '../corpora';

/** The renderer's dependencies against the manifest dbt itself wrote for a real project. */

describe('dbt manifest on a corpus', () => {
  it("agrees with dbt's own dbt_hubspot manifest (built from integration_tests with hubspot as a local package)", () => {
    const dir = path.join(corporaDir(), 'dbt_hubspot');
    const fs = overlayFileSource(dirFileSource(dir), { 'integration_tests/dbt_packages/fivetran_utils': path.join(fixturesDir, 'shims/fivetran_utils') });
    const parsed = readManifest(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.ok(parsed.ok);
    const ctx = loadDbtProject(fs, 'integration_tests');
    assert.deepEqual(ctx.projects.map((p) => p.name), ['hubspot_integration_tests', 'fivetran_utils', 'hubspot']);
    let tp = 0, fp = 0, fn = 0, compared = 0;
    const diffs: string[] = [];
    for (const f of ctx.nodeFiles) {
      const r = renderDbtNode(ctx, f.path, fs.read(f.path) ?? '');
      const m = parsed.manifest.nodes[r.entity.id];
      if (!m) continue;
      compared++;
      const want = new Set(m.dependsOn.filter((d) => !d.startsWith('macro.')));
      const got = new Set(r.dependencies.flatMap((d) => (d.target ? [d.target] : [])));
      for (const w of want) if (got.has(w)) tp++; else (fn++, diffs.push(`missing ${r.entity.id} <- ${w}`));
      for (const g of got) if (!want.has(g)) (fp++, diffs.push(`extra ${r.entity.id} <- ${g}`));
    }
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    console.log(`      manifest agreement: ${compared} nodes, precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn})`);
    for (const d of diffs.slice(0, 20)) console.log(`        ${d}`);
    assert.ok(compared >= 150, `compared ${compared}`);
    assert.ok(precision >= 0.95 && recall >= 0.95, `precision ${precision} recall ${recall}`);
  });
});
