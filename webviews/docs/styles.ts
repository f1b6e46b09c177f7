/** Styles of the docs view, from VS Code's theme variables. */
export const DOCS_CSS = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 20px; }
h1 { margin-bottom: 2px; }
.meta, .kind, .hint, .empty { opacity: 0.75; }
a { color: var(--vscode-textLink-foreground); }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 10px; cursor: pointer; margin-right: 4px; }
button.primary { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
button.link { background: none; color: var(--vscode-textLink-foreground); padding: 0 4px; }
textarea { width: 100%; box-sizing: border-box; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, var(--vscode-panel-border)); font-family: var(--vscode-editor-font-family); }
table.columns { border-collapse: collapse; width: 100%; }
table.columns th, table.columns td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
td.name, td.type { font-family: var(--vscode-editor-font-family); white-space: nowrap; }
.description .markdown p { margin: 2px 0; }
.description button.edit { opacity: 0.6; font-size: 11px; }
.description:hover button.edit { opacity: 1; }
.outcome.ok { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.outcome.error, .message.error { color: var(--vscode-errorForeground); }
.tags { color: var(--vscode-descriptionForeground); }
.neighbors { display: flex; gap: 40px; }
`;
