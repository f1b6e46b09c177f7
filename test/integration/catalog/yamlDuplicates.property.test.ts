import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from '../../unit/pipeline/memoryFs';
import { tempStore } from './catalogFixtures';

/**
 * Arbitrary duplicate-laden properties YAML (a model described in several files, columns listed
 * twice in any case, duplicate `description:`/`columns:`/`models:` keys), extracted and written to a
 * real catalog: the write never fails, the first declaration of everything wins, every model and
 * every column of the winning declarations lands, and the duplicates were all caught at the YAML
 * (no id reached the store twice).
 */

const MODELS = ['orders', 'customers', 'payments'];
const COLUMNS = ['id', 'ID', 'amount', 'Amount', 'status'];

interface ModelEntry {
  name: string;
  descriptions: string[];
  columns: string[];
  /** Columns under a second `columns:` key of the same entry (ignored: the first key wins). */
  extraColumns?: string[];
}

interface YamlFileSpec {
  models: ModelEntry[];
  /** Entries under a second top-level `models:` key (ignored). */
  more?: ModelEntry[];
}

const entryArb: fc.Arbitrary<ModelEntry> = fc.record(
  {
    name: fc.constantFrom(...MODELS),
    descriptions: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 2 }),
    columns: fc.array(fc.constantFrom(...COLUMNS), { maxLength: 5 }),
    extraColumns: fc.array(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['name', 'descriptions', 'columns'] },
);
const fileArb: fc.Arbitrary<YamlFileSpec> = fc.record({ models: fc.array(entryArb, { maxLength: 4 }), more: fc.array(entryArb, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['models'] });

let counter = 0;
/** Column descriptions are unique per occurrence, so which occurrence won is visible. */
function render(file: YamlFileSpec): { text: string; described: Map<string, string>[] } {
  const lines = ['version: 2'];
  const described: Map<string, string>[] = [];
  const list = (entries: ModelEntry[], record: boolean): void => {
    lines.push('models:');
    for (const e of entries) {
      lines.push(`  - name: ${e.name}`);
      for (const d of e.descriptions) lines.push(`    description: ${d}`);
      const cols = new Map<string, string>();
      const block = (names: string[], keep: boolean): void => {
        lines.push('    columns:');
        for (const c of names) {
          const desc = `c${counter++}`;
          lines.push(`      - name: ${c}`, `        description: ${desc}`);
          if (keep && !cols.has(c.toLowerCase())) cols.set(c.toLowerCase(), desc);
        }
      };
      block(e.columns, true);
      if (e.extraColumns) block(e.extraColumns, false);
      if (record) described.push(new Map([['__name', e.name], ['__description', e.descriptions[0] ?? ''], ...cols]));
    }
  };
  list(file.models, true);
  if (file.more) list(file.more, false);
  return { text: `${lines.join('\n')}\n`, described };
}

describe('dbt properties YAML full of duplicates, written to a real catalog (property)', () => {
  it('never fails; the first declaration wins; every model and winning column lands', () => {
    const env = tempStore();
    try {
      fc.assert(
        fc.property(fc.array(fileArb, { minLength: 1, maxLength: 3 }), (specs) => {
          const files: Record<string, string> = { 'dbt_project.yml': 'name: shop\n' };
          for (const m of MODELS) files[`models/${m}.sql`] = 'select 1 as unrelated\n';
          // The first description of a model wins in file order (the files are read sorted).
          const firstOf = new Map<string, Map<string, string>>();
          specs.forEach((spec, i) => {
            const { text, described } = render(spec);
            files[`models/props_${i}.yml`] = text;
            for (const d of described) if (!firstOf.has(d.get('__name') ?? '')) firstOf.set(d.get('__name') ?? '', d);
          });
          const { facts } = extractWorkspace(memoryFs(files), { workspaceName: 'ws' });
          env.store.replaceAll(facts);
          assert.deepEqual(env.store.diagnostics().filter((d) => d.code === 'duplicate-definition').map((d) => d.message), [], 'every duplicate was caught in the YAML');
          for (const name of MODELS) {
            const entity = env.store.getEntity(`model.shop.${name}`);
            assert.ok(entity, `model ${name} landed`);
            const first = firstOf.get(name);
            if (!first) continue;
            assert.equal(entity.description, first.get('__description'));
            const stored = new Map(env.store.columnsOf(entity.id).map((c) => [c.name.toLowerCase(), c.description]));
            for (const [col, desc] of first) {
              if (col.startsWith('__')) continue;
              assert.equal(stored.get(col), desc, `${name}.${col}: the first occurrence of the first description`);
            }
          }
        }),
        { numRuns: 60, seed: 3 },
      );
    } finally {
      env.cleanup();
    }
  });
});
