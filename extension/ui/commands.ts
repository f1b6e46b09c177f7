import * as vscode from 'vscode';
import { entityIdOf, type CatalogTreeProvider } from './catalogTree';
import { kindIcon } from './kindIcons';
import type { WorkspaceCatalog } from './workspaceCatalog';

/** What the catalog commands need from the composition root. */
export interface CommandContext {
  catalog(): WorkspaceCatalog | undefined;
  tree: CatalogTreeProvider;
  rescan(): Promise<void>;
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
    (arg: unknown): unknown => {
      const catalog = ctx.catalog();
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
    vscode.commands.registerCommand(
      'mallard.searchCatalog',
      withCatalog((catalog) => searchCatalog(catalog)),
    ),
  ];
}

interface SearchPick extends vscode.QuickPickItem {
  entityId: string;
  column?: string;
}

/** Search Catalog: a quick pick over the full-text index, with kind icons, updated as the user types. */
async function searchCatalog(catalog: WorkspaceCatalog): Promise<void> {
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
    for (const hit of catalog.store.search(text, { limit: 50 })) {
      const entity = catalog.store.getEntity(hit.id);
      items.push({
        label: `$(${kindIcon(hit.kind)}) ${hit.name}`,
        description: `${hit.kind} · ${hit.project}`,
        detail: entity?.description.split('\n')[0] ?? hit.path,
        entityId: hit.id,
      });
      // Columns whose name matches are listed under their entity, so a column is one pick away.
      const needle = text.trim().toLowerCase();
      for (const column of catalog.store.columnsOf(hit.id)) {
        if (!column.name.toLowerCase().includes(needle)) continue;
        items.push({ label: `$(symbol-field) ${hit.name}.${column.name}`, description: `column · ${column.type ?? ''}`, detail: column.description, entityId: hit.id, column: column.name });
      }
    }
    pick.items = items;
  };
  pick.onDidChangeValue(update);
  pick.onDidAccept(() => {
    const chosen = pick.selectedItems[0];
    pick.hide();
    if (chosen) void openEntity(catalog, chosen.entityId);
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}
