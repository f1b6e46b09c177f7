import type { Database } from 'better-sqlite3';
import type { TransformKind } from '../../core/model/entities';
import type { ExportEdge, ExportEntity } from './catalogTypes';
import { prepared } from './sqlUtil';

/**
 * Streaming export for the CLI. Rows come from SQLite cursors one at a time, so exporting a large
 * catalog does not build it in memory. Do not write to the store while an iterator is open.
 */
export function* exportEntities(db: Database): IterableIterator<ExportEntity> {
  const rows = prepared(db, 'SELECT id, kind, name, project, path FROM entities ORDER BY id').iterate() as IterableIterator<ExportEntity>;
  for (const row of rows) yield { id: row.id, kind: row.kind, name: row.name, project: row.project, path: row.path };
}

/** Model edges (`level: "model"`) ordered by (from, to), then column edges unless `columns: false`. */
export function* exportEdges(db: Database, options: { columns?: boolean }): IterableIterator<ExportEdge> {
  const models = prepared(db, 'SELECT DISTINCT from_id, to_id FROM model_edges ORDER BY from_id, to_id').iterate() as IterableIterator<{
    from_id: string;
    to_id: string;
  }>;
  for (const row of models) yield { from: row.from_id, to: row.to_id, level: 'model' };
  if (options.columns === false) return;
  const columns = prepared(db, 'SELECT from_col, to_col, transform FROM column_edges ORDER BY from_col, to_col, transform').iterate() as IterableIterator<{
    from_col: string;
    to_col: string;
    transform: TransformKind;
  }>;
  for (const row of columns) yield { from: row.from_col, to: row.to_col, level: 'column', transform: row.transform };
}
