import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Entity } from '../../core/model/entities';
import type { CatalogRegistry } from './catalogRegistry';
import { ReferenceFinder, type References, type RefSite } from './referenceFinder';
import { findReference } from './sqlReferences';
import type { WorkspaceCatalog } from './workspaceCatalog';
import { yamlEntryAt, type YamlEntry } from './yamlReferences';

/**
 * Find All References (a `ReferenceProvider` for SQL and dbt YAML) and the "N references"
 * CodeLens on YAML declarations, for models, seeds, snapshots, source tables and columns; the
 * finding itself is `referenceFinder.ts`. `editorFeatures.ts` adds the lens on a model's SQL file.
 */

/** dbt properties files, where models, sources and columns are declared. */
export const YAML_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', pattern: '**/*.{yml,yaml}' },
];

/** What references are asked for: an entity or one of its columns. */
export type ReferenceTarget = { kind: 'entity'; entityId: string } | { kind: 'column'; columnId: string };

/** A finder for one request, reading open editors' text before the files on disk. */
export function finderFor(catalog: WorkspaceCatalog): ReferenceFinder {
  return new ReferenceFinder({
    store: catalog.store,
    readText: (rel) => {
      const absolute = `${catalog.root}/${rel}`;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === absolute);
      if (open) return open.getText();
      try {
        return readFileSync(absolute, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
}

/** The references of a target; `includeDeclaration` adds the YAML declarations after the uses. */
export function referencesOf(finder: ReferenceFinder, target: ReferenceTarget): References {
  return target.kind === 'entity' ? finder.entityReferences(target.entityId) : finder.columnReferences(target.columnId);
}

/** VS Code locations of reference sites of one catalog. */
export function locations(catalog: WorkspaceCatalog, sites: readonly RefSite[]): vscode.Location[] {
  return sites.map((s) => new vscode.Location(vscode.Uri.file(`${catalog.root}/${s.file}`), new vscode.Range(s.line, s.column, s.line, s.endColumn)));
}

/** "N references" lens at `range`, opening the references peek (uses, then declarations). */
export function referenceLens(catalog: WorkspaceCatalog, doc: vscode.TextDocument, range: vscode.Range, refs: References): vscode.CodeLens {
  const n = refs.uses.length;
  return new vscode.CodeLens(range, {
    title: `${n} reference${n === 1 ? '' : 's'}`,
    command: 'editor.action.showReferences',
    arguments: [doc.uri, range.start, locations(catalog, [...refs.uses, ...refs.declarations])],
  });
}

/** The entity a model/seed/snapshot/source name of `project` means (a versioned model: its latest version). */
export function entityNamed(catalog: WorkspaceCatalog, kind: Entity['kind'], name: string, project?: string): Entity | undefined {
  const items = catalog.store.listEntities({ kind, limit: 10_000 }).items.filter((e) => e.name === name);
  const full = items.map((e) => catalog.store.getEntity(e.id)).filter((e): e is Entity => e !== undefined);
  const latest = full.filter((e) => e.version === undefined || e.version === (e.latestVersion ?? e.version));
  return latest.find((e) => e.project === project) ?? latest[0] ?? full[0];
}

/** The target of a YAML declaration. */
function yamlTarget(catalog: WorkspaceCatalog, entry: YamlEntry, project?: string): ReferenceTarget | undefined {
  const owner = entry.kind === 'column' ? entry.owner : { kind: entry.kind, name: entry.name };
  if (!owner) return undefined;
  const entity = entityNamed(catalog, owner.kind, owner.name, project);
  if (!entity) return undefined;
  if (entry.kind !== 'column') return { kind: 'entity', entityId: entity.id };
  const column = catalog.store.columnsOf(entity.id).find((c) => c.name.toLowerCase() === entry.name.toLowerCase());
  return column ? { kind: 'column', columnId: column.id } : undefined;
}

/** The target under the cursor in SQL: a ref/source call, else a column of this model or its parents. */
function sqlTarget(catalog: WorkspaceCatalog, rel: string, line: string, character: number): ReferenceTarget | undefined {
  const ref = findReference(line, character);
  const project = catalog.entitiesIn(rel)[0]?.project;
  if (ref?.kind === 'ref') {
    const entity = ['model', 'seed', 'snapshot'].map((k) => entityNamed(catalog, k as Entity['kind'], ref.name, ref.package ?? project)).find((e) => e !== undefined);
    return entity ? { kind: 'entity', entityId: entity.id } : undefined;
  }
  if (ref?.kind === 'source') {
    const entity = entityNamed(catalog, 'source', `${ref.source}.${ref.name}`, project);
    return entity ? { kind: 'entity', entityId: entity.id } : undefined;
  }
  const word = /[A-Za-z_][\w$]*/g;
  let name: string | undefined;
  for (let m = word.exec(line); m; m = word.exec(line)) if (character >= m.index && character <= m.index + m[0].length) name = m[0].toLowerCase();
  if (!name) return undefined;
  const own = catalog.entitiesIn(rel).filter((e) => e.kind !== 'docBlock' && e.kind !== 'macro');
  const parents = own.flatMap((e) => catalog.store.modelLineage(e.id, { direction: 'upstream', maxDepth: 1 }).nodes.filter((n) => n.depth === -1).map((n) => n.id));
  for (const id of [...own.map((e) => e.id), ...parents]) {
    const column = catalog.store.columnsOf(id).find((c) => c.name.toLowerCase() === name);
    if (column) return { kind: 'column', columnId: column.id };
  }
  return undefined;
}

/** Registers Find All References for SQL and YAML and the reference CodeLens on YAML declarations. */
export function registerReferenceFeatures(catalogs: CatalogRegistry, sqlSelector: vscode.DocumentSelector, lensChanged: vscode.Event<void>): vscode.Disposable[] {
  const context = (doc: vscode.TextDocument): { catalog: WorkspaceCatalog; rel: string } | undefined => {
    const catalog = catalogs.forPath(doc.uri.fsPath);
    const rel = catalog?.relative(doc.uri.fsPath);
    return catalog && rel ? { catalog, rel } : undefined;
  };
  const projectOf = (catalog: WorkspaceCatalog, rel: string): string | undefined => catalog.store.getFile(rel)?.project;

  const references: vscode.ReferenceProvider = {
    provideReferences(doc, position, refContext) {
      const ctx = context(doc);
      if (!ctx) return undefined;
      const target = /\.ya?ml$/i.test(ctx.rel)
        ? (() => {
            const finder = finderFor(ctx.catalog);
            const entry = yamlEntryAt(finder.entriesOf(ctx.rel), doc.offsetAt(position));
            return entry ? yamlTarget(ctx.catalog, entry, projectOf(ctx.catalog, ctx.rel)) : undefined;
          })()
        : sqlTarget(ctx.catalog, ctx.rel, doc.lineAt(position.line).text, position.character);
      if (!target) return undefined;
      const refs = referencesOf(finderFor(ctx.catalog), target);
      return locations(ctx.catalog, refContext.includeDeclaration ? [...refs.uses, ...refs.declarations] : refs.uses);
    },
  };

  const yamlLenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged,
    provideCodeLenses(doc) {
      const ctx = context(doc);
      if (!ctx) return [];
      const finder = finderFor(ctx.catalog);
      const project = projectOf(ctx.catalog, ctx.rel);
      const lenses: vscode.CodeLens[] = [];
      for (const entry of finder.entriesOf(ctx.rel)) {
        const target = yamlTarget(ctx.catalog, entry, project);
        if (!target) continue;
        const range = new vscode.Range(entry.line, entry.column, entry.line, entry.endColumn);
        lenses.push(referenceLens(ctx.catalog, doc, range, referencesOf(finder, target)));
      }
      return lenses;
    },
  };

  return [
    vscode.languages.registerReferenceProvider(sqlSelector, references),
    vscode.languages.registerReferenceProvider(YAML_SELECTOR, references),
    vscode.languages.registerCodeLensProvider(YAML_SELECTOR, yamlLenses),
  ];
}
