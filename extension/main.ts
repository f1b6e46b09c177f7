import * as vscode from 'vscode';
import { readConfig } from './config';
import { checkHost } from './ui/hostCheck';
import { OutputLogger } from './ui/outputLogger';
import { MallardStatusBar } from './ui/statusBar';

/**
 * The composition root: the only place that builds services and wires them together with plain
 * constructors. Activation must stay fast, so nothing here scans or parses; work starts after
 * `activate` returns.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const logger = new OutputLogger();
  context.subscriptions.push(logger);
  context.subscriptions.push(vscode.commands.registerCommand('mallard.showLog', () => logger.show()));

  const statusBar = new MallardStatusBar();
  context.subscriptions.push(statusBar);

  const host = checkHost(process.versions);
  if (!host.ok) {
    // Refuse clearly instead of letting the native SQLite binding crash the extension host.
    logger.error(host.reason);
    statusBar.update({ kind: 'unsupported', message: host.reason });
    void vscode.window.showErrorMessage(host.reason, 'Open Log').then((choice) => {
      if (choice === 'Open Log') logger.show();
    });
    return;
  }

  const { problems } = readConfig((key) => vscode.workspace.getConfiguration('mallard').get(key));
  for (const problem of problems) logger.warn(`Setting ignored: ${problem}`);

  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  const elapsed = (performance.now() - started).toFixed(1);
  logger.info(`Mallard ${version} activated in ${elapsed} ms (Node ${process.versions.node}, Node-API ${process.versions.napi ?? '?'})`);
  statusBar.update({ kind: 'ready', models: 0, sources: 0, diagnostics: 0 });
}

/** Everything is owned by `context.subscriptions`; VS Code disposes them. */
export function deactivate(): void {
  // Nothing beyond the subscriptions.
}
