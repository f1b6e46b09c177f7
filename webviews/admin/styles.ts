/**
 * Styles of the admin view, from VS Code's theme variables only (light, dark and high-contrast
 * themes follow on their own). Tables wrap rather than overflow in a narrow panel; focus is always
 * visible (`--vscode-focusBorder`).
 */
export const ADMIN_CSS = `
[hidden] { display: none !important; }
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; }
.header { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); }
.header h1 { font-size: 1.4em; margin: 0; }
.spacer { flex: 1; }
h2 { font-size: 1.1em; margin: 18px 0 6px; display: flex; gap: 8px; align-items: baseline; }
.hint, .muted { color: var(--vscode-descriptionForeground); font-size: 0.92em; }
.hint { margin-left: 6px; }
.action { margin: 4px 0; }
.controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.controls vscode-textfield { min-width: 180px; }
.controls vscode-single-select { min-width: 140px; }
.outcome { margin-top: 3px; font-size: 0.92em; display: flex; gap: 4px; align-items: center; }
.outcome.error { color: var(--vscode-errorForeground); }
.outcome.ok { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
table.grid { border-collapse: collapse; width: 100%; table-layout: auto; }
table.grid th, table.grid td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--vscode-panel-border); overflow-wrap: anywhere; }
table.grid th { font-weight: 600; color: var(--vscode-descriptionForeground); }
table.grid tr:hover td { background: var(--vscode-list-hoverBackground); }
td.actions { min-width: 260px; }
table.members td:first-child { min-width: 210px; }
.expired, tr.expired td { color: var(--vscode-disabledForeground); text-decoration: line-through; }
ul.grants, ul.team-members, ul.perms, ul.flags { list-style: none; margin: 0; padding: 0; }
ul.grants li, ul.team-members li, ul.flags li { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 2px 0; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 0.85em; margin-left: 6px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.badge.warn { background: var(--vscode-inputValidation-warningBackground, var(--vscode-badge-background)); }
ul.tree { list-style: none; margin: 0; padding: 0; }
ul.tree > li { padding: 6px 0 6px calc(var(--depth, 0) * 22px); border-bottom: 1px solid var(--vscode-panel-border); }
.team-title { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
.team-box { margin-left: 22px; }
.card { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 8px 10px; margin: 6px 0; }
.roles { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 8px; }
.picker { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 6px 12px; margin: 8px 0; }
.picker fieldset { border: 1px solid var(--vscode-panel-border); border-radius: 4px; margin: 0; padding: 4px 8px; display: flex; flex-direction: column; gap: 2px; }
.picker legend { color: var(--vscode-descriptionForeground); padding: 0 4px; }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px; margin-bottom: 6px; }
.field { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.field-label { font-size: 0.85em; color: var(--vscode-descriptionForeground); }
.filters vscode-textfield { width: 100%; min-width: 0; box-sizing: border-box; }
.secret { margin: 10px 0; padding: 10px; border: 1px solid var(--vscode-inputValidation-warningBorder, var(--vscode-focusBorder)); border-radius: 4px; background: var(--vscode-inputValidation-warningBackground, transparent); display: flex; flex-direction: column; gap: 6px; }
.secret-text { font-family: var(--vscode-editor-font-family); user-select: all; overflow-wrap: anywhere; padding: 4px; background: var(--vscode-textCodeBlock-background); }
code { font-family: var(--vscode-editor-font-family); }
table.audit td:first-child, table.audit code { white-space: nowrap; }
td.target { font-family: var(--vscode-editor-font-family); font-size: 0.92em; }
vscode-tab-panel { padding-top: 6px; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
`;
