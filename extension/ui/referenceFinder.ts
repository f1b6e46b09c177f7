import type { Entity } from '../../core/model/entities';
import type { CatalogStore } from '../catalog/catalogStore';
import { referencesInLine, type SqlReference } from './sqlReferences';
import { yamlEntries, type YamlEntry } from './yamlReferences';

/**
 * Find All References and the reference CodeLens, without `vscode`: which files to read comes from
 * the catalog (the downstream edges of a model or source, the downstream column lineage of a
 * column, the YAML files it lists), and the exact sites from those files' text (the editor's
 * buffer when open), so a model that refs another twice shows both calls.
 */

/** A place in a workspace file, 0-based, end exclusive, on one line. */
export interface RefSite {
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

/** Uses (ref/source calls, downstream column uses) and declarations (YAML entries) of a target. */
export interface References {
  uses: RefSite[];
  declarations: RefSite[];
}

/** What the finder reads: the catalog and file text by workspace-relative path. */
export interface ReferenceSources {
  store: CatalogStore;
  /** Text of a workspace-relative file (open editor text first), undefined when unreadable. */
  readText(relativePath: string): string | undefined;
}

/** Memoizes file text and parsed YAML entries for one request (a CodeLens pass reads many). */
export class ReferenceFinder {
  private readonly texts = new Map<string, string | undefined>();
  private readonly yaml = new Map<string, YamlEntry[]>();
  private yamlFileList: string[] | undefined;

  constructor(private readonly sources: ReferenceSources) {}

  /** References of a model, seed, snapshot or source (other kinds have none). */
  entityReferences(entityId: string): References {
    const entity = this.sources.store.getEntity(entityId);
    if (!entity) return { uses: [], declarations: [] };
    const uses: RefSite[] = [];
    const downstream = this.sources.store.modelLineage(entityId, { direction: 'downstream', maxDepth: 1 }).nodes.filter((n) => n.depth === 1);
    const files = [...new Set(downstream.map((n) => n.entity?.path).filter((p): p is string => p !== undefined))].sort();
    for (const file of files) {
      const lines = this.text(file)?.split('\n') ?? [];
      lines.forEach((line, index) => {
        for (const ref of referencesInLine(line)) if (refersTo(ref, entity)) uses.push({ file, line: index, column: ref.start, endColumn: ref.end });
      });
    }
    const kind = entity.kind === 'source' ? 'source' : entity.kind;
    const declarations = this.yamlDeclarations((e) => e.kind === kind && e.name === entity.name);
    return { uses, declarations };
  }

  /**
   * References of a column: the downstream models' files where its name is used (one site per
   * word, outside `--` comments) and its YAML declarations. Indirect uses (joins, filters) count.
   */
  columnReferences(columnId: string): References {
    const store = this.sources.store;
    const hash = columnId.indexOf('#');
    const entity = store.getEntity(columnId.slice(0, hash));
    const column = store.columnsOf(columnId.slice(0, hash)).find((c) => c.id === columnId);
    if (!entity || !column) return { uses: [], declarations: [] };
    const downstream = store.columnLineage(columnId, { direction: 'downstream', maxDepth: 1, includeIndirect: true }).nodes.filter((n) => n.depth === 1);
    const files = [...new Set(downstream.map((n) => n.entity?.path).filter((p): p is string => p !== undefined))].sort();
    const word = new RegExp(`(?<![\\w$."'])${escape(column.name)}(?![\\w$"'])`, 'gi');
    const uses: RefSite[] = [];
    for (const file of files) {
      (this.text(file)?.split('\n') ?? []).forEach((line, index) => {
        const code = line.replace(/--.*$/, (c) => ' '.repeat(c.length));
        word.lastIndex = 0;
        for (let m = word.exec(code); m; m = word.exec(code)) uses.push({ file, line: index, column: m.index, endColumn: m.index + m[0].length });
      });
    }
    const ownerKind = entity.kind === 'source' ? 'source' : entity.kind;
    const declarations = this.yamlDeclarations((e) => e.kind === 'column' && e.owner?.kind === ownerKind && e.owner.name === entity.name && e.name.toLowerCase() === column.name.toLowerCase());
    return { uses, declarations };
  }

  /** The parsed declarations of a YAML file (cached). */
  entriesOf(file: string): YamlEntry[] {
    let entries = this.yaml.get(file);
    if (!entries) {
      const text = this.text(file);
      entries = text === undefined ? [] : yamlEntries(text);
      this.yaml.set(file, entries);
    }
    return entries;
  }

  private yamlDeclarations(match: (e: YamlEntry) => boolean): RefSite[] {
    this.yamlFileList ??= this.sources.store.listFiles().map((f) => f.path).filter((p) => /\.ya?ml$/i.test(p)).sort();
    const out: RefSite[] = [];
    for (const file of this.yamlFileList) {
      for (const e of this.entriesOf(file)) if (match(e)) out.push({ file, line: e.line, column: e.column, endColumn: e.endColumn });
    }
    return out;
  }

  private text(file: string): string | undefined {
    if (!this.texts.has(file)) this.texts.set(file, this.sources.readText(file));
    return this.texts.get(file);
  }
}

/** Whether a call written in SQL or YAML names `entity` (a ref by name, package and version). */
export function refersTo(ref: SqlReference, entity: Entity): boolean {
  if (entity.kind === 'source') return ref.kind === 'source' && `${ref.source}.${ref.name}` === entity.name;
  if (ref.kind !== 'ref' || ref.name !== entity.name) return false;
  if (ref.package !== undefined && ref.package !== entity.project) return false;
  if (entity.version === undefined) return true;
  // An unversioned ref means the latest version (dbt's rule).
  return ref.version === undefined ? entity.version === (entity.latestVersion ?? entity.version) : ref.version === entity.version;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
