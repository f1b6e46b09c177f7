/** Styles of the lineage view; colours come from VS Code's theme variables so every theme works. */
export const LINEAGE_CSS = `
body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
#app { display: flex; flex-direction: column; height: 100vh; }
.toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
.toolbar input[type=search], .details input { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 4px 10px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.main { flex: 1; display: flex; min-height: 0; }
.canvas { flex: 1; overflow: auto; outline: none; }
.canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.details { width: 280px; padding: 8px 12px; border-left: 1px solid var(--vscode-panel-border); overflow: auto; }
.details h3 { margin: 4px 0; }
.details .actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
.details .loc { opacity: 0.7; font-family: var(--vscode-editor-font-family); }
.status { padding: 3px 8px; border-top: 1px solid var(--vscode-panel-border); opacity: 0.8; }
svg text { fill: var(--vscode-editor-foreground); font-size: 12px; }
g.node { cursor: pointer; }
g.node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); stroke-width: 1; }
g.node.kind-source rect { stroke: var(--vscode-charts-green); }
g.node.kind-seed rect { stroke: var(--vscode-charts-yellow); }
g.node.kind-exposure rect { stroke: var(--vscode-charts-purple); }
g.node.root rect { stroke: var(--vscode-focusBorder); stroke-width: 2; }
g.node.selected rect { fill: var(--vscode-list-activeSelectionBackground); }
g.node.selected text { fill: var(--vscode-list-activeSelectionForeground); }
g.node.match rect { stroke: var(--vscode-editor-findMatchBorder, var(--vscode-charts-orange)); stroke-width: 2; }
g.node.dangling rect { stroke-dasharray: 4 3; stroke: var(--vscode-errorForeground); }
g.node text.name { font-weight: 600; }
g.node text.kind { opacity: 0.7; font-size: 10px; }
g.node text.col { font-family: var(--vscode-editor-font-family); font-size: 11px; }
g.node text.col.highlight { fill: var(--vscode-charts-orange); font-weight: 700; }
g.node text.col.related { fill: var(--vscode-charts-blue); }
g.expand circle { fill: var(--vscode-button-background); }
g.expand text { fill: var(--vscode-button-foreground); font-weight: 700; }
path.edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground); stroke-width: 1.3; }
path.edge.edge-source { stroke: var(--vscode-charts-green); }
path.arrow-head { fill: var(--vscode-editorLineNumber-foreground); }
path.column-edge { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 1.5; }
path.column-edge.t-transformation, path.column-edge.t-aggregation { stroke: var(--vscode-charts-purple); }
path.column-edge.indirect { stroke-dasharray: 5 4; stroke: var(--vscode-charts-orange); opacity: 0.8; }
ul.missing { padding-left: 16px; }
@media (max-width: 760px) {
  .main { flex-direction: column; }
  .details { width: auto; max-height: 38%; border-left: none; border-top: 1px solid var(--vscode-panel-border); }
}
`;
