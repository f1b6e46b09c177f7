import * as vscode from 'vscode';
import { buildVerifyPrompt, parseVerifyAnswer } from '../../core/ai/docVerify';
import type { VerifyNotification } from '../../webviews/docs/protocol';
import { AiError, complete } from '../ai/aiClient';
import { aiLabel, readAiSettings } from './aiSettings';
import type { Logger } from './logger';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * "Verify with AI": the user's provider compares an entity's descriptions with its SQL; each
 * contradiction becomes a warning on the SQL lines that show it (Problems panel, source `mallard`,
 * code `ai-doc-contradiction`, with the confidence) and a list in the docs panel. A new verification
 * of the same file replaces its earlier findings.
 */
export class DocsVerifier implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('mallard-ai');

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {}

  async verify(catalog: WorkspaceCatalog, entityId: string, post: (m: VerifyNotification) => void): Promise<void> {
    const fail = (message: string): void => post({ type: 'notify', event: 'verify', entityId, state: 'failed', message });
    try {
      const entity = catalog.store.getEntity(entityId);
      if (!entity) return fail('This entity is no longer in the catalog.');
      const uri = vscode.Uri.file(`${catalog.root}/${entity.path}`);
      const sql = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const items = [{ description: entity.description }, ...catalog.store.columnsOf(entityId).map((c) => ({ column: c.name, description: c.description }))];
      if (items.every((i) => i.description.trim() === '')) return fail('There is no description to verify yet.');
      const settings = await readAiSettings(this.secrets, 'verify');
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Mallard: verifying the docs of ${entity.name} with ${aiLabel(settings)}`, cancellable: true },
        async (_p, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return complete(settings, buildVerifyPrompt({ name: entity.name, sql, items }), { signal: controller.signal, json: true });
        },
      );
      this.logger.info(`AI docs: ${entity.name} verified by ${answer.model} (${answer.usage.promptTokens} prompt + ${answer.usage.completionTokens} completion tokens).`);
      const { findings, dropped } = parseVerifyAnswer(answer.text, { sql, items });
      const lines = sql.split('\n');
      this.diagnostics.set(uri, findings.map((f) => {
        const first = (f.lines[0] ?? 1) - 1;
        const last = (f.lines.at(-1) ?? 1) - 1;
        const d = new vscode.Diagnostic(new vscode.Range(first, 0, last, lines[last]?.length ?? 0),
          `Docs of ${f.column ?? entity.name} say "${f.claim}", but: ${f.explanation} (AI, confidence ${Math.round(f.confidence * 100)} %)`, vscode.DiagnosticSeverity.Warning);
        d.source = 'mallard';
        d.code = 'ai-doc-contradiction';
        return d;
      }));
      post({ type: 'notify', event: 'verify', entityId, state: 'ready', file: entity.path, findings, dropped });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof AiError && err.reason === 'cancelled')) this.logger.warn(`AI docs: ${message}`);
      fail(message);
    }
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}
