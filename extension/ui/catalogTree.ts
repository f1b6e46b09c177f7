import * as vscode from 'vscode';
import type { EntityKind } from '../../core/model/entities';
import type { Score } from '../../core/governance/quality';
import { qualityBadge, qualityTooltip } from '../../core/governance/qualityView';
import type { EntitySummary } from '../catalog/catalogTypes';
import { entityDescription, entityLabel, entityTooltip } from './entityLabels';
import { kindIcon } from './kindIcons';
import type { CatalogRegistry } from './catalogRegistry';
import type { WorkspaceCatalog } from './workspaceCatalog';
import { groupEntities, levelAt, parseGroupBy, type GroupBy, type Groupable, type GroupLevel } from './treeGrouping';

/** An entity row of the tree; `org` marks one only the org catalog has (extracted in the cloud, pulled through sync). */
type ListedEntity = EntitySummary & { org?: true };

/** A tree entity with what grouping needs. */
type TreeEntity = ListedEntity & Groupable;

/** A row of the catalog tree; `root` is the workspace folder whose catalog the row comes from. */
export type CatalogNode =
  | { type: 'folder'; root: string; name: string }
  /** `org`: every entity of the project comes from the org catalog (none is in the workspace). */
  | { type: 'project'; root: string; project: string; org?: true }
  | { type: 'group'; root: string; project: string; kind: EntityKind }
  /** A folder, tag or materialization under a kind group (`mallard.tree.groupBy`); `keys` lead to it from the kind. */
  | { type: 'bucket'; root: string; project: string; kind: EntityKind; keys: string[]; label: string; count: number; by: GroupBy }
  | { type: 'entity'; root: string; entity: ListedEntity }
  | { type: 'column'; root: string; entityId: string; name: string; dataType?: string; description: string; tags: string[] };

/** Groups under a project, in the order dbt users think of them. */
const GROUPS: readonly { kind: EntityKind; label: string }[] = [
  { kind: 'source', label: 'Sources' },
  { kind: 'model', label: 'Models' },
  { kind: 'seed', label: 'Seeds' },
  { kind: 'snapshot', label: 'Snapshots' },
  { kind: 'exposure', label: 'Exposures' },
  { kind: 'analysis', label: 'Analyses' },
  { kind: 'table', label: 'Tables' },
  { kind: 'view', label: 'Views' },
];

/** Most rows a group lists; larger groups end with a hint to use the filter or search. */
const GROUP_LIMIT = 5000;

/**
 * The Catalog tree: projects → kinds → folders (or tags, or materializations: `mallard.tree.groupBy`)
 * → entities → columns, read lazily from the store. With several workspace folders catalogued, one
 * folder row each sits above its projects. A text filter narrows entities by name; the tree
 * refreshes when a catalog or the setting changes.
 */
export class CatalogTreeProvider implements vscode.TreeDataProvider<CatalogNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<CatalogNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private filterText = '';
  /** Grouped entities per folder root, project and kind; dropped on every refresh. */
  private readonly grouped = new Map<string, GroupLevel<TreeEntity>>();
  private readonly settings: vscode.Disposable;

  constructor(
    private readonly catalogs: CatalogRegistry,
    /** The docs quality score of an entity, when computed (`qualityService.ts`); shown as a badge. */
    private readonly quality?: (root: string, entityId: string) => Score | undefined,
  ) {
    this.settings = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mallard.tree.groupBy')) this.refresh();
    });
  }

  refresh(): void {
    this.grouped.clear();
    this.emitter.fire(undefined);
  }

  /** How entities are grouped under each kind, from the setting. */
  get groupBy(): GroupBy {
    return parseGroupBy(vscode.workspace.getConfiguration('mallard').get('tree.groupBy'));
  }

  /** Sets the name filter (case-insensitive substring); empty clears it. */
  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    void vscode.commands.executeCommand('setContext', 'mallard.treeFiltered', this.filterText !== '');
    this.refresh();
  }

  get filter(): string {
    return this.filterText;
  }

  getChildren(node?: CatalogNode): CatalogNode[] {
    if (!node) {
      const list = this.catalogs.list();
      if (list.length > 1) return list.map((f) => ({ type: 'folder', root: f.catalog.root, name: f.name }));
      const only = list[0];
      return only ? this.projects(only.catalog) : [];
    }
    const catalog = this.catalogs.byRoot(node.root);
    if (!catalog) return [];
    if (node.type === 'folder') return this.projects(catalog);
    if (node.type === 'project') {
      return GROUPS.filter((g) => this.entities(catalog, node.project, g.kind, 1).length > 0).map((g) => ({ type: 'group', root: node.root, project: node.project, kind: g.kind }));
    }
    if (node.type === 'group' || node.type === 'bucket') {
      const by = node.type === 'bucket' ? node.by : this.groupBy;
      const level = levelAt(this.grouping(catalog, node.project, node.kind, by), node.type === 'bucket' ? node.keys : []);
      if (!level) return [];
      const keys = node.type === 'bucket' ? node.keys : [];
      return [
        ...level.groups.map((g): CatalogNode => ({ type: 'bucket', root: node.root, project: node.project, kind: node.kind, keys: [...keys, g.key], label: g.label, count: g.count, by })),
        ...level.entities.map((entity): CatalogNode => ({ type: 'entity', root: node.root, entity })),
      ];
    }
    if (node.type === 'entity') {
      return catalog.store.columnsOf(node.entity.id).map((c) => ({ type: 'column', root: node.root, entityId: c.entityId, name: c.name, dataType: c.type, description: c.description, tags: c.tags }));
    }
    return [];
  }

  private projects(catalog: WorkspaceCatalog): CatalogNode[] {
    const store = catalog.store;
    const projects = new Set(store.listEntities({ kind: 'project', limit: 1000 }).items.map((p) => p.project));
    if (projects.size === 0) for (const e of store.listEntities({ limit: 1000 }).items) projects.add(e.project);
    // Projects the org catalog has entities of that this workspace lacks (extracted in the cloud, pulled through sync).
    const orgOnly = store.orgOnlyProjects().filter((p) => !projects.has(p) && store.listEntities({ project: p, limit: 1 }).total === 0);
    return [
      ...[...projects].sort().map((project): CatalogNode => ({ type: 'project', root: catalog.root, project })),
      ...orgOnly.map((project): CatalogNode => ({ type: 'project', root: catalog.root, project, org: true })),
    ];
  }

  /** The entities of one kind, grouped (cached until the next refresh). */
  private grouping(catalog: WorkspaceCatalog, project: string, kind: EntityKind, by: GroupBy): GroupLevel<TreeEntity> {
    const key = `${catalog.root}|${project}|${kind}|${by}`;
    const cached = this.grouped.get(key);
    if (cached) return cached;
    const entities = this.entities(catalog, project, kind, GROUP_LIMIT).map((e): TreeEntity => {
      // Folders need only the path; tags and materializations need the full entity.
      if (by !== 'tag' && by !== 'materialization') return { ...e, tags: [] };
      const full = catalog.store.getEntity(e.id);
      return { ...e, tags: full?.tags ?? [], ...(full?.materialized ? { materialized: full.materialized } : {}) };
    });
    const level = groupEntities(entities, by);
    this.grouped.set(key, level);
    return level;
  }

  /** The workspace's entities of one kind, then the org catalog's that the workspace lacks, each by name. */
  private entities(catalog: WorkspaceCatalog, project: string, kind: EntityKind, limit: number): ListedEntity[] {
    const store = catalog.store;
    const scan = this.filterText ? 10_000 : limit;
    const local: ListedEntity[] = store.listEntities({ project, kind, limit: scan }).items;
    const org = local.length >= scan ? [] : store.listOrgOnlyEntities({ project, kind, limit: scan - local.length }).map((e): ListedEntity => ({ ...e, org: true }));
    const all = [...local, ...org];
    // Filtering needs every name of the group; groups are small enough to scan in memory.
    return this.filterText ? all.filter((e) => e.name.toLowerCase().includes(this.filterText)).slice(0, limit) : all.slice(0, limit);
  }

  /** Tree item ids are unique per folder: two folders may hold copies of one project. */
  private idOf(root: string, id: string): string {
    return this.catalogs.size > 1 ? `${root}|${id}` : id;
  }

  getTreeItem(node: CatalogNode): vscode.TreeItem {
    switch (node.type) {
      case 'folder': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `folder:${node.root}`;
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.tooltip = node.root;
        item.contextValue = 'mallard.folder';
        return item;
      }
      case 'project': {
        const item = new vscode.TreeItem(node.project, vscode.TreeItemCollapsibleState.Expanded);
        item.id = this.idOf(node.root, `project:${node.project}`);
        item.iconPath = new vscode.ThemeIcon(node.org ? 'cloud' : 'project');
        if (node.org) {
          item.description = 'org';
          item.tooltip = 'Extracted by the organization (a cloud connector) and synced; not in this workspace.';
        }
        item.contextValue = node.org ? 'mallard.orgProject' : 'mallard.project';
        return item;
      }
      case 'group': {
        const label = GROUPS.find((g) => g.kind === node.kind)?.label ?? node.kind;
        // Models open by default: they are what users look for first; other groups stay compact.
        const state = node.kind === 'model' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
        const item = new vscode.TreeItem(label, state);
        item.id = this.idOf(node.root, `group:${node.project}:${node.kind}`);
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = 'mallard.group';
        return item;
      }
      case 'bucket': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = this.idOf(node.root, `bucket:${node.project}:${node.kind}:${node.by}:${node.keys.join('>')}`);
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon(node.by === 'folder' ? 'folder' : node.by === 'tag' ? 'tag' : 'layers');
        item.tooltip = `${node.by === 'folder' ? node.keys[node.keys.length - 1] : node.label}: ${node.count}`;
        item.contextValue = 'mallard.bucket';
        return item;
      }
      case 'entity':
        return this.entityItem(node.root, node.entity);
      case 'column': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = this.idOf(node.root, `${node.entityId}#${node.name.toLowerCase()}`);
        item.description = [node.dataType, ...node.tags.map((t) => `#${t}`)].filter(Boolean).join(' ');
        item.tooltip = node.description ? new vscode.MarkdownString(node.description) : undefined;
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        item.contextValue = 'mallard.column';
        return item;
      }
    }
  }

  private entityItem(root: string, entity: ListedEntity): vscode.TreeItem {
    const full = this.catalogs.byRoot(root)?.store.getEntity(entity.id);
    const item = new vscode.TreeItem(entityLabel(entity.name, full), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.idOf(root, entity.id);
    if (entity.org) {
      // Only the org catalog has it: no file in this workspace to open; details come from the synced row.
      item.description = ['org', entityDescription(full)].filter(Boolean).join(' · ');
      item.tooltip = new vscode.MarkdownString(`${entityTooltip(entity, full)}\n\n*From the org catalog (extracted in the cloud, synced).*`);
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.contextValue = 'mallard.orgEntity';
      return item;
    }
    const score = this.quality?.(root, entity.id);
    item.description = [score ? qualityBadge(score.score) : '', entityDescription(full)].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString([entityTooltip(entity, full), score ? qualityTooltip(score) : ''].filter(Boolean).join('\n\n'));
    // A disabled node keeps its kind icon, greyed, next to the "disabled" description.
    item.iconPath = full?.disabled ? new vscode.ThemeIcon(kindIcon(entity.kind), new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon(kindIcon(entity.kind));
    item.contextValue = 'mallard.entity';
    item.command = { command: 'mallard.openEntity', title: 'Open File', arguments: [entity.id, root] };
    return item;
  }

  dispose(): void {
    this.settings.dispose();
    this.emitter.dispose();
  }
}

/** The workspace folder a tree node comes from (for context-menu commands), if it is one. */
export function rootOf(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const root = (node as { root?: unknown }).root;
  return typeof root === 'string' ? root : undefined;
}

/** The entity id behind a tree node (for context-menu commands), if any. */
export function entityIdOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as Partial<CatalogNode> & { entity?: EntitySummary; entityId?: string };
  return n.type === 'entity' ? n.entity?.id : n.type === 'column' ? n.entityId : undefined;
}
