import * as vscode from 'vscode';
import type { TestResult } from '../../core/connectors/connector';
import type { Answer, FlowPort, PickItem, StepInfo } from '../connectors/connectorFlow';

/** What `frame` sets; QuickPick and InputBox both have it. */
interface Framed {
  title: string | undefined;
  step: number | undefined;
  totalSteps: number | undefined;
  ignoreFocusOut: boolean;
  buttons: readonly vscode.QuickInputButton[];
}

/**
 * The `FlowPort` of the extension: each step is a QuickPick or an InputBox with the step's title,
 * "n/m" (VS Code's `step`/`totalSteps`), and the ← button from the second step on. Inputs show the
 * validation message under the text as it is typed and refuse Enter while it is invalid; secrets
 * use a password input. The connection test shows a busy, cancellable quick pick.
 */
export class QuickInputPort implements FlowPort {
  async pick<T>(s: StepInfo & { placeholder: string; items: readonly PickItem<T>[]; active?: T }): Promise<Answer<T>> {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    this.frame(qp, s);
    qp.placeholder = s.placeholder;
    qp.matchOnDescription = true;
    qp.items = s.items.map((i) => ({ label: i.label, ...(i.description !== undefined ? { description: i.description } : {}), ...(i.detail !== undefined ? { detail: i.detail } : {}), value: i.value }));
    const active = qp.items.find((i) => i.value === s.active);
    if (active) qp.activeItems = [active];
    return await this.await(qp, (resolve) => {
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        if (chosen) resolve({ kind: 'value', value: chosen.value });
      });
    });
  }

  async input(s: StepInfo & { prompt: string; placeholder?: string; value: string; password: boolean; validate: (text: string) => string | undefined }): Promise<Answer<string>> {
    const box = vscode.window.createInputBox();
    this.frame(box, s);
    box.prompt = s.prompt;
    box.value = s.value;
    box.password = s.password;
    if (s.placeholder !== undefined) box.placeholder = s.placeholder;
    return await this.await(box, (resolve) => {
      box.onDidChangeValue((text) => (box.validationMessage = s.validate(text)));
      box.onDidAccept(() => {
        // Enter on invalid text (an untouched empty input, say) shows why and stays.
        const message = s.validate(box.value);
        box.validationMessage = message;
        if (message === undefined) resolve({ kind: 'value', value: box.value });
      });
    });
  }

  async progress(s: StepInfo & { message: string }, run: (signal: AbortSignal) => Promise<TestResult>): Promise<TestResult> {
    const qp = vscode.window.createQuickPick();
    qp.title = s.title;
    qp.step = s.step;
    qp.totalSteps = s.totalSteps;
    qp.placeholder = s.message;
    qp.busy = true;
    qp.enabled = false;
    qp.ignoreFocusOut = true;
    const abort = new AbortController();
    const hidden = qp.onDidHide(() => abort.abort());
    qp.show();
    try {
      const cancelled = new Promise<TestResult>((resolve) => abort.signal.addEventListener('abort', () => resolve({ ok: false, reason: 'cancelled', message: 'The test was cancelled.' })));
      return await Promise.race([run(abort.signal), cancelled]);
    } finally {
      hidden.dispose();
      qp.dispose();
    }
  }

  /** Title, "n/m", and the ← button from the second step on; focus moving elsewhere does not cancel the flow. */
  private frame(input: Framed, s: StepInfo): void {
    input.title = s.title;
    input.step = s.step;
    input.totalSteps = s.totalSteps;
    input.ignoreFocusOut = true;
    input.buttons = s.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  }

  /** Shows `input` until it resolves: a value, the ← button (back) or hiding it (cancel). */
  private async await<T>(input: vscode.QuickPick<vscode.QuickPickItem & { value: T }> | vscode.InputBox, wire: (resolve: (a: Answer<T>) => void) => void): Promise<Answer<T>> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<Answer<T>>((resolve) => {
        let settled = false;
        const once = (a: Answer<T>): void => {
          if (settled) return;
          settled = true;
          resolve(a);
        };
        wire(once);
        disposables.push(
          input.onDidTriggerButton((b) => {
            if (b === vscode.QuickInputButtons.Back) once({ kind: 'back' });
          }),
          input.onDidHide(() => once({ kind: 'cancel' })),
        );
        input.show();
      });
    } finally {
      for (const d of disposables) d.dispose();
      input.dispose();
    }
  }
}
