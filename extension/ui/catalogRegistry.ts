import { deepestRoot, ownerOf } from './folderPick';
import type { WorkspaceCatalog } from './workspaceCatalog';

/** One workspace folder's catalog and the folder's display name. */
export interface FolderCatalog {
  /** The workspace folder's name (shown in the tree and the search when there are several). */
  readonly name: string;
  readonly catalog: WorkspaceCatalog;
}

/**
 * The catalogs of the workspace, one per folder with SQL or a dbt project (multi-root workspaces).
 * Views and commands ask it for the catalog of a file, a folder or an entity instead of holding
 * one catalog; the composition root adds and removes entries as folders come and go.
 */
export class CatalogRegistry {
  private entries: FolderCatalog[] = [];

  /** Every folder catalog, in workspace folder order. */
  list(): readonly FolderCatalog[] {
    return this.entries;
  }

  /** Every catalog, in workspace folder order. */
  all(): WorkspaceCatalog[] {
    return this.entries.map((e) => e.catalog);
  }

  get size(): number {
    return this.entries.length;
  }

  /** True while `catalog` is one of the workspace's (false once its folder was removed). */
  has(catalog: WorkspaceCatalog): boolean {
    return this.entries.some((e) => e.catalog === catalog);
  }

  /** Adds a folder's catalog, keeping `order` (workspace folder roots in their order). */
  add(entry: FolderCatalog, order: readonly string[]): void {
    this.entries = [...this.entries.filter((e) => e.catalog.root !== entry.catalog.root), entry];
    const rank = (root: string): number => {
      const i = order.indexOf(root);
      return i < 0 ? order.length : i;
    };
    this.entries.sort((a, b) => rank(a.catalog.root) - rank(b.catalog.root));
  }

  /** Removes and returns the catalog of `root`, if any (the caller disposes it). */
  remove(root: string): WorkspaceCatalog | undefined {
    const found = this.entries.find((e) => e.catalog.root === root);
    this.entries = this.entries.filter((e) => e !== found);
    return found?.catalog;
  }

  /** The catalog of the folder at `root`. */
  byRoot(root: string): WorkspaceCatalog | undefined {
    return this.entries.find((e) => e.catalog.root === root)?.catalog;
  }

  /** The catalog of the folder that owns an absolute path (the deepest one for nested folders). */
  forPath(absolute: string): WorkspaceCatalog | undefined {
    const root = deepestRoot(this.entries.map((e) => e.catalog.root), absolute);
    return root === undefined ? undefined : this.byRoot(root);
  }

  /** The catalog that holds `entityId`, preferring `preferred` when it holds it too. */
  forEntity(entityId: string, preferred?: WorkspaceCatalog): WorkspaceCatalog | undefined {
    return ownerOf(this.all(), entityId, preferred);
  }

  /** The folder name of a catalog. */
  nameOf(catalog: WorkspaceCatalog): string {
    return this.entries.find((e) => e.catalog === catalog)?.name ?? catalog.root;
  }
}
