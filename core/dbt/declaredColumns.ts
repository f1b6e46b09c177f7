/**
 * Column facts of YAML-declared columns, built once per declaration. The loader's memo hands out
 * the same `DeclaredColumn` arrays while a YAML file is unchanged, so a project assembled again
 * after an edit of another file gets the same `Column` objects for them: the lineage memo compares
 * declared columns by identity, and a whole project is not resolved again for a description edit.
 */
import type { Column } from '../model/entities';
import { columnId } from '../model/ids';
import type { DeclaredColumn } from './project/properties';

const built = new WeakMap<readonly DeclaredColumn[], { key: string; columns: readonly Column[] }>();

/** The facts of `cols` declared for `entityId` at `at` (positions count: they are provenance). */
export function declaredColumnFacts(entityId: string, cols: readonly DeclaredColumn[], at: { file: string; line: number; column: number }): readonly Column[] {
  const key = `${entityId}\u0000${at.file}\u0000${at.line}\u0000${at.column}`;
  const hit = built.get(cols);
  if (hit && hit.key === key) return hit.columns;
  // Built directly, not through `Column.parse`: zod would copy each column's tags, tests, meta and
  // the provenance (five objects a column, ~45k columns at 5,000 models), and the declaration's
  // values are already typed. The columns share the one provenance and the declaration's values.
  const provenance = { file: at.file, line: at.line, column: at.column, extractor: 'dbt-yaml', confidence: 1 };
  const columns = cols.map((c, i): Column => ({ id: columnId(entityId, c.name), entityId, name: c.name, ...(c.type ? { type: c.type } : {}), description: c.description, tags: c.tags, tests: c.tests, meta: c.meta, position: i, origin: 'declared', provenance }));
  built.set(cols, { key, columns });
  return columns;
}
