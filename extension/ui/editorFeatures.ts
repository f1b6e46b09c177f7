import * as vscode from 'vscode';
import type { Entity } from '../../core/model/entities';
import { findReference, type SqlReference } from './sqlReferences';
import type { CatalogRegistry } from './catalogRegistry';
import type { Logger } from './logger';
import type { WorkspaceCatalog } from './workspaceCatalog';
import { CompiledSqlProvider } from './compiledSql';
import { finderFor, referenceLens, registerReferenceFeatures, YAML_SELECTOR } from './referenceProvider';

/** Files Mallard adds editor features to: SQL (including dbt's jinja-sql) and YAML/Markdown for docs. */
const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'sql' },
  { scheme: 'file', language: 'jinja-sql' },
  { scheme: 'file', pattern: '**/*.sql' },
];

/** Resolves a reference written in SQL to a catalog entity. */
export function resolveReference(catalog: WorkspaceCatalog, ref: SqlReference, currentFile?: string): Entity | undefined {
  const store = catalog.store;
  const project = currentFile ? catalog.entitiesIn(currentFile)[0]?.project : undefined;
  const byKind = (kind: Entity['kind'], name: string): Entity | undefined => {
    const items = store.listEntities({ kind, limit: 10_000 }).items.filter((e) => e.name === name);
    const best = items.find((e) => e.project === project) ?? items[0];
    return best ? store.getEntity(best.id) : undefined;
  };
  switch (ref.kind) {
    case 'ref':
      return byKind('model', ref.name) ?? byKind('seed', ref.name) ?? byKind('snapshot', ref.name);
    case 'source':
      return byKind('source', `${ref.source}.${ref.name}`);
    case 'doc':
      return byKind('docBlock', ref.name);
    case 'macro':
      return byKind('macro', ref.name);
    case 'relation': {
      const found = store.findEntity(ref.name);
      return found.status === 'found' ? found.entity : undefined;
    }
  }
}

function hoverMarkdown(catalog: WorkspaceCatalog, entity: Entity): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${entity.name}** · _${entity.kind}_${entity.materialized ? ` · ${entity.materialized}` : ''}\n\n`);
  if (entity.description) md.appendMarkdown(`${entity.description}\n\n`);
  const columns = catalog.store.columnsOf(entity.id);
  if (columns.length > 0) {
    md.appendMarkdown('| column | type | description |\n|---|---|---|\n');
    for (const c of columns.slice(0, 30)) {
      const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
      md.appendMarkdown(`| ${cell(c.name)} | ${cell(c.type ?? '')} | ${cell(c.description)} |\n`);
    }
    if (columns.length > 30) md.appendMarkdown(`\n…and ${columns.length - 30} more columns\n`);
  }
  md.appendMarkdown(`\n\`${entity.path}\``);
  return md;
}

/**
 * Registers hover, go-to-definition, completion, Find All References, Show Compiled SQL and the
 * model CodeLens; `refresh` re-asks for CodeLens and re-renders open compiled documents. Each
 * document is served by the catalog of its workspace folder.
 */
export function registerEditorFeatures(catalogs: CatalogRegistry, logger: Logger): { disposables: vscode.Disposable[]; refresh(): void } {
  const lensChanged = new vscode.EventEmitter<void>();
  const context = (doc: vscode.TextDocument): { catalog: WorkspaceCatalog; rel: string } | undefined => {
    const c = catalogs.forPath(doc.uri.fsPath);
    const rel = c?.relative(doc.uri.fsPath);
    return c && rel ? { catalog: c, rel } : undefined;
  };

  const hover: vscode.HoverProvider = {
    provideHover(doc, position) {
      const ctx = context(doc);
      const ref = ctx && findReference(doc.lineAt(position.line).text, position.character);
      const entity = ctx && ref && resolveReference(ctx.catalog, ref, ctx.rel);
      if (!ctx || !ref || !entity) return undefined;
      return new vscode.Hover(hoverMarkdown(ctx.catalog, entity), new vscode.Range(position.line, ref.start, position.line, ref.end));
    },
  };

  const definition: vscode.DefinitionProvider = {
    provideDefinition(doc, position) {
      const ctx = context(doc);
      const ref = ctx && findReference(doc.lineAt(position.line).text, position.character);
      const entity = ctx && ref && resolveReference(ctx.catalog, ref, ctx.rel);
      if (!ctx || !entity) return undefined;
      const line = Math.max(0, entity.provenance.line - 1);
      return new vscode.Location(vscode.Uri.file(`${ctx.catalog.root}/${entity.provenance.file || entity.path}`), new vscode.Position(line, Math.max(0, entity.provenance.column - 1)));
    },
  };

  const completion: vscode.CompletionItemProvider = {
    provideCompletionItems(doc, position) {
      const ctx = context(doc);
      if (!ctx) return undefined;
      const before = doc.lineAt(position.line).text.slice(0, position.character);
      const store = ctx.catalog.store;
      const sourceTable = /source\(\s*['"]([^'"]+)['"]\s*,\s*['"][^'"]*$/.exec(before);
      if (sourceTable) {
        const prefix = `${sourceTable[1]}.`;
        return store
          .listEntities({ kind: 'source', limit: 10_000 })
          .items.filter((e) => e.name.startsWith(prefix))
          .map((e) => new vscode.CompletionItem(e.name.slice(prefix.length), vscode.CompletionItemKind.Struct));
      }
      if (/source\(\s*['"][^'"]*$/.test(before)) {
        const names = new Set(store.listEntities({ kind: 'source', limit: 10_000 }).items.map((e) => e.name.split('.')[0] ?? e.name));
        return [...names].map((n) => new vscode.CompletionItem(n, vscode.CompletionItemKind.Module));
      }
      if (/ref\(\s*['"][^'"]*$/.test(before)) {
        return store.listEntities({ kind: ['model', 'seed', 'snapshot'], limit: 10_000 }).items.map((e) => {
          const item = new vscode.CompletionItem(e.name, vscode.CompletionItemKind.Class);
          item.detail = `${e.kind} · ${e.path}`;
          return item;
        });
      }
      // Column names of the models this file refers to.
      const upstream = ctx.catalog.entitiesIn(ctx.rel)[0];
      if (!upstream) return undefined;
      const parents = store.modelLineage(upstream.id, { direction: 'upstream', maxDepth: 1 }).nodes.filter((n) => n.depth === -1);
      return parents.flatMap((p) =>
        store.columnsOf(p.id).map((c) => {
          const item = new vscode.CompletionItem(c.name, vscode.CompletionItemKind.Field);
          item.detail = `${p.entity?.name ?? p.id}${c.type ? ` · ${c.type}` : ''}`;
          item.documentation = c.description;
          return item;
        }),
      );
    },
  };

  const codeLens: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses(doc) {
      try {
        return lensesFor(doc);
      } catch (err) {
        // A read that fails while the scan worker writes is retried once the write is over.
        logger.warn(`CodeLens for ${doc.uri.fsPath} failed: ${err instanceof Error ? err.message : String(err)}`);
        setTimeout(() => lensChanged.fire(), 1000);
        return [];
      }
    },
  };

  const lensesFor = (doc: vscode.TextDocument): vscode.CodeLens[] => {
      const ctx = context(doc);
      if (!ctx) return [];
      const lenses: vscode.CodeLens[] = [];
      const finder = finderFor(ctx.catalog);
      const lensOf = new Map(finder.lenses(ctx.rel).map((l) => [l.target.kind === 'entity' ? l.target.entityId : '', l.references]));
      for (const e of ctx.catalog.entitiesIn(ctx.rel)) {
        if (e.kind !== 'model' && e.kind !== 'snapshot' && e.kind !== 'seed') continue;
        const full = ctx.catalog.store.getEntity(e.id);
        const range = new vscode.Range(Math.max(0, (full?.provenance.line ?? 1) - 1), 0, Math.max(0, (full?.provenance.line ?? 1) - 1), 0);
        const up = ctx.catalog.store.modelLineage(e.id, { direction: 'upstream', maxDepth: 1 }).nodes.filter((n) => n.depth === -1).length;
        const down = ctx.catalog.store.modelLineage(e.id, { direction: 'downstream', maxDepth: 1 }).nodes.filter((n) => n.depth === 1).length;
        lenses.push(
          new vscode.CodeLens(range, { title: `${up} upstream · ${down} downstream`, command: 'mallard.showLineage', arguments: [e.id, ctx.catalog.root] }),
          new vscode.CodeLens(range, { title: 'Lineage', command: 'mallard.showLineage', arguments: [e.id, ctx.catalog.root] }),
          new vscode.CodeLens(range, { title: 'Docs', command: 'mallard.openDocs', arguments: [e.id, ctx.catalog.root] }),
          referenceLens(ctx.catalog, doc, range, lensOf.get(e.id) ?? finder.entityReferences(e.id)),
        );
      }
      return lenses;
  };

  const disposables: vscode.Disposable[] = [
    lensChanged,
    vscode.languages.registerHoverProvider(SELECTOR, hover),
    vscode.languages.registerDefinitionProvider(SELECTOR, definition),
    vscode.languages.registerCompletionItemProvider(SELECTOR, completion, "'", '"', '.'),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
    ...registerReferenceFeatures(catalogs, SELECTOR, lensChanged.event),
  ];
  const compiled = new CompiledSqlProvider(catalogs, logger);
  disposables.push(compiled);
  // VS Code restarts its CodeLens timer on every change event, so a burst of catalog updates could
  // keep postponing the lenses; one event after the burst settles avoids that.
  let timer: NodeJS.Timeout | undefined;
  const lensRefresh = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      lensChanged.fire();
    }, 250);
  };
  // VS Code schedules a CodeLens request when an editor opens and cancels it when the editor text
  // loses focus before the request's debounce ends (a workbench hover, a quick pick closing, a
  // webview taking focus); it then asks again only on refocus, an edit or this provider's change
  // event. Without this, a model opened while the pointer rested on a Catalog row never got its
  // lens. A change event after an editor shows up reschedules the request without needing focus;
  // it is repeated a little later because the hover that steals the focus can appear after the
  // first event (its delay), which cancels that request too.
  const followUps = new Set<NodeJS.Timeout>();
  // SQL models and the YAML files whose declarations carry reference lenses.
  const hasLenses = (doc: vscode.TextDocument): boolean => vscode.languages.match(SELECTOR, doc) > 0 || vscode.languages.match(YAML_SELECTOR, doc) > 0;
  const editorShown = (): void => {
    lensRefresh();
    for (const delay of [1000, 3000]) {
      const t = setTimeout(() => {
        followUps.delete(t);
        lensRefresh();
      }, delay);
      followUps.add(t);
    }
  };
  disposables.push({
    dispose: () => {
      if (timer) clearTimeout(timer);
      for (const t of followUps) clearTimeout(t);
      followUps.clear();
    },
  });
  disposables.push(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && hasLenses(editor.document)) editorShown();
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      if (editors.some((e) => hasLenses(e.document))) editorShown();
    }),
  );
  /** After a catalog change: lenses, open compiled documents (the dbt context may have changed). */
  const refresh = (): void => {
    // The walkthrough's first step ("open a project") completes once a folder has a scanned catalog.
    void vscode.commands.executeCommand('setContext', 'mallard.catalogReady', catalogs.all().some((c) => c.scannedBefore));
    compiled.refresh();
    lensRefresh();
  };
  return { disposables, refresh };
}
