import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../../core/yaml/contentHash';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { DocsWorkspace } from '../../../extension/ui/docsEdit';
import { DocsSaver, OwnWrites, saveDescription } from '../../../extension/ui/docsEdit';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * The docs panel's save below the webview: a real workspace on disk, a real catalog with its real
 * worker thread. The edit goes through the one mutation API in the worker (overlay + outbox op),
 * then the YAML file is written.
 */
describe('docs panel save: mutation, outbox, then file', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const files = {
    'dbt_project.yml': 'name: shop\nversion: "1.0"\nprofile: shop\n',
    'models/orders.sql': 'select 1 as order_id, 2 as amount',
    'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: "Old text"\n    columns:\n      - name: amount\n        description: "old amount"\n',
  };
  let root: string;
  let catalog: WorkspaceCatalog;
  const calls: string[] = [];

  /** Node files of the workspace, recording the order of writes. */
  function workspace(options: { failWrite?: boolean; dirty?: boolean } = {}): DocsWorkspace {
    return {
      read: async (file) => {
        try {
          return readFileSync(path.join(root, file), 'utf8');
        } catch {
          return undefined;
        }
      },
      write: async (file, text) => {
        calls.push(`write ${file}`);
        if (options.failWrite === true) throw new Error('EACCES: permission denied');
        writeFileSync(path.join(root, file), text);
      },
      isDirty: () => options.dirty === true,
      markdownFiles: async () => [],
    };
  }
  const mutate = (target: Parameters<WorkspaceCatalog['mutate']>[0], patch: Parameters<WorkspaceCatalog['mutate']>[1]) => {
    calls.push(`mutate ${JSON.stringify(target)}`);
    return catalog.mutate(target, patch);
  };
  const location = (hash: string) => ({ target: { resource: 'models' as const, name: 'orders' }, file: 'models/schema.yml', hash });
  const hashOf = async (): Promise<string> => contentHash(readFileSync(path.join(root, 'models/schema.yml'), 'utf8'));

  beforeEach(async () => {
    root = makeWorkspace(files, 'mallard-docs-');
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    await catalog.scan();
    calls.length = 0;
  });
  afterEach(async () => {
    await catalog.dispose();
    removeDir(root);
  });

  it('records the edit with its outbox op, then writes the YAML', async () => {
    const id = 'model.shop.orders';
    const result = await saveDescription(workspace(), mutate, location(await hashOf()), { entityId: id, description: 'One row per order.' });
    assert.deepEqual(result, { saved: true, file: 'models/schema.yml', created: false });
    assert.deepEqual(calls, [`mutate {"entityId":"${id}"}`, 'write models/schema.yml']);
    assert.match(readFileSync(path.join(root, 'models/schema.yml'), 'utf8'), /description: "?One row per order\.?"?/);
    const ops = catalog.store.pendingOps();
    assert.deepEqual(ops.map((o) => [o.target, o.action === 'patch' ? o.patch : undefined]), [[{ kind: 'entity', id }, { description: 'One row per order.' }]]);
    assert.equal(catalog.store.getEntity(id)?.description, 'One row per order.');
  });

  it('records a column edit under the column id', async () => {
    await saveDescription(workspace(), mutate, location(await hashOf()), { entityId: 'model.shop.orders', column: 'Amount', description: 'gross' });
    assert.deepEqual(catalog.store.pendingOps().map((o) => o.target), [{ kind: 'column', id: 'model.shop.orders#amount' }]);
    assert.equal(catalog.store.columnsOf('model.shop.orders').find((c) => c.name === 'amount')?.description, 'gross');
  });

  it('records nothing when the save is refused before writing', async () => {
    const dirty = await saveDescription(workspace({ dirty: true }), mutate, location(await hashOf()), { entityId: 'model.shop.orders', description: 'x' });
    assert.equal(dirty.saved, false);
    const stale = await saveDescription(workspace(), mutate, location('not-the-hash'), { entityId: 'model.shop.orders', description: 'x' });
    assert.equal(stale.saved, false);
    assert.deepEqual(calls, []);
    assert.deepEqual(catalog.store.pendingOps(), []);
  });

  it('keeps the recorded edit and says so when the file cannot be written', async () => {
    const result = await saveDescription(workspace({ failWrite: true }), mutate, location(await hashOf()), { entityId: 'model.shop.orders', description: 'kept' });
    assert.equal(result.saved, false);
    assert.match(result.saved ? '' : result.message, /recorded in the catalog .* could not be written: EACCES/);
    assert.equal(catalog.store.pendingOps().length, 1);
    assert.equal(catalog.store.getEntity('model.shop.orders')?.description, 'kept');
  });

  it('saves a second edit one second after the first: its own write is not an external change', async () => {
    // The panel holds the hash from when it opened the docs until the rescan refreshes it; both
    // edits use that one location, as the panel does within the seconds after a save.
    const opened = location(await hashOf());
    const own = new OwnWrites();
    const first = await saveDescription(workspace(), mutate, opened, { entityId: 'model.shop.orders', description: 'First edit.' }, own);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = await saveDescription(workspace(), mutate, opened, { entityId: 'model.shop.orders', column: 'amount', description: 'Second edit.' }, own);
    assert.deepEqual([first.saved, second.saved], [true, true], JSON.stringify(second));
    const text = readFileSync(path.join(root, 'models/schema.yml'), 'utf8');
    assert.match(text, /description: "?First edit\.?"?/);
    assert.match(text, /description: "?Second edit\.?"?/);
    assert.equal(catalog.store.columnsOf('model.shop.orders').find((c) => c.name === 'amount')?.description, 'Second edit.');
  });

  it('saves two edits started together, one after the other, keeping both', async () => {
    const opened = location(await hashOf());
    const saver = new DocsSaver();
    const [first, second] = await Promise.all([
      saver.save(workspace(), mutate, opened, { entityId: 'model.shop.orders', description: 'Together one.' }),
      saver.save(workspace(), mutate, opened, { entityId: 'model.shop.orders', column: 'amount', description: 'Together two.' }),
    ]);
    assert.deepEqual([first.saved, second.saved], [true, true], JSON.stringify(second));
    const text = readFileSync(path.join(root, 'models/schema.yml'), 'utf8');
    assert.match(text, /description: "?Together one\.?"?/);
    assert.match(text, /description: "?Together two\.?"?/);
  });

  it('still refuses an edit when someone else changed the file after the panel wrote it', async () => {
    const opened = location(await hashOf());
    const own = new OwnWrites();
    assert.equal((await saveDescription(workspace(), mutate, opened, { entityId: 'model.shop.orders', description: 'Mine.' }, own)).saved, true);
    const file = path.join(root, 'models/schema.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('old amount', 'changed by hand'));
    const refused = await saveDescription(workspace(), mutate, opened, { entityId: 'model.shop.orders', column: 'amount', description: 'Overwrite?' }, own);
    assert.equal(refused.saved, false);
    assert.equal(refused.saved ? '' : refused.reason, 'conflict');
    assert.match(readFileSync(file, 'utf8'), /changed by hand/);
  });

  it('writes nothing when the catalog refuses the edit', async () => {
    const result = await saveDescription(workspace(), mutate, location(await hashOf()), { entityId: 'model.shop.missing', description: 'x' });
    assert.equal(result.saved, false);
    assert.match(result.saved ? '' : result.message, /did not record the edit.*No entity with id model\.shop\.missing/);
    assert.deepEqual(calls, ['mutate {"entityId":"model.shop.missing"}']);
  });
});
