import * as vscode from 'vscode';
import type { ConnectorDefinition, ConnectorType, HttpFetch, TestResult } from '../../core/connectors/connector';
import { ConnectorError, validateInput } from '../../core/connectors/connector';
import { connectorDefinition, connectorDefinitions } from '../../core/connectors/registry';
import type { CatalogRegistry } from './catalogRegistry';
import type { Logger } from './logger';
import type { SyncController } from './syncController';
import { removeConnectorFacts } from '../connectors/connectorFacts';
import { runConnectorFlow, type EditTarget, type FlowDraft, type FlowResult } from '../connectors/connectorFlow';
import { runOrgConnector, runWorkspaceConnector } from './connectorRuns';
import { ConnectorsTree, orgRow, type ConnectorNode, type ConnectorRow } from './connectorsTree';
import { OrgConnectors } from '../connectors/orgConnectors';
import { QuickInputPort } from './quickInputPort';
import { openSqlSession } from '../connectors/sqlDrivers';
import { WorkspaceConnectors } from '../connectors/workspaceConnectors';

/**
 * The connector commands (Add, Edit, Run now, Disable/Enable, Delete, Refresh) and the Connectors
 * view. Workspace connectors are stored by `WorkspaceConnectors` and run locally; the
 * organization's go through the `connectors` edge function (`OrgConnectors`) when signed in to sync.
 */

export interface ConnectorCommandDeps {
  context: vscode.ExtensionContext;
  catalogs: CatalogRegistry;
  sync: SyncController;
  logger: Logger;
  /** Refreshes the catalog views after a run wrote the catalog. */
  catalogChanged: () => void;
}

export function registerConnectorCommands(deps: ConnectorCommandDeps): vscode.Disposable[] {
  const { context, catalogs, sync, logger } = deps;
  const workspace = new WorkspaceConnectors(context.workspaceState, context.secrets);
  const tree = new ConnectorsTree(workspace);
  const port = new QuickInputPort();

  /** The org client when signed in to sync with an organization chosen. */
  const orgClient = async (): Promise<{ client: OrgConnectors; name: string } | undefined> => {
    const org = sync.organization();
    if (!sync.project() || !org || !(await sync.auth.signedIn())) return undefined;
    return { client: new OrgConnectors(org.id, () => sync.auth.getCredentials()), name: org.name };
  };
  const refreshOrg = async (): Promise<void> => {
    const org = await orgClient();
    if (!org) return tree.setOrg([]);
    try {
      tree.setOrg((await org.client.list()).map(orgRow));
    } catch (err) {
      tree.setOrg([], `Organization connectors: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  /** Tests a workspace draft here (the connection test only opens a session or sends a request). */
  const testLocally = async (def: ConnectorDefinition, draft: FlowDraft, keptFrom?: string): Promise<TestResult> => {
    const stored = keptFrom ? await workspace.secretsOf(keptFrom) : {};
    const secrets = { ...Object.fromEntries(draft.keptSecrets.map((k) => [k, stored[k]])), ...draft.secrets };
    try {
      const input = validateInput(def, draft.config, secrets);
      return await def.test(input, { fetch: globalThis.fetch as unknown as HttpFetch, openSql: (c, s) => openSqlSession(def.type, c, s) });
    } catch (err) {
      if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
      throw err;
    }
  };

  const flow = async (editing?: EditTarget): Promise<void> => {
    const definitions = connectorDefinitions();
    if (definitions.length === 0) {
      void vscode.window.showErrorMessage('Mallard: this build has no connector types.');
      return;
    }
    const org = editing?.scope === 'workspace' ? undefined : await orgClient();
    const orgNames = org ? (await org.client.list().catch(() => [])).map((c) => c.name) : [];
    const result = await runConnectorFlow(port, {
      definitions,
      ...(org ? { org: { name: org.name } } : {}),
      ...(editing ? { editing } : {}),
      takenNames: (scope) => (scope === 'org' ? orgNames : workspace.list().map((c) => c.name)),
      test: async (draft) => {
        const def = connectorDefinition(draft.type);
        if (!def) return { ok: false, reason: 'bad-host', message: `No ${draft.type} connector in this build.` };
        if (draft.scope === 'workspace') return await testLocally(def, draft, editing?.id);
        if (!org) return { ok: false, reason: 'bad-host', message: 'Sign in to Mallard sync to test an organization connector.' };
        const secrets = draft.secrets as Record<string, string>;
        return await org.client.test({ ...(editing ? { connectorId: editing.id } : { type: draft.type as ConnectorType }), config: draft.config as Record<string, never>, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) });
      },
    });
    if (!result) return;
    await save(result, editing, org?.client).catch((err: unknown) => void vscode.window.showErrorMessage(`Mallard: could not save ${result.name}: ${err instanceof Error ? err.message : String(err)}`));
  };

  const save = async (result: FlowResult, editing: EditTarget | undefined, org: OrgConnectors | undefined): Promise<void> => {
    const def = connectorDefinition(result.type);
    if (!def) return;
    let saved: ConnectorRow | undefined;
    if (result.scope === 'workspace') {
      const folder = catalogs.list()[0]?.catalog.root;
      const id = editing ? editing.id : await workspace.add(def, result, folder);
      if (editing) await workspace.update(def, id, result);
      saved = tree.rows().find((r) => r.scope === 'workspace' && r.id === id);
    } else {
      if (!org) throw new Error('not signed in to sync');
      const secrets = result.secrets as Record<string, string>;
      if (result.keptSecrets.length > 0 && Object.keys(secrets).length > 0) throw new Error('the organization replaces all secrets at once: type every secret to change one');
      const summary = await org.save({ ...(editing ? { connectorId: editing.id } : {}), type: result.type as ConnectorType, name: result.name, config: result.config as Record<string, never>, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) });
      await refreshOrg();
      saved = orgRow(summary);
    }
    logger.info(`Connector ${result.name} saved (${result.scope}${result.tested.ok ? '' : ', connection test failed'})`);
    if (!saved || editing) return;
    const choice = await vscode.window.showInformationMessage(`Mallard: saved connector ${result.name}.`, 'Run Now');
    if (choice === 'Run Now') await run(saved);
  };

  const run = async (row: ConnectorRow): Promise<void> => {
    if (row.scope === 'workspace') {
      const connector = workspace.get(row.id);
      const catalog = (connector?.folder !== undefined ? catalogs.byRoot(connector.folder) : undefined) ?? catalogs.list()[0]?.catalog;
      if (!catalog) {
        void vscode.window.showErrorMessage('Mallard: open a folder first; a workspace connector writes into its catalog.');
        return;
      }
      await runWorkspaceConnector(workspace, row.id, catalog, logger, deps.catalogChanged);
      return;
    }
    const org = await orgClient();
    if (!org) return;
    await runOrgConnector(org.client, row.id, row.name, logger, () => void refreshOrg(), async () => {
      await sync.syncNow();
      deps.catalogChanged();
    });
  };

  /** The row a command acts on: the tree's, or one picked (from the command palette). */
  const pick = async (node: ConnectorNode | undefined, placeHolder: string, filter: (r: ConnectorRow) => boolean = () => true): Promise<ConnectorRow | undefined> => {
    if (node?.type === 'connector') return node;
    await refreshOrg();
    const rows = tree.rows().filter(filter);
    if (rows.length === 0) {
      void vscode.window.showInformationMessage('Mallard: no connectors yet. Use "Mallard: Add Connector".');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      rows.map((r) => ({ label: r.name, description: `${r.scope === 'org' ? 'organization' : 'workspace'} · ${r.connectorType}`, row: r })),
      { placeHolder },
    );
    return chosen?.row;
  };

  const editTarget = async (row: ConnectorRow): Promise<EditTarget | undefined> => {
    if (row.scope === 'workspace') {
      const c = workspace.get(row.id);
      if (!c) return undefined;
      return { id: c.id, type: c.type, scope: 'workspace', name: c.name, config: c.config, storedSecrets: Object.keys(await workspace.secretsOf(c.id)) };
    }
    const org = await orgClient();
    const c = (await org?.client.list())?.find((s) => s.id === row.id);
    return c ? { id: c.id, type: c.type, scope: 'org', name: c.name, config: c.config, storedSecrets: Object.keys(c.secrets) } : undefined;
  };

  const setDisabled = async (row: ConnectorRow, disabled: boolean): Promise<void> => {
    if (row.scope === 'workspace') await workspace.setDisabled(row.id, disabled);
    else await (await orgClient())?.client.setStatus(row.id, disabled ? 'paused' : 'active');
    await refreshOrg();
  };

  const remove = async (row: ConnectorRow): Promise<void> => {
    const answer = await vscode.window.showWarningMessage(`Delete the connector ${row.name}?`, { modal: true, detail: row.scope === 'workspace' ? 'Its tables leave this workspace’s catalog and its secrets are deleted.' : 'It is deleted for the whole organization; its secrets are deleted.' }, 'Delete');
    if (answer !== 'Delete') return;
    if (row.scope === 'workspace') {
      const connector = workspace.get(row.id);
      for (const { catalog } of catalogs.list()) if (connector?.folder === undefined || catalog.root === connector.folder) removeConnectorFacts(catalog.store, row.id);
      await workspace.remove(row.id);
      deps.catalogChanged();
    } else {
      await (await orgClient())?.client.delete(row.id);
      await refreshOrg();
    }
  };

  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (err) {
        logger.error(err instanceof Error ? err : String(err));
        void vscode.window.showErrorMessage(`Mallard: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };

  void refreshOrg();
  return [
    tree,
    vscode.window.createTreeView('mallard.connectors', { treeDataProvider: tree }),
    sync.auth.onDidChange(() => void refreshOrg()),
    vscode.commands.registerCommand('mallard.addConnector', guarded('Add Connector', () => flow())),
    vscode.commands.registerCommand('mallard.refreshConnectors', guarded('Refresh', () => refreshOrg())),
    vscode.commands.registerCommand(
      'mallard.editConnector',
      guarded('Edit Connector', async (node?: ConnectorNode) => {
        const row = await pick(node, 'Connector to edit');
        const target = row && (await editTarget(row));
        if (target) await flow(target);
      }),
    ),
    vscode.commands.registerCommand(
      'mallard.runConnector',
      guarded('Run Connector', async (node?: ConnectorNode) => {
        // A disabled workspace connector does not run; a paused org connector still runs on demand.
        const row = await pick(node, 'Connector to run now', (r) => r.scope === 'org' || !r.disabled);
        if (row?.scope === 'workspace' && row.disabled) return;
        if (row) await run(row);
      }),
    ),
    vscode.commands.registerCommand('mallard.disableConnector', guarded('Disable Connector', async (node?: ConnectorNode) => { const row = await pick(node, 'Connector to disable', (r) => !r.disabled); if (row) await setDisabled(row, true); })),
    vscode.commands.registerCommand('mallard.enableConnector', guarded('Enable Connector', async (node?: ConnectorNode) => { const row = await pick(node, 'Connector to enable', (r) => r.disabled); if (row) await setDisabled(row, false); })),
    vscode.commands.registerCommand('mallard.deleteConnector', guarded('Delete Connector', async (node?: ConnectorNode) => { const row = await pick(node, 'Connector to delete'); if (row) await remove(row); })),
  ];
}
