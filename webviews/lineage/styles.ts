/**
 * Styles of the lineage view. Colours come from VS Code's theme variables (updated in place when
 * the theme changes), so every theme works; the smallest text is 12 px at 100 % zoom and the view
 * never zooms below 11/12, so nothing is drawn below 11 px.
 */
export const LINEAGE_CSS = `
body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); overflow: hidden; }
#app { display: flex; flex-direction: column; height: 100vh; }
.toolbar { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; padding: 4px 6px; border-bottom: 1px solid var(--vscode-panel-border); }
.toolbar vscode-textfield { flex: 1 1 120px; min-width: 80px; max-width: 320px; margin-right: 6px; }
.toolbar vscode-toolbar-button { flex: none; }
.toolbar vscode-toolbar-button[disabled] { opacity: 0.4; }
.main { flex: 1; display: flex; min-height: 0; }
.stage { flex: 1; position: relative; min-width: 0; }
.canvas { position: absolute; inset: 0; overflow: auto; outline: none; padding: 8px; box-sizing: border-box; }
.canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.sizer { position: relative; }
.content { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.edges-layer { position: absolute; left: 0; top: 0; overflow: visible; }
.details { width: 230px; flex: none; padding: 8px 12px; border-left: 1px solid var(--vscode-panel-border); overflow: auto; }
.details.hidden { display: none; }
.details h3 { margin: 4px 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.details .kind, .details .hint { opacity: 0.8; }
.details .actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
.details .loc { opacity: 0.7; font-family: var(--vscode-editor-font-family); }
.status { padding: 3px 8px; border-top: 1px solid var(--vscode-panel-border); opacity: 0.85; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.minimap { position: absolute; right: 12px; bottom: 12px; display: none; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); padding: 4px; cursor: pointer; opacity: 0.92; }
.minimap.shown { display: block; }
.minimap svg { display: block; }
.mini-node { fill: var(--vscode-editorLineNumber-foreground); }
.mini-node.root { fill: var(--vscode-focusBorder); }
.mini-view { fill: none; stroke: var(--vscode-focusBorder); stroke-width: 6; vector-effect: non-scaling-stroke; }

.node { position: absolute; box-sizing: border-box; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); border-radius: 4px; cursor: pointer; overflow: hidden; font-size: 12px; transition: opacity 120ms; }
.node .head { display: flex; align-items: center; gap: 6px; padding: 6px 10px 0 10px; height: 20px; }
.node .head .codicon { font-size: 14px; flex: none; opacity: 0.85; }
.node .name { font-weight: 600; font-size: 13px; }
.label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.node .sub { display: flex; align-items: center; justify-content: space-between; gap: 6px; padding: 2px 10px 0 30px; height: 18px; opacity: 0.85; }
.node .kind { font-size: 12px; }
.node .cols-toggle { display: flex; align-items: center; gap: 2px; background: none; border: none; color: inherit; padding: 0; cursor: pointer; font: inherit; font-size: 12px; min-width: 0; }
.node .cols-toggle:hover { color: var(--vscode-textLink-foreground); }
.node .hidden-count { font-size: 12px; }
.node .cols-toggle .count { font-size: 12px; }
.node .cols-toggle { flex: none; }
.node .sub .kind { flex: 1 1 auto; }
.node .col-filter { display: block; box-sizing: border-box; width: calc(100% - 16px); margin: 4px 8px 2px; height: 22px; font-size: 12px; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 2px 6px; }
.node .col-filter:focus { outline: 1px solid var(--vscode-focusBorder); }
.node .col-rows { overflow-y: auto; margin-top: 4px; }
.node .col { display: flex; justify-content: space-between; gap: 8px; height: 20px; line-height: 20px; padding: 0 10px 0 14px; font-family: var(--vscode-editor-font-family); font-size: 12px; }
.node .col:hover { background: var(--vscode-list-hoverBackground); }
.node .col-type { opacity: 0.65; flex: none; max-width: 45%; }
.node .col.highlight { color: var(--vscode-charts-orange); font-weight: 700; background: var(--vscode-editor-findMatchHighlightBackground, transparent); }
.node .col.related { color: var(--vscode-charts-blue); }
.node .col.empty { opacity: 0.7; font-style: italic; }
.node.kind-source { border-left: 3px solid var(--vscode-charts-green); }
.node.kind-seed { border-left: 3px solid var(--vscode-charts-yellow); }
.node.kind-exposure { border-left: 3px solid var(--vscode-charts-purple); }
.node.kind-snapshot { border-left: 3px solid var(--vscode-charts-orange); }
.node.root { border-color: var(--vscode-focusBorder); box-shadow: 0 0 0 1px var(--vscode-focusBorder); }
.node.selected { background: var(--vscode-list-inactiveSelectionBackground); }
.node.match { box-shadow: 0 0 0 2px var(--vscode-editor-findMatchBorder, var(--vscode-charts-orange)); }
.node.dangling { border-style: dashed; border-color: var(--vscode-errorForeground); }
.node.dimmed { opacity: 0.3; }
.node.more { display: flex; align-items: center; justify-content: center; border-style: dashed; background: transparent; }
.node.more .name { font-size: 13px; }
.node.more:hover { background: var(--vscode-list-hoverBackground); }

path.edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground); stroke-width: 1.3; }
path.edge.edge-source { stroke: var(--vscode-charts-green); }
path.edge.dimmed { opacity: 0.22; }
path.arrow-head { fill: var(--vscode-editorLineNumber-foreground); }
path.column-edge { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 1.8; }
path.column-edge.t-transformation, path.column-edge.t-aggregation { stroke: var(--vscode-charts-purple); }
path.column-edge.indirect { stroke-dasharray: 5 4; stroke: var(--vscode-charts-orange); opacity: 0.85; }
g.edge-label rect { fill: var(--vscode-editor-background); stroke: var(--vscode-charts-blue); stroke-width: 1; }
g.edge-label text { fill: var(--vscode-editor-foreground); font-size: 12px; font-family: var(--vscode-font-family); }
ul.missing { padding-left: 16px; }
@media (max-width: 640px) {
  .details { display: none; }
}
`;
