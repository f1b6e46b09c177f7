/**
 * Styles of the docs view, from VS Code's theme variables. The columns table has a fixed layout at
 * 100% of the panel and wraps long names, types and chips, so it never overflows; below 560 px each
 * row becomes a card.
 */
export const DOCS_CSS = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 20px; overflow-x: hidden; }
h1 { margin-bottom: 2px; overflow-wrap: anywhere; }
.meta, .kind, .hint, .empty { opacity: 0.75; }
.hint { margin-left: 6px; font-size: 0.9em; }
a { color: var(--vscode-textLink-foreground); }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; border-radius: 2px; padding: 3px 10px; cursor: pointer; margin-right: 4px; font-family: inherit; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible, .description.editable:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
button.link { background: none; color: var(--vscode-textLink-foreground); padding: 0 4px; }
textarea { width: 100%; box-sizing: border-box; resize: vertical; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-focusBorder); font-family: var(--vscode-font-family); font-size: inherit; padding: 4px; }
table.columns { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.columns th, table.columns td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--vscode-panel-border); overflow-wrap: anywhere; }
table.columns th { font-weight: 600; color: var(--vscode-descriptionForeground); }
th.name { width: 20%; } th.type { width: 20%; } th.chips { width: 26%; }
td.name code, code.type-name { font-family: var(--vscode-editor-font-family); }
.type-source { display: block; font-size: 0.85em; color: var(--vscode-descriptionForeground); cursor: help; }
.type-source.inferred { font-style: italic; }
.description { min-height: 1.4em; border-radius: 2px; }
.description.editable { cursor: text; }
.description.editable:hover { background: var(--vscode-list-hoverBackground); }
.description .markdown p { margin: 2px 0; }
.markdown h1, .markdown h2, .markdown h3 { font-size: 1.05em; margin: 4px 0 2px; }
p.chips { display: flex; }
.chip { display: inline-block; max-width: 100%; box-sizing: border-box; margin: 0 4px 4px 0; padding: 1px 7px; border-radius: 10px; font-size: 0.9em; line-height: 1.5; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); overflow-wrap: anywhere; }
.chip.tag { background: none; color: var(--vscode-descriptionForeground); border: 1px solid var(--vscode-panel-border); }
.chip.warn { background: var(--vscode-inputValidation-warningBackground, var(--vscode-badge-background)); }
.chip-name { font-weight: 600; }
.chip-args { opacity: 0.9; }
.chip-flag { font-size: 0.85em; text-transform: uppercase; }
p.chips { flex-wrap: wrap; }
.outcome { font-size: 0.9em; color: var(--vscode-descriptionForeground); }
.outcome.ok { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.outcome.error, .message.error { color: var(--vscode-errorForeground); }
.tags { color: var(--vscode-descriptionForeground); }
.draft { border: 1px solid var(--vscode-panel-border); border-left: 3px solid var(--vscode-focusBorder); padding: 4px 12px 8px; margin: 8px 0 12px; }
.draft h2 { font-size: 1.05em; }
.proposal { margin: 8px 0; }
.proposal-label { margin-bottom: 2px; }
.ai-buttons { margin-left: 8px; }
.neighbors { display: flex; flex-wrap: wrap; gap: 0 40px; }
@media (max-width: 560px) {
  table.columns thead { display: none; }
  table.columns, table.columns tbody, table.columns tr, table.columns td { display: block; width: auto; }
  table.columns tr { padding: 6px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  table.columns td { border: none; padding: 2px 0; }
  /* Name and type share the card's first line; a column without a type shows no empty line. */
  table.columns td.name, table.columns td.type { display: inline-block; margin-right: 10px; }
  table.columns td.type .type-source { display: inline; margin-left: 6px; }
  table.columns td.type.untyped { display: none; }
}
`;
