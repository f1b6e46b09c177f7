// Benchmark fixture: a command that opens a webview panel whose page draws one <svg><g class="node">,
// from a script, as Mallard's lineage panel does. Nothing else runs: no activation work, no catalog.
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('baselineWebview.show', () => {
      const panel = vscode.window.createWebviewPanel('baselineWebview', 'Baseline Webview', vscode.ViewColumn.Beside, { enableScripts: true });
      const nonce = String(Math.random()).slice(2);
      panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
<title>Baseline Webview</title></head><body><svg id="canvas" width="200" height="100"></svg>
<script nonce="${nonce}">
const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
g.setAttribute('class', 'node');
g.innerHTML = '<rect width="120" height="30"></rect>';
document.getElementById('canvas').appendChild(g);
</script></body></html>`;
    }),
  );
};
