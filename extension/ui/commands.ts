import * as vscode from 'vscode';
import type { CatalogRegistry } from './catalogRegistry';
import { entityIdOf, rootOf, type CatalogTreeProvider } from './catalogTree';
import { kindIcon } from './kindIcons';
import { locateColumn } from './searchLocation';
import type { WorkspaceCatalog } from './workspaceCatalog';

/** What the catalog commands need from the composition root. */
export interface CommandContext {
  catalogs: CatalogRegistry;
  tree: CatalogTreeProvider;
  /** Rescans every catalog. */
  rescan(): Promise<void>;
}

/** The catalog of the active editor's workspace folder, if it has one. */
export function activeCatalog(catalogs: CatalogRegistry): WorkspaceCatalog | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor ? catalogs.forPath(editor.document.uri.fsPath) : undefined;
}

/**
 * The catalog a command acts on, from its arguments: a folder root passed as the second argument
 * (CodeLens, tree rows, panels) or carried by a tree node, else the catalog holding the entity id
 * (the active editor's folder first), else the active editor's folder, else the only catalog.
 */
export function commandCatalog(catalogs: CatalogRegistry, arg: unknown, rootArg?: unknown): WorkspaceCatalog | undefined {
  const root = typeof rootArg === 'string' ? rootArg : rootOf(arg);
  const byRoot = root === undefined ? undefined : catalogs.byRoot(root);
  if (byRoot) return byRoot;
  const active = activeCatalog(catalogs);
  const id = entityIdOf(arg);
  return (id ? catalogs.forEntity(id, active) : undefined) ?? active ?? (catalogs.size === 1 ? catalogs.all()[0] : undefined);
}

/** Opens an entity's defining file at its definition line. */
export async function openEntity(catalog: WorkspaceCatalog, entityId: string): Promise<void> {
  const entity = catalog.store.getEntity(entityId);
  if (!entity) return;
  const uri = vscode.Uri.file(`${catalog.root}/${entity.path}`);
  const line = Math.max(0, entity.provenance.line - 1);
  const column = Math.max(0, entity.provenance.column - 1);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, column, line, column), preview: true });
}

/** Opens the line that names a column (its YAML entry, else its SQL), else its entity's definition. */
export async function openColumn(catalog: WorkspaceCatalog, entityId: string, name: string): Promise<void> {
  const entity = catalog.store.getEntity(entityId);
  const column = catalog.store.columnsOf(entityId).find((c) => c.name === name);
  const read = async (file: string): Promise<string | undefined> => vscode.workspace.fs.readFile(vscode.Uri.file(`${catalog.root}/${file}`)).then((b) => new TextDecoder().decode(b), () => undefined);
  const found = entity && column ? await locateColumn(read, entity, column) : undefined;
  if (!found) return openEntity(catalog, entityId);
  const { line, column: at, length } = found.location;
  const range = new vscode.Range(line - 1, at - 1, line - 1, at - 1 + length);
  await vscode.window.showTextDocument(vscode.Uri.file(`${catalog.root}/${found.file}`), { selection: range, preview: true });
}

/** The entity a command acts on: its argument (tree node or id), else the active editor's file. */
export function targetEntity(catalog: WorkspaceCatalog, arg: unknown): string | undefined {
  const fromArg = entityIdOf(arg);
  if (fromArg) return fromArg;
  const editor = vscode.window.activeTextEditor;
  const rel = editor && catalog.relative(editor.document.uri.fsPath);
  if (!rel) return undefined;
  const entities = catalog.entitiesIn(rel);
  // A .sql file defines one model; a YAML file may define several sources: take the first.
  return entities.find((e) => e.kind !== 'docBlock' && e.kind !== 'macro')?.id;
}

/** Registers the catalog commands that do not need a webview. */
export function registerCatalogCommands(ctx: CommandContext): vscode.Disposable[] {
  const withCatalog =
    (fn: (catalog: WorkspaceCatalog, arg: unknown) => unknown) =>
    (arg: unknown, root?: unknown): unknown => {
      const catalog = commandCatalog(ctx.catalogs, arg, root);
      if (!catalog) {
        void vscode.window.showInformationMessage('Mallard: the catalog is not ready yet.');
        return undefined;
      }
      return fn(catalog, arg);
    };

  return [
    vscode.commands.registerCommand('mallard.rescan', () => ctx.rescan()),
    vscode.commands.registerCommand(
      'mallard.openEntity',
      withCatalog((catalog, arg) => {
        const id = targetEntity(catalog, arg);
        return id ? openEntity(catalog, id) : undefined;
      }),
    ),
    vscode.commands.registerCommand(
      'mallard.copyQualifiedName',
      withCatalog(async (catalog, arg) => {
        const id = targetEntity(catalog, arg);
        const entity = id ? catalog.store.getEntity(id) : undefined;
        if (!entity) return;
        const relation = [entity.database, entity.schema, entity.relation ?? entity.name].filter(Boolean).join('.');
        const column = typeof arg === 'object' && arg !== null && (arg as { type?: string }).type === 'column' ? (arg as { name: string }).name : undefined;
        await vscode.env.clipboard.writeText(column ? `${relation}.${column}` : relation);
        void vscode.window.setStatusBarMessage(`Copied ${column ? `${relation}.${column}` : relation}`, 3000);
      }),
    ),
    vscode.commands.registerCommand('mallard.filterCatalog', async () => {
      const text = await vscode.window.showInputBox({ prompt: 'Filter the catalog by name', value: ctx.tree.filter, placeHolder: 'e.g. orders' });
      if (text !== undefined) ctx.tree.setFilter(text);
    }),
    vscode.commands.registerCommand('mallard.clearCatalogFilter', () => ctx.tree.setFilter('')),
    vscode.commands.registerCommand('mallard.searchCatalog', () => {
      if (ctx.catalogs.size === 0) void vscode.window.showInformationMessage('Mallard: the catalog is not ready yet.');
      else searchCatalog(ctx.catalogs);
    }),
  ];
}

interface SearchPick extends vscode.QuickPickItem {
  catalog: WorkspaceCatalog;
  entityId: string;
  column?: string;
}

/**
 * Search Catalog: a quick pick over the full-text index of every catalog, with kind icons, updated
 * as the user types. With several folders, each item's detail starts with its folder's name.
 */
function searchCatalog(catalogs: CatalogRegistry): void {
  const pick = vscode.window.createQuickPick<SearchPick>();
  pick.placeholder = 'Search models, sources, columns and descriptions';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  const update = (text: string): void => {
    if (text.trim() === '') {
      pick.items = [];
      return;
    }
    const items: SearchPick[] = [];
    const several = catalogs.size > 1;
    for (const { catalog, name: folder } of catalogs.list()) {
      const detail = (line: string): string => (several ? `${folder} · ${line}` : line);
      for (const hit of catalog.store.search(text, { limit: 50 })) {
        const entity = catalog.store.getEntity(hit.id);
        items.push({
          label: `$(${kindIcon(hit.kind)}) ${hit.name}`,
          description: `${hit.kind} · ${hit.project}`,
          detail: detail(entity?.description.split('\n')[0] ?? hit.path),
          catalog,
          entityId: hit.id,
        });
        // Columns whose name matches are listed under their entity, so a column is one pick away.
        const needle = text.trim().toLowerCase();
        for (const column of catalog.store.columnsOf(hit.id)) {
          if (!column.name.toLowerCase().includes(needle)) continue;
          items.push({ label: `$(symbol-field) ${hit.name}.${column.name}`, description: `column · ${column.type ?? ''}`, detail: detail(column.description), catalog, entityId: hit.id, column: column.name });
        }
      }
    }
    pick.items = items;
  };
  pick.onDidChangeValue(update);
  pick.onDidAccept(() => {
    const chosen = pick.selectedItems[0];
    pick.hide();
    if (chosen?.column !== undefined) void openColumn(chosen.catalog, chosen.entityId, chosen.column);
    else if (chosen) void openEntity(chosen.catalog, chosen.entityId);
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}
