import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Column, ColumnEdge, Diagnostic, Entity, EntityKind, Facts, ModelEdge, Provenance, TransformKind, UnresolvedRef } from '../../../core/model/entities';
import { emptyFacts } from '../../../core/model/entities';
import { CatalogStore } from '../../../extension/catalog/catalogStore';

/** Builders for catalog facts and a temp-dir store, shared by the catalog integration tests. */

export function prov(file = 'models/x.sql'): Provenance {
  return { file, line: 1, column: 1, extractor: 'test', confidence: 1 };
}

export function entity(id: string, extra: Partial<Entity> = {}): Entity {
  const [prefix, project = 'p', ...rest] = id.split('.');
  const name = rest.join('.') || id;
  const kind: EntityKind = prefix === 'source' ? 'source' : prefix === 'table' ? 'table' : prefix === 'seed' ? 'seed' : 'model';
  return {
    id, kind, name, project, path: `models/${name}.sql`, description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false,
    provenance: prov(`models/${name}.sql`), ...extra,
  };
}

export function column(entityId: string, name: string, position = 0, extra: Partial<Column> = {}): Column {
  return {
    id: `${entityId}#${name.toLowerCase()}`, entityId, name, description: '', tags: [], tests: [], meta: {}, position, origin: 'inferred',
    provenance: prov(), ...extra,
  };
}

export function modelEdge(from: string, to: string): ModelEdge {
  return { from, to, level: 'model', kind: 'ref', provenance: prov() };
}

export function columnEdge(from: string, to: string, transform: TransformKind = 'identity'): ColumnEdge {
  return { from, to, level: 'column', transform, provenance: prov() };
}

export function diagnostic(file: string, line: number, message = 'bad'): Diagnostic {
  return { file, line, column: 1, severity: 'error', code: 'sql-parse', message, extractor: 'test' };
}

export function unresolved(target: string, name: string): UnresolvedRef {
  return { target, name, reason: 'unknown-column', detail: 'not found', provenance: prov() };
}

export function facts(parts: Partial<Facts>): Facts {
  return { ...emptyFacts(), ...parts };
}

/** A store on a fresh SQLite file in a temp dir; `cleanup` closes it and deletes the dir. */
export function tempStore(): { store: CatalogStore; file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mallard-catalog-'));
  const file = path.join(dir, 'catalog.db');
  const store = CatalogStore.open(file);
  return {
    store, file, dir,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything observable about the fact tables, for before/after comparisons. */
export function snapshot(store: CatalogStore): unknown {
  const entities = [...store.exportEntities()].map((e) => store.getEntity(e.id));
  return {
    entities,
    columns: entities.map((e) => (e === undefined ? [] : store.columnsOf(e.id))),
    edges: [...store.exportEdges()],
    diagnostics: store.diagnostics(),
    unresolved: store.unresolved(),
    search: entities.map((e) => (e === undefined ? [] : store.search(e.name).map((h) => h.id))),
    stats: store.stats(),
  };
}
