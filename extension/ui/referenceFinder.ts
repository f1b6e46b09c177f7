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

/** What references are asked for: an entity or one of its columns. */
export type ReferenceTarget = { kind: 'entity'; entityId: string } | { kind: 'column'; columnId: string };

/** A "N references" lens: where it sits in its file and what it counts. */
export interface ReferenceLens {
  line: number;
  column: number;
  endColumn: number;
  target: ReferenceTarget;
  references: References;
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
   * References of a column: in the files of the models its downstream column lineage reaches
   * (indirect uses such as joins and filters too), each use of its name outside `--` comments,
   * either unqualified or qualified by a name the upstream is bound to there (`orders.order_id`
   * after `{{ ref('orders') }} as orders`, not `deliveries.order_id`); and its YAML declarations.
   */
  columnReferences(columnId: string): References {
    const store = this.sources.store;
    const hash = columnId.indexOf('#');
    const entity = store.getEntity(columnId.slice(0, hash));
    const column = store.columnsOf(columnId.slice(0, hash)).find((c) => c.id === columnId);
    if (!entity || !column) return { uses: [], declarations: [] };
    const downstream = store.columnLineage(columnId, { direction: 'downstream', maxDepth: 1, includeIndirect: true }).nodes.filter((n) => n.depth === 1);
    const files = [...new Set(downstream.map((n) => n.entity?.path).filter((p): p is string => p !== undefined))].sort();
    const word = new RegExp(`(?<![\\w$"'])(?:([A-Za-z_][\\w$]*)\\.)?${escape(column.name)}(?![\\w$"'])`, 'gi');
    const uses: RefSite[] = [];
    for (const file of files) {
      const lines = (this.text(file) ?? '').split('\n');
      const names = boundNames(lines, entity);
      lines.forEach((line, index) => {
        const code = line.replace(/--.*$/, (c) => ' '.repeat(c.length));
        word.lastIndex = 0;
        for (let m = word.exec(code); m; m = word.exec(code)) {
          const qualifier = m[1]?.toLowerCase();
          if (qualifier !== undefined && !names.has(qualifier)) continue;
          const start = m.index + (m[1] === undefined ? 0 : m[1].length + 1);
          uses.push({ file, line: index, column: start, endColumn: start + column.name.length });
        }
      });
    }
    const ownerKind = entity.kind === 'source' ? 'source' : entity.kind;
    const declarations = this.yamlDeclarations((e) => e.kind === 'column' && e.owner?.kind === ownerKind && e.owner.name === entity.name && e.name.toLowerCase() === column.name.toLowerCase());
    return { uses, declarations };
  }

  /** The references of a target. */
  referencesOf(target: ReferenceTarget): References {
    return target.kind === 'entity' ? this.entityReferences(target.entityId) : this.columnReferences(target.columnId);
  }

  /** The entity a model/seed/snapshot/source name of `project` means (a versioned model: its latest version). */
  entityNamed(kind: Entity['kind'], name: string, project?: string): Entity | undefined {
    const store = this.sources.store;
    const full = store
      .listEntities({ kind, name, limit: 10_000 })
      .items.filter((e) => e.name === name)
      .map((e) => store.getEntity(e.id))
      .filter((e): e is Entity => e !== undefined);
    const latest = full.filter((e) => e.version === undefined || e.version === (e.latestVersion ?? e.version));
    return latest.find((e) => e.project === project) ?? latest[0] ?? full[0];
  }

  /** One version of a versioned model. */
  private versionNamed(name: string, version: string, project?: string): Entity | undefined {
    const store = this.sources.store;
    const all = store
      .listEntities({ kind: 'model', name, limit: 10_000 })
      .items.filter((e) => e.name === name)
      .map((e) => store.getEntity(e.id))
      .filter((e): e is Entity => e !== undefined && e.version === version);
    return all.find((e) => e.project === project) ?? all[0];
  }

  /** The target of a YAML declaration of `file` (a model, seed, snapshot, source table or one of their columns). */
  yamlTarget(file: string, entry: YamlEntry): ReferenceTarget | undefined {
    const owner = entry.kind === 'column' ? entry.owner : { kind: entry.kind, name: entry.name };
    if (!owner) return undefined;
    const project = this.sources.store.getFile(file)?.project;
    const version = entry.kind === 'column' ? entry.owner?.version : undefined;
    const entity = version === undefined ? this.entityNamed(owner.kind, owner.name, project) : this.versionNamed(owner.name, version, project);
    if (!entity) return undefined;
    if (entry.kind !== 'column') return { kind: 'entity', entityId: entity.id };
    const column = this.sources.store.columnsOf(entity.id).find((c) => c.name.toLowerCase() === entry.name.toLowerCase());
    return column ? { kind: 'column', columnId: column.id } : undefined;
  }

  /**
   * The reference lenses of a file: on each YAML declaration the catalog knows, and at the
   * definition line of each model and snapshot a SQL file defines.
   */
  lenses(file: string): ReferenceLens[] {
    const out: ReferenceLens[] = [];
    if (/\.ya?ml$/i.test(file)) {
      for (const entry of this.entriesOf(file)) {
        const target = this.yamlTarget(file, entry);
        if (target) out.push({ line: entry.line, column: entry.column, endColumn: entry.endColumn, target, references: this.referencesOf(target) });
      }
      return out;
    }
    for (const e of this.sources.store.listEntities({ kind: ['model', 'snapshot'], path: file, limit: 10_000 }).items) {
      const line = Math.max(0, (this.sources.store.getEntity(e.id)?.provenance.line ?? 1) - 1);
      const target: ReferenceTarget = { kind: 'entity', entityId: e.id };
      out.push({ line, column: 0, endColumn: 0, target, references: this.referencesOf(target) });
    }
    return out;
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

/** Words that follow a relation in SQL but are not its alias. */
const NOT_ALIASES = new Set(['on', 'where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'natural', 'group', 'order', 'limit', 'union', 'except', 'intersect', 'having', 'window', 'qualify', 'using', 'lateral', 'select', 'from', 'with']);

/**
 * The names a file binds `entity` to: its relation and name, and each alias written after one of
 * its `ref()`/`source()` calls (`{{ ref('orders') }} as o`, `{{ ref('orders') }} o`), lower-cased.
 */
function boundNames(lines: readonly string[], entity: Entity): Set<string> {
  const names = new Set([entity.name.split('.').at(-1) ?? entity.name, entity.relation ?? entity.name].map((n) => n.toLowerCase()));
  for (const line of lines) {
    for (const ref of referencesInLine(line)) {
      if (!refersTo(ref, entity)) continue;
      const alias = /^\s*\}\}\s*(?:as\s+)?([A-Za-z_][\w$]*)/i.exec(line.slice(ref.end))?.[1]?.toLowerCase();
      if (alias && !NOT_ALIASES.has(alias)) names.add(alias);
    }
  }
  return names;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
