import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { teardown, tempStore } from '../../integration/scanner/helpers';
import { corporaDir } from '../corpora';

/**
 * Real dbt packages whose `integration_tests/` project loads the package through `- local: ../`
 * used to give an empty catalog (UNIQUE constraint failed: entities.id). Each now scans to a full
 * catalog: every enabled model of the corpus truth is there once, and no id needed a
 * first-wins warning (the ids are unique by construction).
 */

const CORPORA = ['dbt_github', 'dbt_salesforce', 'dbt_hubspot', 'dbt_shopify'];

interface Details {
  [key: string]: { disabled_by_default?: boolean; resource_type?: string };
}

describe('scanner: Fivetran packages that are also workspace roots (corpora)', function () {
  this.timeout(300_000);

  for (const corpus of CORPORA) {
    it(`${corpus} scans to a full catalog`, async () => {
      const { store, dir } = tempStore();
      const scanner = new WorkspaceScanner(store, { root: path.join(corporaDir(), corpus), git: false, workers: 0 });
      try {
        const report = await scanner.scan();
        assert.equal(report.wrote, true);
        const details = JSON.parse(readFileSync(path.join(corporaDir(), `${corpus}.truth.details.json`), 'utf8')) as Details;
        const enabled = Object.entries(details).filter(([, d]) => (d.resource_type ?? 'model') === 'model' && d.disabled_by_default !== true).map(([name]) => name).sort();
        const models = store.listEntities({ kind: 'model', limit: 10_000 }).items.map((e) => store.getEntity(e.id)).filter((e) => e !== undefined && !e.disabled);
        assert.deepEqual(models.map((e) => e?.name).sort(), enabled);
        assert.deepEqual(store.diagnostics().filter((d) => d.code === 'duplicate-definition').map((d) => `${d.file}:${d.line} ${d.message}`), []);
        // The package is cataloged by its own root: its models live in its own folder, not under integration_tests/.
        assert.ok(models.every((e) => !e?.path.startsWith('integration_tests/')));
      } finally {
        await teardown({ scanner, store, dirs: [dir] });
      }
    });
  }
});
