import * as vscode from 'vscode';
import type { Entity } from '../../core/model/entities';
import { contentHash } from '../../core/yaml/contentHash';
import { readEntry, type EntryInfo } from '../../core/yaml/schemaLocate';
import { conventionalSchemaPath, type DescriptionTarget } from '../../core/yaml/schemaTarget';
import { DOCS_PROTOCOL_VERSION, parseDocsWebviewMessage, type DocsHostMessage, type DocsWebviewMessage, type SaveDescription, type SaveResult } from '../../webviews/docs/protocol';
import type { CatalogRegistry } from './catalogRegistry';
import { commandCatalog, openEntity, targetEntity } from './commands';
import { parseDbtColumnTypes, type DbtColumnTypes } from './dbtColumnTypes';
import { DocsDrafter } from './docsDraft';
import type { DocHistoryHost } from './docHistory';
import { DocsVerifier } from './docsVerify';
import { DocsSaver, type DocsWorkspace } from './docsEdit';
import { buildDocEntity } from './docsModel';
import { docQuality } from './qualityIndex';
import type { Logger } from './logger';
import { WebviewPanelHost } from './webviewHost';
import type { WorkspaceCatalog } from './workspaceCatalog';

const EXCLUDED = '**/{node_modules,target,dbt_packages,.mallard,.git}/**';

/** The properties-file entry of an entity: where it is (or would go) and the hash when it was read. */
interface Located {
  target: DescriptionTarget;
  /** Workspace-relative path of the properties file (existing or to be created). */
  file: string;
  /** Content hash when read; undefined when the file does not exist yet. */
  hash?: string;
  entry?: EntryInfo;
}

/** The YAML target of an entity, or undefined for kinds whose docs do not live in properties files. */
export function descriptionTarget(entity: Entity): DescriptionTarget | undefined {
  if (entity.kind === 'source') {
    const [source = '', table = ''] = entity.name.split('.');
    return { resource: 'sources', source, table };
  }
  const resource = ({ model: 'models', seed: 'seeds', snapshot: 'snapshots', exposure: 'exposures', macro: 'macros' } as const)[entity.kind as 'model'];
  return resource ? { resource, name: entity.name } : undefined;
}

/**
 * Hosts the docs panel: shows one entity; a description edit is recorded in the catalog (and its
 * sync outbox) and then written surgically into YAML (`docsEdit.ts`). The panel keeps the catalog of
 * the entity it shows (multi-root workspaces have one per folder).
 */
export class DocsPanels implements vscode.Disposable {
  private panel: WebviewPanelHost<DocsWebviewMessage, DocsHostMessage> | undefined;
  /** The catalog `entityId` comes from. */
  private catalog: WorkspaceCatalog | undefined;
  private entityId: string | undefined;
  private located: Located | undefined;
  /** Saves one at a time and remembers what this panel wrote, so its own writes never count as external edits. */
  private readonly saver = new DocsSaver();
  /** Types read from dbt's artifacts, keyed by the files' paths and modification times. */
  private typesCache: { key: string; types: DbtColumnTypes } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** AI drafts with the user's own provider (undefined without secret storage, as in tests). */
  private readonly drafter: DocsDrafter | undefined;
  private readonly verifier: DocsVerifier | undefined;
  /** Doc versions in the cloud (history, approvals), once team sync exists (`attachHistory`). */
  private history: DocHistoryHost | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly catalogs: CatalogRegistry,
    private readonly logger: Logger,
    secrets?: vscode.SecretStorage,
  ) {
    this.drafter = secrets ? new DocsDrafter(secrets, logger) : undefined;
    this.verifier = secrets ? new DocsVerifier(secrets, logger) : undefined;
  }

  registerCommands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mallard.ai.draftDocs', (arg: unknown, root?: unknown) => {
        const catalog = commandCatalog(this.catalogs, arg, root);
        const id = catalog && targetEntity(catalog, arg);
        if (!catalog || !id) {
          void vscode.window.showInformationMessage('Mallard: open a model or pick one in the Catalog view to draft its docs.');
          return;
        }
        // The draft is reviewed in the docs panel: open it there, then draft.
        this.show(catalog, id);
        if (this.drafter) void this.drafter.draft(catalog, id, 'missing', (m) => this.post(m));
      }),
      vscode.commands.registerCommand('mallard.openDocs', (arg: unknown, root?: unknown) => {
        const catalog = commandCatalog(this.catalogs, arg, root);
        const id = catalog && targetEntity(catalog, arg);
        if (catalog && id) this.show(catalog, id);
        else void vscode.window.showInformationMessage('Mallard: open a model or pick one in the Catalog view to see its docs.');
      }),
    ];
  }

  /** Shows `entityId` of `catalog` in the docs panel (opening it beside the editor if needed). */
  show(catalog: WorkspaceCatalog, entityId: string): void {
    this.catalog = catalog;
    this.entityId = entityId;
    if (!this.panel) {
      const spec = { viewType: 'mallard.docs', app: 'docs', title: 'Mallard Docs', protocolVersion: DOCS_PROTOCOL_VERSION, parse: parseDocsWebviewMessage };
      const handlers = { onReady: () => this.send(), onMessage: (m: DocsWebviewMessage) => this.receive(m), onDispose: () => (this.panel = undefined) };
      this.panel = new WebviewPanelHost<DocsWebviewMessage, DocsHostMessage>(this.extensionUri, { ...spec, ...handlers }, this.logger);
    } else {
      this.panel.reveal();
      void this.send();
    }
  }

  /** Answers the panel's history and approval requests through team sync's session. */
  attachHistory(history: DocHistoryHost): void {
    this.history = history;
  }

  catalogChanged(): void {
    if (this.panel?.ready) void this.send();
  }

  private post(message: DocsHostMessage): void {
    this.panel?.post(message);
  }

  /** The catalog of the shown entity, unless its folder left the workspace. */
  private currentCatalog(): WorkspaceCatalog | undefined {
    return this.catalog && this.catalogs.has(this.catalog) ? this.catalog : undefined;
  }

  private async send(): Promise<void> {
    const catalog = this.currentCatalog();
    const entity = catalog && this.entityId ? catalog.store.getEntity(this.entityId) : undefined;
    if (!catalog || !entity) {
      this.post({ type: 'notify', event: 'message', level: 'error', text: 'This entity is no longer in the catalog.' });
      return;
    }
    this.located = await this.locate(catalog, entity);
    const doc = { ...buildDocEntity(catalog.store, entity, { entry: this.located?.entry, editable: this.located !== undefined, dbtTypes: await this.dbtTypes(catalog, entity) }), ...docQuality(catalog.store, entity) };
    this.panel && (this.panel.title = `Docs: ${entity.name}`);
    this.post({ type: 'notify', event: 'entity', entity: doc });
  }

  /**
   * Column types from the dbt project's `target/catalog.json` and `target/manifest.json`, when they
   * exist; parsed again only when a file's modification time changes (a manifest can be large).
   */
  private async dbtTypes(catalog: WorkspaceCatalog, entity: Entity): Promise<DbtColumnTypes | undefined> {
    const project = catalog.store.getEntity(`project.${entity.project}`);
    const dir = project ? project.path.slice(0, project.path.lastIndexOf('/') + 1) : '';
    const files = { manifest: vscode.Uri.file(`${catalog.root}/${dir}target/manifest.json`), catalog: vscode.Uri.file(`${catalog.root}/${dir}target/catalog.json`) };
    const stamp = async (uri: vscode.Uri): Promise<string> => vscode.workspace.fs.stat(uri).then((s) => `${s.mtime}:${s.size}`, () => '');
    const stamps = `${await stamp(files.manifest)}|${await stamp(files.catalog)}`;
    if (stamps === '|') return undefined;
    const key = `${catalog.root}/${dir}|${stamps}`;
    if (this.typesCache?.key === key) return this.typesCache.types;
    const read = async (uri: vscode.Uri): Promise<string | undefined> => vscode.workspace.fs.readFile(uri).then((b) => new TextDecoder().decode(b), () => undefined);
    this.typesCache = { key, types: parseDbtColumnTypes({ manifest: await read(files.manifest), catalog: await read(files.catalog) }) };
    return this.typesCache.types;
  }

  /** Finds the properties file that documents `entity`, or where a new one would go. */
  private async locate(catalog: WorkspaceCatalog, entity: Entity): Promise<Located | undefined> {
    const target = descriptionTarget(entity);
    if (!target) return undefined;
    const needle = target.resource === 'sources' ? target.source : target.name;
    const files = await vscode.workspace.findFiles(new vscode.RelativePattern(catalog.root, '**/*.{yml,yaml}'), EXCLUDED, 5000);
    const folder = entity.path.slice(0, entity.path.lastIndexOf('/') + 1);
    let sameFolder: { file: string; text: string } | undefined;
    for (const uri of files) {
      const rel = catalog.relative(uri.fsPath);
      if (!rel || rel.endsWith('dbt_project.yml')) continue;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (text.includes(needle)) {
        const entry = readEntry(text, target);
        if (entry) return { target, file: rel, hash: contentHash(text), entry };
      }
      if (!sameFolder && rel.startsWith(folder) && !rel.slice(folder.length).includes('/') && new RegExp(`^${target.resource}:`, 'm').test(text)) sameFolder = { file: rel, text };
    }
    if (sameFolder) return { target, file: sameFolder.file, hash: contentHash(sameFolder.text) };
    return { target, file: conventionalSchemaPath(entity.path, target.resource) };
  }

  /** A validated message from the webview; the host has already answered the handshake. */
  private async receive(message: DocsWebviewMessage): Promise<void> {
    if (message.type === 'ready') return;
    const catalog = this.currentCatalog();
    if (message.type === 'request' && message.method === 'docVersions') {
      const history = this.history;
      await this.panel?.respond(message, () => (history ? history.answer(message.params) : { state: 'unavailable', message: 'Team sync is not available in this window.' }));
    } else if (message.type === 'request') {
      await this.panel?.respond(message, () => this.save(message).catch((err: unknown): SaveResult => ({ saved: false, reason: 'io-error', message: err instanceof Error ? err.message : String(err) })));
    } else if (catalog && message.command === 'openFile') {
      await vscode.window.showTextDocument(vscode.Uri.file(`${catalog.root}/${message.path}`), { selection: new vscode.Range(Math.max(0, message.line - 1), 0, Math.max(0, message.line - 1), 0) });
    } else if (catalog && message.command === 'showLineage') {
      await vscode.commands.executeCommand(
        message.column ? 'mallard.showColumnLineage' : 'mallard.showLineage',
        message.column ? { type: 'column', root: catalog.root, entityId: message.entityId, name: message.column } : message.entityId,
        catalog.root,
      );
    } else if (catalog && message.command === 'openDocs') {
      this.show(catalog, message.entityId);
    } else if (catalog && message.command === 'verifyDocs') {
      if (this.verifier) await this.verifier.verify(catalog, message.entityId, (m) => this.post(m));
    } else if (message.command === 'cancelDraft') {
      this.drafter?.cancel();
    } else if (catalog && message.command === 'draftDocs') {
      if (!this.drafter) return;
      await this.drafter.draft(catalog, message.entityId, message.scope, (m) => this.post(m));
    } else if (catalog) {
      await openEntity(catalog, this.entityId ?? '');
    }
  }

  /**
   * Saves through `docsEdit.ts`: checks, then the edit through the one mutation API (the catalog
   * worker records it with its outbox op, so it syncs), then the file; then a rescan of the file.
   */
  private async save(request: SaveDescription): Promise<SaveResult> {
    const catalog = this.currentCatalog();
    const located = this.located;
    if (!catalog || !located || request.params.entityId !== this.entityId) return { saved: false, reason: 'not-editable', message: 'This entity has no properties file to write to.' };
    const result = await this.saver.save(this.workspaceOf(catalog), (target, patch) => catalog.mutate(target, patch), located, request.params);
    if (result.saved) {
      this.logger.info(`Docs: wrote ${result.file}`);
      // Rescan right away so every view shows the file's new description without waiting for the watcher.
      await catalog.update([result.file]).catch((err: unknown) => this.logger.error(err instanceof Error ? err : String(err)));
    }
    return result;
  }

  /**
   * Saves an accepted AI description of any entity of `catalog` (the review queue's Accept) through
   * the same path as an edit in this panel: checks, the mutation API, the surgical YAML edit, and a
   * rescan of the file. It shares the panel's saver, so the two never write one file at once.
   */
  async saveAccepted(catalog: WorkspaceCatalog, entityId: string, column: string | undefined, description: string): Promise<SaveResult> {
    const entity = catalog.store.getEntity(entityId);
    const located = entity && (await this.locate(catalog, entity));
    if (!located) return { saved: false, reason: 'not-editable', message: 'This entity has no properties file to write to.' };
    const result = await this.saver.save(this.workspaceOf(catalog), (target, patch) => catalog.mutate(target, patch), located, { entityId, ...(column !== undefined ? { column } : {}), description });
    if (result.saved) {
      this.logger.info(`Docs: wrote ${result.file} (accepted from the AI review queue)`);
      await catalog.update([result.file]).catch((err: unknown) => this.logger.error(err instanceof Error ? err : String(err)));
    }
    return result;
  }

  /** The workspace files of a catalog, for `saveDescription`. */
  private workspaceOf(catalog: WorkspaceCatalog): DocsWorkspace {
    const uriOf = (file: string): vscode.Uri => vscode.Uri.file(`${catalog.root}/${file}`);
    return {
      read: async (file) => {
        const uri = uriOf(file);
        const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
        return exists ? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) : undefined;
      },
      write: async (file, text) => {
        await vscode.workspace.fs.writeFile(uriOf(file), new TextEncoder().encode(text));
      },
      isDirty: (file) => vscode.workspace.textDocuments.some((d) => d.uri.fsPath === uriOf(file).fsPath && d.isDirty),
      markdownFiles: async () => {
        const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(catalog.root, '**/*.md'), EXCLUDED, 5000);
        return uris.map((u) => catalog.relative(u.fsPath)).filter((f): f is string => f !== undefined);
      },
    };
  }

  dispose(): void {
    this.panel?.dispose();
    this.verifier?.dispose();
  }
}
