import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorDefinition } from '../../../core/connectors/connector';
import { ensureCatalogFolder } from '../../../extension/catalog/catalogFolder';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { removeConnectorFacts } from '../../../extension/connectors/connectorFacts';
import type { FlowResult } from '../../../extension/connectors/connectorFlow';
import { runConnectorInto } from '../../../extension/connectors/localRun';
import { runInWorker } from '../../../extension/connectors/localRunner';
import { WorkspaceConnectors, type KeyValueStore, type SecretStore } from '../../../extension/connectors/workspaceConnectors';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { testConnector } from '../../support/testConnector';

/**
 * A workspace connector's local run against a real SQLite catalog on disk: its tables land as their
 * own scope next to the scanned ones, a re-run replaces them (tables gone from the source go), a
 * failed run keeps the previous facts, a full rescan keeps them, and the secret exists only in the
 * secret store. Only VS Code's `workspaceState` and `SecretStorage` are stood in for (Maps behind
 * the same two-method surfaces); the catalog, the scanner and the files are real.
 */

const def = testConnector as unknown as ConnectorDefinition;

/** `vscode.Memento` stand-in: values go through JSON as VS Code stores them. */
class MapState implements KeyValueStore {
  readonly map = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const raw = this.map.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.map.set(key, JSON.stringify(value));
  }
}

/** `vscode.SecretStorage` stand-in. */
class MapSecrets implements SecretStore {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

function flowResult(tables: string[], password = 'S3cret-right'): FlowResult {
  return { type: 'postgres', scope: 'workspace', name: 'Warehouse', config: { host: 'good.example', port: 5432, tables, password }, secrets: { password }, keptSecrets: [], tested: { ok: true, detail: 'ok' } };
}

describe('connectors: local run into the SQLite catalog', function () {
  let dir: string;
  let store: CatalogStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mallard-connector-'));
    writeFileSync(path.join(dir, 'report.sql'), 'create table reports (id int);\n');
  });
  afterEach(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the connector’s tables as their own scope, replaces them on re-run and keeps them through a rescan', async () => {
    const catalogFile = path.join(dir, '.mallard', 'catalog.db');
    ensureCatalogFolder(catalogFile);
    store = CatalogStore.open(catalogFile);
    const scanner = new WorkspaceScanner(store, { root: dir, workers: 0, git: false });
    await scanner.scan();
    const scanned = store.listEntities({ limit: 100 }).items.map((e) => e.id).sort();
    assert.ok(scanned.length > 0);

    const state = new MapState();
    const secrets = new MapSecrets();
    const connectors = new WorkspaceConnectors(state, secrets);
    // The flow's config carries a password key here on purpose: the store must drop it.
    const id = await connectors.add(def, { ...flowResult(['orders', 'customers']), config: { ...flowResult(['orders', 'customers']).config } });
    const run = async (): Promise<Awaited<ReturnType<typeof runConnectorInto>>> => {
      const c = connectors.get(id);
      assert.ok(c);
      const outcome = await runConnectorInto(store, def, { id, config: c.config, secrets: await connectors.secretsOf(id), ...(c.state !== undefined ? { state: c.state } : {}) }, {});
      if (outcome.ok) await connectors.setRun(id, { status: 'succeeded', startedAt: new Date().toISOString() }, outcome.state);
      return outcome;
    };
    const tableIds = (): string[] => store.listEntities({ project: 'Warehouse', limit: 100 }).items.concat(store.listEntities({ project: 'Test Source', limit: 100 }).items).map((e) => e.id).sort();

    const first = await run();
    assert.deepEqual(first, { ok: true, stats: { tables: 2 }, state: { runs: 1, tables: 'orders,customers' }, entities: 2 });
    assert.deepEqual(tableIds(), ['project.Test Source', 'table.warehouse.db.public.customers', 'table.warehouse.db.public.orders']);
    assert.equal(store.columnsOf('table.warehouse.db.public.orders')[0]?.name, 'id');

    // Re-run after the source dropped `customers` and gained `items`: replaced, not merged.
    const c = connectors.get(id);
    assert.ok(c);
    await connectors.update(def, id, { ...flowResult(['orders', 'items']), keptSecrets: ['password'], secrets: {} });
    const second = await run();
    assert.equal(second.ok, true);
    assert.deepEqual(tableIds(), ['project.Test Source', 'table.warehouse.db.public.items', 'table.warehouse.db.public.orders']);
    // The edit started the incremental state over; the next run continues it.
    assert.deepEqual(second.ok && second.state, { runs: 1, tables: 'orders,items' });
    // An unchanged source answers no facts: the catalog keeps the tables, the state moves on.
    const third = await run();
    assert.deepEqual(third, { ok: true, stats: { unchanged: 1 }, state: { runs: 2, tables: 'orders,items' }, entities: 2 });
    assert.deepEqual(connectors.get(id)?.state, { runs: 2, tables: 'orders,items' });
    assert.deepEqual(tableIds(), ['project.Test Source', 'table.warehouse.db.public.items', 'table.warehouse.db.public.orders']);

    // The scanned entities were never touched.
    for (const e of scanned) assert.ok(store.getEntity(e), `${e} is still there`);

    // A full rescan (a file changed) replaces all facts: the connector's come back in the same transaction.
    writeFileSync(path.join(dir, 'report.sql'), 'create table reports (id int, name text);\n');
    await scanner.scan();
    await scanner.dispose();
    assert.deepEqual(tableIds(), ['project.Test Source', 'table.warehouse.db.public.items', 'table.warehouse.db.public.orders']);

    // A failed run (the password changed at the source) keeps the previous facts.
    await connectors.update(def, id, { ...flowResult(['other'], 'wrong') });
    const failed = await run();
    assert.deepEqual(failed, { ok: false, reason: 'auth-failed', message: 'password authentication failed' });
    assert.deepEqual(tableIds(), ['project.Test Source', 'table.warehouse.db.public.items', 'table.warehouse.db.public.orders']);

    // Deleting the connector removes its facts and its secret.
    removeConnectorFacts(store, id);
    await connectors.remove(id);
    assert.deepEqual(tableIds(), []);
    for (const e of scanned) assert.ok(store.getEntity(e));
    assert.equal(secrets.map.size, 0);
  });

  it('keeps secrets only in the secret store: never in the workspace state or the catalog files', async () => {
    const catalogFile = path.join(dir, 'catalog.db');
    store = CatalogStore.open(catalogFile);
    const state = new MapState();
    const secrets = new MapSecrets();
    const connectors = new WorkspaceConnectors(state, secrets);
    const id = await connectors.add(def, flowResult(['orders']));
    const outcome = await runConnectorInto(store, def, { id, config: connectors.get(id)?.config, secrets: await connectors.secretsOf(id) }, {});
    assert.deepEqual(outcome, { ok: true, stats: { tables: 1 }, state: { runs: 1, tables: 'orders' }, entities: 1 });
    store.close();
    assert.deepEqual(connectors.get(id)?.config, { host: 'good.example', port: 5432, tables: ['orders'] });
    assert.ok(![...state.map.values()].some((v) => v.includes('S3cret-right')), 'no secret in the workspace state');
    assert.deepEqual(JSON.parse(secrets.map.get(`mallard.connector.${id}`) ?? '{}'), { password: 'S3cret-right' });
    for (const file of readdirSync(dir).filter((f) => f.startsWith('catalog.db'))) assert.ok(!readFileSync(path.join(dir, file)).includes('S3cret-right'), `no secret in ${file}`);
    store = CatalogStore.open(catalogFile);
  });

  it('runs in a real worker thread and reports a type this build lacks instead of hanging', async () => {
    const catalogFile = path.join(dir, 'catalog.db');
    store = CatalogStore.open(catalogFile);
    const outcome = await runInWorker({ catalogFile, type: 'no-such-type', connectorId: 'c1', config: {}, secrets: {} });
    assert.deepEqual(outcome, { ok: false, reason: 'bad-host', message: 'This build of Mallard has no no-such-type connector.' });
  });

  it('a BI connector runs in a worker thread over the workspace folder (the files port) and its datasets land in the catalog', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mallard-bi-ws-'));
    try {
      cpSync(path.join(__dirname, '../../fixtures/bi/looker'), path.join(root, 'looker'), { recursive: true });
      const catalogFile = path.join(root, '.mallard', 'catalog.db');
      ensureCatalogFolder(catalogFile);
      const ws = CatalogStore.open(catalogFile);
      ws.close();
      const outcome = await runInWorker({ catalogFile, root, type: 'looker', connectorId: 'bi1', config: { folder: 'looker' }, secrets: {} });
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const read = CatalogStore.open(catalogFile, { readonly: true });
      try {
        const datasets = read.listEntities({ kind: 'dataset', limit: 100 }).items;
        assert.ok(datasets.length > 0, 'views and explores are datasets in the catalog');
        assert.ok(read.listEntities({ kind: 'dashboard', limit: 100 }).items.length > 0, 'the LookML dashboard');
      } finally {
        read.close();
      }
      // Without the folder the connector says what the host lacks instead of extracting nothing.
      const bare = await runInWorker({ catalogFile, type: 'looker', connectorId: 'bi2', config: { folder: 'looker' }, secrets: {} });
      assert.equal(bare.ok, false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
