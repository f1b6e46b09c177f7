import * as vscode from 'vscode';
import { buildDocPrompt } from '../../core/ai/docPrompt';
import { parseDocDraft } from '../../core/ai/docDraft';
import type { DraftNotification } from '../../webviews/docs/protocol';
import { AiError, complete } from '../ai/aiClient';
import { draftContext } from '../ai/draftContext';
import { aiLabel, readAiSettings, usesOrgKey } from './aiSettings';
import type { Logger } from './logger';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * The docs panel's "Draft with AI": builds the prompt from the catalog, streams the answer from the
 * user's provider under a cancellable progress notification, and hands the parsed draft to the
 * panel for review. It writes nothing: the panel saves each accepted (and possibly edited)
 * description through the normal save path. One draft at a time; usage is logged as model and
 * token counts only (no prompt, no answer, no key).
 */
export class DocsDrafter {
  private running: AbortController | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {}

  /** Stops the running draft, if any. */
  cancel(): void {
    this.running?.abort();
  }

  /** Drafts `entityId`'s docs, posting progress and the outcome through `post`. */
  async draft(catalog: WorkspaceCatalog, entityId: string, scope: 'missing' | 'all', post: (m: DraftNotification) => void): Promise<void> {
    this.cancel();
    const controller = new AbortController();
    this.running = controller;
    const fail = (message: string): void => post({ type: 'notify', event: 'draft', entityId, state: 'failed', message });
    try {
      const settings = await readAiSettings(this.secrets);
      const entity = catalog.store.getEntity(entityId);
      const sql = entity ? await vscode.workspace.fs.readFile(vscode.Uri.file(`${catalog.root}/${entity.path}`)).then((b) => new TextDecoder().decode(b), () => '') : '';
      const input = draftContext(catalog.store, entityId, sql, { scope, ...(settings.template ? { template: settings.template } : {}) });
      if (!input) return fail('This entity is no longer in the catalog.');
      if (input.columns.length > 0 && scope === 'missing' && input.description.trim() !== '' && input.columns.every((c) => c.description.trim() !== '')) {
        return fail('Every description is already written. Use "Redraft all" to draft them again for review.');
      }
      let chars = 0;
      let lastPost = 0;
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Mallard: drafting docs of ${input.name} with ${aiLabel(settings)}`, cancellable: true },
        async (_progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return complete(settings, buildDocPrompt(input), {
            signal: controller.signal,
            json: true,
            onDelta: (d) => {
              chars += d.length;
              // A few updates a second are enough to show it is alive.
              if (Date.now() - lastPost > 150) {
                lastPost = Date.now();
                post({ type: 'notify', event: 'draft', entityId, state: 'streaming', chars });
              }
            },
          });
        },
      );
      this.logger.info(`AI docs: ${input.name} drafted by ${answer.model} (${answer.usage.promptTokens} prompt + ${answer.usage.completionTokens} completion tokens).`);
      const draft = parseDocDraft(answer.text, input.columns.map((c) => c.name));
      post({
        type: 'notify', event: 'draft', entityId, state: 'ready',
        ...(draft.description !== undefined ? { description: draft.description } : {}),
        columns: draft.columns, problems: draft.problems, model: answer.model, usage: answer.usage,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof AiError && err.reason === 'cancelled')) this.logger.warn(`AI docs: ${message}`);
      fail(message);
      if (err instanceof AiError && err.reason === 'not-configured' && usesOrgKey()) {
        const pick = await vscode.window.showWarningMessage(`Mallard: ${message}`, 'Sign In');
        if (pick) await vscode.commands.executeCommand('mallard.signIn');
      } else if (err instanceof AiError && err.reason === 'not-configured') {
        const pick = await vscode.window.showWarningMessage('Mallard: set the API key of your AI provider to draft docs.', 'Set AI API Key');
        if (pick) await vscode.commands.executeCommand('mallard.ai.setApiKey');
      }
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }
}
