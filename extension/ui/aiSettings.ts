import * as vscode from 'vscode';
import type { AiPurpose } from '../../core/ai/aiFunction';
import { AiError } from '../ai/aiClient';
import type { AiSettings } from '../ai/aiClient';
import { orgAiSettings } from '../ai/orgAiSettings';
import type { OrgAiSession } from '../ai/orgAiSettings';

/**
 * The AI provider settings of this machine: endpoint and model from the `mallard.ai.*` settings,
 * the key only in SecretStorage (never in settings, logs or the catalog). The commands set and
 * clear the key.
 */

const SECRET = 'mallard.ai.apiKey';

let orgSession: (() => Promise<OrgAiSession | undefined>) | undefined;

/** Where org-key mode gets the sync sign-in and organization (set once by main.ts). */
export function setOrgAiSession(source: () => Promise<OrgAiSession | undefined>): vscode.Disposable {
  orgSession = source;
  return new vscode.Disposable(() => {
    if (orgSession === source) orgSession = undefined;
  });
}

/** True when `mallard.ai.keySource` is `org`. */
export function usesOrgKey(): boolean {
  return vscode.workspace.getConfiguration('mallard.ai').get<string>('keySource', 'personal') === 'org';
}

/** What progress titles name: the model, or the organization's key when its default model answers. */
export function aiLabel(settings: AiSettings): string {
  return settings.model !== '' ? settings.model : "the organization's AI key";
}

/**
 * Reads settings and the key; the key is '' when none is stored. With `mallard.ai.keySource: org`
 * the request goes through the `ai` edge function with the sync session instead (`not-configured`
 * when nobody is signed in or no organization is chosen).
 */
export async function readAiSettings(secrets: vscode.SecretStorage, purpose: AiPurpose = 'draft'): Promise<AiSettings & { template: string }> {
  const c = vscode.workspace.getConfiguration('mallard.ai');
  if (usesOrgKey()) {
    const session = await orgSession?.();
    if (session === undefined) {
      throw new AiError('not-configured', 'mallard.ai.keySource is "org": sign in to Mallard sync and choose an organization to use its AI key.');
    }
    return { ...orgAiSettings(session, purpose, c.get<string>('orgModel', '').trim()), template: c.get<string>('template', '') };
  }
  return {
    provider: c.get<'openai' | 'azure'>('provider', 'openai'),
    baseUrl: c.get<string>('baseUrl', 'https://api.openai.com/v1'),
    model: c.get<string>('model', 'gpt-4o-mini'),
    apiVersion: c.get<string>('apiVersion', '2024-10-21'),
    template: c.get<string>('template', ''),
    apiKey: (await secrets.get(SECRET)) ?? '',
  };
}

/** "Mallard: Set AI API Key" and "Mallard: Clear AI API Key". */
export function registerAiCommands(secrets: vscode.SecretStorage): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mallard.ai.setApiKey', async () => {
      const base = vscode.workspace.getConfiguration('mallard.ai').get<string>('baseUrl', 'https://api.openai.com/v1');
      const key = await vscode.window.showInputBox({
        title: 'Mallard: AI API Key',
        prompt: `The key for ${base}. It is kept in VS Code's secret storage on this machine and sent only to that endpoint.`,
        password: true,
        ignoreFocusOut: true,
        // An empty box is not an error while typing (an error message makes VS Code ignore Enter
        // until validation catches up); an empty answer saves nothing.
        validateInput: (v) => (/\s/.test(v.trim()) ? 'A key has no spaces.' : undefined),
      });
      if (key === undefined || key.trim() === '') return;
      await secrets.store(SECRET, key.trim());
      void vscode.window.showInformationMessage('Mallard: AI API key saved in secret storage.');
    }),
    vscode.commands.registerCommand('mallard.ai.clearApiKey', async () => {
      await secrets.delete(SECRET);
      void vscode.window.showInformationMessage('Mallard: AI API key removed.');
    }),
  ];
}
