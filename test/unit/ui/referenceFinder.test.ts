import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { ReferenceFinder, refersTo, type References, type RefSite } from '../../../extension/ui/referenceFinder';
import { referencesInLine } from '../../../extension/ui/sqlReferences';
import { yamlEntries } from '../../../extension/ui/yamlReferences';
import { removeDir } from '../../integration/scanner/helpers';

/**
 * Find All References and the reference CodeLens counts on a real catalog: the sample project
 * scanned into a SQLite file, references read from its files. Expected sites are hand-checked
 * against the sample's text (1-based `file:line:column`, as an editor shows them).
 */
describe('references: models, sources and columns on the scanned sample', function () {
  this.timeout(60_000);
  let root: string;
  let dbDir: string;
  let store: CatalogStore;
  /** Texts that differ from the files on disk (an editor's unsaved buffer). */
  const buffers = new Map<string, string>();
  const finder = (): ReferenceFinder =>
    new ReferenceFinder({
      store,
      readText: (rel) => {
        try {
          return buffers.get(rel) ?? readFileSync(path.join(root, rel), 'utf8');
        } catch {
          return undefined;
        }
      },
    });
  const at = (sites: readonly RefSite[]): string[] => sites.map((s) => `${s.file}:${s.line + 1}:${s.column + 1}`);
  const shown = (refs: References): { uses: string[]; declarations: string[] } => ({ uses: at(refs.uses), declarations: at(refs.declarations) });

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mallard-refs-'));
    cpSync(path.join(__dirname, '../../../samples/jaffle_duck'), root, { recursive: true, filter: (src) => !/[\\/]\.mallard$/.test(src) });
    dbDir = mkdtempSync(path.join(os.tmpdir(), 'mallard-refs-db-'));
    store = CatalogStore.open(path.join(dbDir, 'catalog.db'));
    const scanner = new WorkspaceScanner(store, { root, workers: 0, git: false, profileDirs: false });
    await scanner.scan();
    await scanner.dispose();
  });

  after(() => {
    store?.close();
    removeDir(root);
    removeDir(dbDir);
  });

  it('a model: every ref() site in SQL and exposure YAML, and its YAML entry as the declaration', () => {
    assert.deepEqual(shown(finder().entityReferences('model.jaffle_duck.orders')), {
      uses: [
        'analyses/revenue_by_region.sql:2:9',
        'models/exposures.yml:12:9',
        'models/marts/customers_v2.sql:11:13',
        'models/marts/delivery_sla.sql:10:15',
        'models/marts/store_daily_revenue.sql:9:9',
      ],
      declarations: ['models/marts/_marts.yml:4:11'],
    });
  });

  it('two refs of one model in one file are two sites (one in a dbt `-- depends_on:` comment)', () => {
    assert.deepEqual(shown(finder().entityReferences('model.jaffle_duck.stg_stores')).uses, ['models/marts/store_daily_revenue.sql:1:19', 'models/marts/store_daily_revenue.sql:10:15']);
  });

  it('versions: `ref(name, v=2)` is version 2 only; an unversioned ref would be the latest', () => {
    assert.deepEqual(shown(finder().entityReferences('model.jaffle_duck.customers.v2')).uses, ['analyses/revenue_by_region.sql:3:9']);
    assert.deepEqual(shown(finder().entityReferences('model.jaffle_duck.customers.v1')).uses, []);
  });

  it('in a file that refs two versions, each call names one version (unversioned = latest)', () => {
    const v1 = store.getEntity('model.jaffle_duck.customers.v1');
    const v2 = store.getEntity('model.jaffle_duck.customers.v2');
    assert.ok(v1 && v2);
    const calls = referencesInLine("{{ ref('customers') }} {{ ref('customers', v=1) }} {{ ref('customers', version=2) }} {{ ref('jaffle_duck', 'customers') }} {{ ref('other', 'customers') }}");
    assert.deepEqual(calls.map((c) => refersTo(c, v1)), [false, true, false, false, false]);
    assert.deepEqual(calls.map((c) => refersTo(c, v2)), [true, false, true, true, false]);
  });

  it('a source table: its source() sites and its entry in the sources YAML', () => {
    assert.deepEqual(shown(finder().entityReferences('source.jaffle_duck.shop.orders')), {
      uses: ['models/staging/stg_orders.sql:8:9'],
      declarations: ['models/staging/_sources.yml:26:15'],
    });
  });

  it('a column: downstream uses per column lineage (qualified only by a name bound to the upstream) and its YAML entry', () => {
    // delivery_sla joins `on deliveries.order_id = orders.order_id`: only the second is orders.order_id.
    assert.deepEqual(shown(finder().columnReferences('model.jaffle_duck.orders#order_id')), {
      uses: ['models/marts/delivery_sla.sql:11:37'],
      declarations: ['models/marts/_marts.yml:10:15'],
    });
    assert.deepEqual(shown(finder().columnReferences('model.jaffle_duck.stg_orders#order_id')), {
      uses: ['models/intermediate/int_customer_order_history.sql:9:9', 'models/intermediate/int_customer_order_history.sql:19:11', 'models/marts/orders.sql:13:9', 'models/marts/orders.sql:17:14'],
      declarations: ['models/staging/_staging.yml:23:15'],
    });
  });

  it('CodeLens counts: one lens per YAML declaration the catalog knows and one per model file, counting uses', () => {
    const yaml = finder().lenses('models/marts/_marts.yml');
    const counts = yaml.map((l) => `${l.line + 1}:${l.target.kind === 'entity' ? l.target.entityId : l.target.columnId}=${l.references.uses.length}`);
    assert.ok(counts.includes('4:model.jaffle_duck.orders=5'), counts.join('\n'));
    assert.ok(counts.includes('10:model.jaffle_duck.orders#order_id=1'), counts.join('\n'));
    assert.ok(counts.includes('27:model.jaffle_duck.customers.v2=1'), 'a versioned entry counts for the latest version');
    // Every declaration of the file has a lens: the catalog knows each of them (a column under
    // `versions: - v: 1` belongs to version 1, which the latest version does not have).
    const declared = yamlEntries(readFileSync(path.join(root, 'models/marts/_marts.yml'), 'utf8'));
    assert.deepEqual(yaml.map((l) => l.line), declared.map((e) => e.line));
    assert.ok(counts.some((c) => c.startsWith('56:model.jaffle_duck.customers.v1#full_name=')), counts.join('\n'));
    assert.deepEqual(finder().lenses('models/marts/orders.sql').map((l) => `${l.line + 1}=${l.references.uses.length}`), ['1=5']);
    assert.deepEqual(finder().lenses('models/staging/_sources.yml').find((l) => l.target.kind === 'entity' && l.target.entityId === 'source.jaffle_duck.shop.orders')?.references.uses.length, 1);
  });

  it('an unsaved editor buffer counts: a new ref in it is one more reference', () => {
    const file = 'models/marts/product_performance.sql';
    buffers.set(file, `${readFileSync(path.join(root, file), 'utf8')}\n-- depends_on: {{ ref('int_order_items_enriched') }}\n`);
    try {
      const uses = finder().entityReferences('model.jaffle_duck.int_order_items_enriched').uses;
      assert.deepEqual(at(uses.filter((u) => u.file === file)).length, 2);
    } finally {
      buffers.clear();
    }
  });

  it('reads every ref/source call on a line with package and version', () => {
    const line = "from {{ ref('pkg', 'm') }} join {{ ref('customers', v=2) }} join {{ source('shop', 'orders') }}";
    assert.deepEqual(
      referencesInLine(line).map((r) => (r.kind === 'ref' ? `ref ${r.package ?? ''}/${r.name}@${r.version ?? ''}` : r.kind === 'source' ? `source ${r.source}.${r.name}` : r.kind)),
      ['ref pkg/m@', 'ref /customers@2', 'source shop.orders'],
    );
  });

  it('finds declarations of models, versions, source tables and columns in YAML with positions', () => {
    const text = 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n    versions:\n      - v: 2\n        columns:\n          - name: extra\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n';
    assert.deepEqual(
      yamlEntries(text).map((e) => `${e.kind} ${e.owner ? `${e.owner.name}${e.owner.version ? `@${e.owner.version}` : ''}.` : ''}${e.name} ${e.line + 1}:${e.column + 1}`),
      ['model a 3:11', 'column a.id 5:15', 'column a@2.extra 9:19', 'source s.t 13:15', 'column s.t.c 15:19'],
    );
    assert.deepEqual(yamlEntries('models: [unclosed'), []);
  });
});
