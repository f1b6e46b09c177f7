import * as vscode from 'vscode';
import { complete } from '../ai/aiClient';
import { BUILTIN_RULES } from '../../core/governance/classifyRules';
import { suggestWithAi } from '../governance/aiClassify';
import { acceptSuggestion, classOf, rejectSuggestion, setClassification } from '../governance/classificationStore';
import { markResolutionSynced, resolveViolation } from '../governance/complianceLocal';
import { OrgCompliance } from '../governance/orgCompliance';
import { readAiSettings } from './aiSettings';
import type { CatalogRegistry } from './catalogRegistry';
import type { ClassificationNode, GovernanceViews, ViolationNode } from './governanceViews';
import type { Logger } from './logger';
import type { SyncController } from './syncController';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * The governance commands (issue 16): accept / reject a classification suggestion, tag a column by
 * hand, ask the configured AI for suggestions, resolve or dismiss a compliance violation with a
 * reason (locally, and in the organization's compliance events when signed in), and evaluate the
 * org catalog in the cloud. Each command changes the catalog, then asks the views to refresh.
 */

/** Classes offered for manual tagging. */
const CLASSES = [...BUILTIN_RULES.map((r) => ({ key: r.key, label: r.label })), { key: 'pii.other', label: 'other personal data' }, { key: 'confidential', label: 'confidential business data' }, { key: 'public', label: 'public data' }];

/** Picks a column of a catalog: first the entity, then its column. */
async function pickColumn(catalogs: CatalogRegistry): Promise<{ catalog: WorkspaceCatalog; columnId: string } | undefined> {
  const folders = catalogs.list();
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showQuickPick(folders.map((f) => ({ label: f.name, f })), { title: 'Mallard: Classify Column — folder' }).then((p) => p?.f);
  if (folder === undefined) return undefined;
  const store = folder.catalog.store;
  const entities = store.listEntities({ limit: 5000 }).items.filter((e) => e.kind !== 'project' && e.kind !== 'macro' && e.kind !== 'docBlock');
  const entity = await vscode.window.showQuickPick(entities.map((e) => ({ label: e.name, description: e.kind, id: e.id })), { title: 'Mallard: Classify Column — model or table', matchOnDescription: true });
  if (entity === undefined) return undefined;
  const column = await vscode.window.showQuickPick(store.columnsOf(entity.id).map((c) => ({ label: c.name, description: classOf(store, c.id) ?? c.type ?? '', id: c.id })), { title: `Mallard: Classify Column — ${entity.label}` });
  return column === undefined ? undefined : { catalog: folder.catalog, columnId: column.id };
}

/** Registers the commands; `views` refreshes after each change. */
export function registerGovernanceCommands(options: { catalogs: CatalogRegistry; views: GovernanceViews; sync: SyncController; secrets: vscode.SecretStorage; logger: Logger }): vscode.Disposable[] {
  const { catalogs, views, sync, secrets, logger } = options;
  const orgClient = async (): Promise<OrgCompliance | undefined> => {
    const org = sync.organization();
    if (!sync.project() || !org || !(await sync.auth.signedIn())) return undefined;
    return new OrgCompliance(org.id, () => sync.auth.getCredentials());
  };
  const fail = (what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    logger.warn(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`Mallard: ${what}: ${message}`);
  };
  const resolve = async (node: ViolationNode | undefined, status: 'resolved' | 'dismissed'): Promise<void> => {
    if (node?.kind !== 'violation') {
      void vscode.window.showInformationMessage(`Mallard: pick a violation in the Compliance view to ${status === 'resolved' ? 'resolve' : 'dismiss'} it.`);
      return;
    }
    const v = node.violation;
    const reason = await vscode.window.showInputBox({
      title: `Mallard: ${status === 'resolved' ? 'Resolve' : 'Dismiss'} ${v.ruleId}`,
      prompt: `${v.message} Why? The reason is kept with the resolution (and audited in the organization when you are signed in).`,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim().length > 2000 ? 'At most 2000 characters.' : undefined),
    });
    if (reason === undefined || reason.trim() === '') return;
    resolveViolation(node.catalog.store, v, status, reason);
    void views.refreshNow();
    try {
      const client = await orgClient();
      if (client === undefined) return;
      const event = await client.resolve({ rule: v.ruleId, entityKey: v.targetId, status, reason: reason.trim(), severity: v.severity, message: v.message });
      markResolutionSynced(node.catalog.store, v, event.id);
      logger.info(`Compliance: ${v.ruleId} on ${v.targetId} ${status} in the organization (event ${event.id}).`);
    } catch (err) {
      fail('the resolution is kept here but did not reach the organization', err);
    }
  };
  return [
    vscode.commands.registerCommand('mallard.classification.accept', (node?: ClassificationNode) => {
      if (node?.kind !== 'suggestion') return;
      try {
        acceptSuggestion(node.catalog.store, node.suggestion.columnId, node.suggestion.key);
        // The classification op is in the outbox: the sync engine (in the catalog worker) pushes it now.
        node.catalog.sync.notify('edit');
        void views.refreshNow();
      } catch (err) {
        fail('could not accept the suggestion', err);
      }
    }),
    vscode.commands.registerCommand('mallard.classification.reject', (node?: ClassificationNode) => {
      if (node?.kind !== 'suggestion') return;
      try {
        rejectSuggestion(node.catalog.store, node.suggestion.columnId, node.suggestion.key);
        void views.refreshNow();
      } catch (err) {
        fail('could not reject the suggestion', err);
      }
    }),
    vscode.commands.registerCommand('mallard.classification.tag', async (arg?: ClassificationNode) => {
      const target = arg?.kind === 'suggestion' ? { catalog: arg.catalog, columnId: arg.suggestion.columnId } : arg?.kind === 'derived' ? { catalog: arg.catalog, columnId: arg.derived.columnId } : await pickColumn(catalogs);
      if (target === undefined) return;
      const current = classOf(target.catalog.store, target.columnId);
      const items = [...CLASSES.map((c) => ({ label: c.key, description: c.label + (c.key === current ? ' (current)' : ''), key: c.key as string | null })), ...(current !== undefined ? [{ label: 'Clear classification', description: `remove ${current}`, key: null }] : [])];
      const picked = await vscode.window.showQuickPick(items, { title: `Mallard: Classify ${target.columnId.split('#')[1] ?? target.columnId}` });
      if (picked === undefined) return;
      try {
        setClassification(target.catalog.store, target.columnId, picked.key, 'manual');
        target.catalog.sync.notify('edit');
        void views.refreshNow();
      } catch (err) {
        fail('could not classify the column', err);
      }
    }),
    vscode.commands.registerCommand('mallard.classification.suggestWithAi', async () => {
      const settings = await readAiSettings(secrets);
      if (settings.apiKey === '') {
        void vscode.window.showWarningMessage('Mallard: set an AI API key first (Mallard: Set AI API Key).');
        return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Mallard: AI classification suggestions', cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let added = 0;
        let asked = 0;
        try {
          for (const { catalog } of catalogs.list()) {
            const r = await suggestWithAi(catalog.store, (messages) => complete(settings, messages, { signal: abort.signal, json: true }), {
              signal: abort.signal,
              onBatch: (done, total) => progress.report({ message: `${done} of ${total} columns` }),
            });
            added += r.added;
            asked += r.asked;
          }
          void views.refreshNow();
          void vscode.window.showInformationMessage(`Mallard: the AI suggested ${added} classification${added === 1 ? '' : 's'} for ${asked} unclassified column${asked === 1 ? '' : 's'}; review them in the Classification view.`);
        } catch (err) {
          void views.refreshNow();
          fail('AI classification stopped', err);
        }
      });
    }),
    vscode.commands.registerCommand('mallard.compliance.resolve', (node?: ViolationNode) => resolve(node, 'resolved')),
    vscode.commands.registerCommand('mallard.compliance.dismiss', (node?: ViolationNode) => resolve(node, 'dismissed')),
    vscode.commands.registerCommand('mallard.compliance.refresh', () => views.refreshNow()),
    vscode.commands.registerCommand('mallard.compliance.evaluateOrg', async () => {
      try {
        const client = await orgClient();
        if (client === undefined) {
          void vscode.window.showInformationMessage('Mallard: sign in to sync and choose an organization to evaluate its catalog.');
          return;
        }
        const r = await client.evaluate();
        void vscode.window.showInformationMessage(`Mallard: ${r.violations} violation${r.violations === 1 ? '' : 's'} in the organization's catalog; ${r.opened} new, ${r.autoResolved} resolved since the last evaluation.`);
      } catch (err) {
        fail('could not evaluate the organization\'s catalog', err);
      }
    }),
  ];
}
