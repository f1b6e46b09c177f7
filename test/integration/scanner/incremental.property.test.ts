import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { buildProjectSpec } from '../../../scripts/gen/generate';
import { columnsByModel, modelPath, renderProjectFiles } from '../../../scripts/gen/render';
import type { ModelSpec, ProjectSpec } from '../../../scripts/gen/spec';
import { canonicalCatalog, makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * Incremental updates must give the same catalog as a full rescan. fast-check drives random edit
 * sequences (column lists, refs added/removed — cycles included —, files deleted/re-created or
 * renamed (the models that ref them keep the old name), SQL broken/fixed, YAML docs toggled, a
 * YAML `config: alias` toggled) on a small generated dbt project; after each sequence the
 * incrementally maintained store is compared with a fresh full scan of the same files.
 */

type Op =
  | { kind: 'editColumns'; model: number; drop: boolean; pick: number }
  | { kind: 'addRef'; model: number; target: number }
  | { kind: 'removeRef'; model: number }
  | { kind: 'delete'; model: number }
  | { kind: 'create'; model: number }
  | { kind: 'break'; model: number }
  | { kind: 'fix'; model: number }
  | { kind: 'doc'; model: number }
  | { kind: 'rename'; model: number }
  | { kind: 'alias'; model: number };

interface World {
  project: ProjectSpec;
  deleted: Set<string>;
  broken: Set<string>;
  /** Models whose file is renamed (`<name>_renamed.sql`): a new model name nothing refs. */
  renamed: Set<string>;
  /** Models given `config: { alias: <name>_tbl }` in a YAML file of their own. */
  aliased: Set<string>;
  extra: number;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('editColumns' as const), model: fc.nat(), drop: fc.boolean(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('addRef' as const), model: fc.nat(), target: fc.nat() }),
  fc.record({ kind: fc.constant('removeRef' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('create' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('break' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('fix' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('doc' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), model: fc.nat() }),
  fc.record({ kind: fc.constant('alias' as const), model: fc.nat() }),
);

const toggle = (set: Set<string>, name: string): void => {
  if (!set.delete(name)) set.add(name);
};

function apply(world: World, op: Op): void {
  const models = world.project.models;
  const m = models[op.model % models.length] as ModelSpec;
  const cols = columnsByModel(world.project);
  switch (op.kind) {
    case 'editColumns': {
      if (m.style === 'star' || m.style === 'macroLoop') return;
      if (op.drop && m.picks.length > 1) m.picks.splice(op.pick % m.picks.length, 1);
      else {
        const upstream = m.style === 'stage' ? world.project.sources.find((s) => s.table === m.source?.table)?.columns ?? [] : cols.get(m.refs[0] ?? '') ?? [];
        const column = upstream[op.pick % Math.max(1, upstream.length)];
        if (column) m.picks.push({ name: `extra_${world.extra++}`, from: 0, column, expr: 'id' });
      }
      return;
    }
    case 'addRef': {
      if (m.style !== 'join') return;
      const target = models[op.target % models.length]?.name;
      if (target && target !== m.name && !m.refs.includes(target)) m.refs.push(target);
      return;
    }
    case 'removeRef': {
      if (m.style !== 'join' || m.refs.length < 2) return;
      const last = m.refs.length - 1;
      m.refs.pop();
      m.picks = m.picks.filter((p) => p.from !== last);
      return;
    }
    case 'delete': world.deleted.add(m.name); return;
    case 'create': world.deleted.delete(m.name); return;
    case 'break': world.broken.add(m.name); return;
    case 'fix': world.broken.delete(m.name); return;
    case 'doc': m.documented = !m.documented; return;
    case 'rename': toggle(world.renamed, m.name); return;
    case 'alias': toggle(world.aliased, m.name); return;
  }
}

function render(world: World): Map<string, string> {
  const files = renderProjectFiles(world.project);
  for (const m of world.project.models) {
    if (world.deleted.has(m.name)) files.delete(modelPath(m));
    else if (world.broken.has(m.name)) files.set(modelPath(m), `select , from {{ ref('${m.refs[0] ?? 'nothing'}') }} where (\n`);
    const text = files.get(modelPath(m));
    if (text !== undefined && world.renamed.has(m.name)) {
      files.delete(modelPath(m));
      files.set(modelPath(m).replace(/\.sql$/, '_renamed.sql'), text);
    }
  }
  const aliased = world.project.models.filter((m) => world.aliased.has(m.name));
  // A model also documented is then described twice: the first description wins, with a warning.
  if (aliased.length > 0) files.set('models/_aliases.yml', `version: 2\nmodels:\n${aliased.map((m) => `  - name: ${m.name}\n    config:\n      alias: ${m.name}_tbl\n`).join('')}`);
  return files;
}

/** Writes the rendered world to disk; returns the paths that changed. */
function sync(root: string, before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [rel, text] of after) {
    if (before.get(rel) === text) continue;
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    changed.push(rel);
  }
  for (const rel of before.keys()) {
    if (after.has(rel)) continue;
    rmSync(path.join(root, rel), { force: true });
    changed.push(rel);
  }
  return changed;
}

describe('scanner: incremental updates equal a full rescan (property)', function () {
  this.timeout(600_000);

  it('holds for random edit sequences on a generated project', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.array(opArb, { minLength: 1, maxLength: 6 }), async (seed, ops) => {
        // Set MALLARD_PROP_TRACE=1 to see each case before it runs (to find a case that hangs).
        if (process.env['MALLARD_PROP_TRACE']) process.stderr.write(`${JSON.stringify({ seed, ops })}\n`);
        const world: World = { project: buildProjectSpec({ models: 12, seed, name: 'prop' }), deleted: new Set(), broken: new Set(), renamed: new Set(), aliased: new Set(), extra: 0 };
        let current = render(world);
        const root = makeWorkspace(current, 'mallard-prop-');
        const a = tempStore();
        const b = tempStore();
        const incremental = new WorkspaceScanner(a.store, { root, workers: 0, git: false });
        const fresh = new WorkspaceScanner(b.store, { root, workers: 0, git: false });
        try {
          await incremental.scan();
          for (const op of ops) {
            apply(world, op);
            const next = render(world);
            const changed = sync(root, current, next);
            current = next;
            await incremental.update(changed);
          }
          await fresh.scan();
          assert.deepEqual(canonicalCatalog(a.store), canonicalCatalog(b.store));
          for (const rel of current.keys()) assert.ok(existsSync(path.join(root, rel)) && readFileSync(path.join(root, rel), 'utf8') === current.get(rel));
        } finally {
          await incremental.dispose();
          await fresh.dispose();
          a.store.close();
          b.store.close();
          removeDir(a.dir);
          removeDir(b.dir);
          removeDir(root);
        }
      }),
      { numRuns: 60, endOnFailure: true, timeout: 60_000 },
    );
  });
});
