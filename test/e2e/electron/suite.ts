import assert from 'node:assert/strict';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** Entry point VS Code calls in the extension host: runs the in-editor checks with mocha. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: true });
  mocha.suite.emit('pre-require', globalThis, 'suite.js', mocha);
  describe('in VS Code: Mallard on jaffle_duck', () => {
    it('activates and registers its commands', async () => {
      const extension = vscode.extensions.getExtension('mallard.mallard');
      assert.ok(extension, 'the extension is installed');
      await extension.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const c of ['mallard.showLineage', 'mallard.searchCatalog', 'mallard.openDocs', 'mallard.rescan']) assert.ok(commands.includes(c), c);
    });

    it('scans the sample project and opens the lineage of orders', async () => {
      await vscode.commands.executeCommand('mallard.rescan');
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      assert.ok(root);
      await vscode.window.showTextDocument(vscode.Uri.joinPath(root, 'models/marts/orders.sql'));
      await vscode.commands.executeCommand('mallard.showLineage');
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
      assert.ok(tabs.some((t) => t === 'Mallard Lineage' || t.startsWith('Lineage: orders')), tabs.join(', '));
    });
  });
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-editor tests failed`)) : resolve()));
  });
}
