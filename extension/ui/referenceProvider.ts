import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Entity } from '../../core/model/entities';
import type { CatalogRegistry } from './catalogRegistry';
import { ReferenceFinder, type References, type ReferenceTarget, type RefSite } from './referenceFinder';
import { findReference } from './sqlReferences';
import type { WorkspaceCatalog } from './workspaceCatalog';
import { yamlEntryAt } from './yamlReferences';

/**
 * Find All References (a `ReferenceProvider` for SQL and dbt YAML) and the "N references"
 * CodeLens, for models, seeds, snapshots, source tables and columns; the finding and the counting
 * are `referenceFinder.ts`. The lens on a model's SQL file joins the model lenses of `editorFeatures.ts`.
 */

/** dbt properties files, where models, sources and columns are declared. */
export const YAML_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', pattern: '**/*.{yml,yaml}' },
];

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

/** VS Code locations of reference sites of one catalog. */
export function locations(catalog: WorkspaceCatalog, sites: readonly RefSite[]): vscode.Location[] {
  return sites.map((s) => new vscode.Location(vscode.Uri.file(`${catalog.root}/${s.file}`), new vscode.Range(s.line, s.column, s.line, s.endColumn)));
}

/** "N references" (the uses) at `range`, opening the references peek (uses, then declarations). */
export function referenceLens(catalog: WorkspaceCatalog, doc: vscode.TextDocument, range: vscode.Range, refs: References): vscode.CodeLens {
  const n = refs.uses.length;
  return new vscode.CodeLens(range, {
    title: `${n} reference${n === 1 ? '' : 's'}`,
    command: 'editor.action.showReferences',
    arguments: [doc.uri, range.start, locations(catalog, [...refs.uses, ...refs.declarations])],
  });
}

/** The target under the cursor in SQL: a ref/source call, else a column of this model or its parents. */
function sqlTarget(catalog: WorkspaceCatalog, finder: ReferenceFinder, rel: string, line: string, character: number): ReferenceTarget | undefined {
  const ref = findReference(line, character);
  const project = catalog.entitiesIn(rel)[0]?.project;
  if (ref?.kind === 'ref' || ref?.kind === 'source') {
    const kinds: Entity['kind'][] = ref.kind === 'ref' ? ['model', 'seed', 'snapshot'] : ['source'];
    const name = ref.kind === 'ref' ? ref.name : `${ref.source}.${ref.name}`;
    const entity = kinds.map((k) => finder.entityNamed(k, name, (ref.kind === 'ref' ? ref.package : undefined) ?? project)).find((e) => e !== undefined);
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

  const references: vscode.ReferenceProvider = {
    provideReferences(doc, position, refContext) {
      const ctx = context(doc);
      if (!ctx) return undefined;
      const finder = finderFor(ctx.catalog);
      let target: ReferenceTarget | undefined;
      if (/\.ya?ml$/i.test(ctx.rel)) {
        const entry = yamlEntryAt(finder.entriesOf(ctx.rel), doc.offsetAt(position));
        target = entry && finder.yamlTarget(ctx.rel, entry);
      } else {
        target = sqlTarget(ctx.catalog, finder, ctx.rel, doc.lineAt(position.line).text, position.character);
      }
      if (!target) return undefined;
      const refs = finder.referencesOf(target);
      return locations(ctx.catalog, refContext.includeDeclaration ? [...refs.uses, ...refs.declarations] : refs.uses);
    },
  };

  const yamlLenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged,
    provideCodeLenses(doc) {
      const ctx = context(doc);
      if (!ctx) return [];
      return finderFor(ctx.catalog)
        .lenses(ctx.rel)
        .map((l) => referenceLens(ctx.catalog, doc, new vscode.Range(l.line, l.column, l.line, l.endColumn), l.references));
    },
  };

  return [
    vscode.languages.registerReferenceProvider(sqlSelector, references),
    vscode.languages.registerReferenceProvider(YAML_SELECTOR, references),
    vscode.languages.registerCodeLensProvider(YAML_SELECTOR, yamlLenses),
  ];
}
