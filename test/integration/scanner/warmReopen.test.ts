import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { eventually } from '../../support/eventually';
import { makeWorkspace, removeDir } from './helpers';

/**
 * A re-opened catalog (nothing changed since the last session) answers from the store at once and
 * builds the warm state the watcher needs later (`warmupDelayMs`), or at the first update request.
 * Nothing changed in between is lost. Real worker thread, real catalog file, real file watcher.
 */
describe('re-opening a scanned workspace', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  /** A logger that keeps the info lines (the worker says when its watcher is ready). */
  function recording(): Logger & { lines: string[] } {
    const lines: string[] = [];
    return { ...silent, info: (m: string) => void lines.push(m), lines };
  }
  const watching = (logger: { lines: string[] }): true | undefined => (logger.lines.some((l) => l.startsWith('Watching the workspace')) ? true : undefined);
  const files = {
    'warehouse/orders.sql': 'create table orders as select 1 as order_id, 2 as customer_id;',
    'marts/revenue.sql': 'create table revenue as select order_id from orders;',
  };

  function columns(catalog: WorkspaceCatalog, name: string): string[] {
    const entity = catalog.store.listEntities({ limit: 100 }).items.find((e) => e.name === name);
    return entity ? catalog.store.columnsOf(entity.id).map((c) => c.name) : [];
  }

  /** A workspace scanned once by a catalog that is then closed, as at the end of a session. */
  async function scannedWorkspace(): Promise<string> {
    const root = makeWorkspace(files, 'mallard-reopen-');
    const first = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    try {
      await first.scan();
      assert.deepEqual(columns(first, 'orders'), ['order_id', 'customer_id']);
    } finally {
      await first.dispose();
    }
    return root;
  }

  it('a file changed before the deferred warm-up is applied by it, and the views are told', async () => {
    const root = await scannedWorkspace();
    const logger = recording();
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, logger, { warmupDelayMs: 1_000 });
    let changes = 0;
    catalog.onDidChange(() => changes++);
    try {
      await catalog.scan();
      const afterCheck = changes;
      // Changed after the re-open's check and before the watcher exists.
      writeFileSync(path.join(root, 'warehouse/orders.sql'), 'create table orders as select 1 as order_id, 2 as customer_id, 3 as amount;');
      await eventually('the warm-up to apply the change', () => (columns(catalog, 'orders').includes('amount') ? true : undefined));
      await eventually('a change notification', () => (changes > afterCheck ? true : undefined));
      assert.deepEqual(columns(catalog, 'orders'), ['order_id', 'customer_id', 'amount']);

      // The watcher runs after the warm-up: a later edit arrives through it.
      await eventually('the watcher', () => watching(logger));
      writeFileSync(path.join(root, 'marts/revenue.sql'), 'create table revenue as select order_id, amount from orders;');
      await eventually('the watcher to apply the next change', () => (columns(catalog, 'revenue').includes('amount') ? true : undefined));
    } finally {
      await catalog.dispose();
      removeDir(root);
    }
  });

  it('an update request does not wait for the warm-up delay, and starts the watcher', async () => {
    const root = await scannedWorkspace();
    // A delay no test waits for: only the update can build the warm state here.
    const logger = recording();
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, logger, { warmupDelayMs: 600_000 });
    try {
      await catalog.scan();
      writeFileSync(path.join(root, 'warehouse/orders.sql'), 'create table orders as select 1 as order_id;');
      await catalog.update(['warehouse/orders.sql']);
      assert.deepEqual(columns(catalog, 'orders'), ['order_id']);

      await eventually('the watcher started by the update', () => watching(logger));
      writeFileSync(path.join(root, 'marts/revenue.sql'), 'create table revenue as select order_id as id from orders;');
      await eventually('the watcher to apply the change', () => (columns(catalog, 'revenue').includes('id') ? true : undefined));
    } finally {
      await catalog.dispose();
      removeDir(root);
    }
  });
});
