import type { TransformKind } from '../model/entities';
import { columnId } from '../model/ids';
import type { Dialect, RelationName } from '../pipeline/contracts';
import { parseSql } from '../sql/parseSql';
import { resolveLineage } from '../sql/resolveLineage';
import type { FactsBuilder, FilePos } from './biFiles';
import { warehouseRelationId } from './connector';

/**
 * Warehouse names and embedded SQL for the BI connectors: a table a BI file names becomes the id the
 * warehouse connectors give it (`warehouseRelationId`), and SQL written inside a BI file (Tableau
 * custom SQL, LookML derived tables, Power BI native queries) is parsed with `core/sql` for table and
 * column lineage, its diagnostics moved to where the SQL sits in the BI file.
 */

/** Database and schema to use for names written without them (from the file's connection, else the connector's config). */
export interface WarehouseDefaults {
  database?: string | undefined;
  schema?: string | undefined;
}

/**
 * The warehouse id of `rel`: its own database/schema, else the defaults. Undefined when the database
 * or the schema stays unknown (the caller reports it: an id with a guessed part would never meet the
 * warehouse connector's table).
 */
export function warehouseTableId(rel: RelationName, defaults: WarehouseDefaults): string | undefined {
  const database = rel.database ?? defaults.database;
  const schema = rel.schema ?? defaults.schema;
  if (database === undefined || schema === undefined || rel.name === '') return undefined;
  return warehouseRelationId(database, schema, rel.name);
}

/** Splits a dotted name with optional `[...]`, `"..."` or backtick quoting into its parts. */
export function splitQualified(text: string): string[] {
  const parts: string[] = [];
  const re = /\[((?:[^\]]|\]\])*)\]|"((?:[^"]|"")*)"|`([^`]*)`|([^.[\]"`]+)/g;
  for (const m of text.matchAll(re)) {
    const part = m[1]?.replace(/\]\]/g, ']') ?? m[2]?.replace(/""/g, '"') ?? m[3] ?? (m[4] as string).trim();
    if (part !== '') parts.push(part);
  }
  return parts;
}

/** A relation from name parts (last three: database, schema, name). A BigQuery `project.dataset` in one part is split. */
export function relationOfParts(parts: readonly string[]): RelationName | undefined {
  const name = parts[parts.length - 1];
  if (name === undefined) return undefined;
  const schema = parts[parts.length - 2];
  const database = parts[parts.length - 3];
  return { name, ...(schema === undefined ? {} : { schema }), ...(database === undefined ? {} : { database }) };
}

/** Options of `embeddedSqlLineage`. */
export interface EmbeddedSql {
  sql: string;
  file: string;
  /** Where the SQL's first character sits in the file. */
  pos: FilePos;
  dialect: Dialect;
  defaults: WarehouseDefaults;
  /** The dataset the SQL defines. */
  targetId: string;
  /** Adds each output column to the target (true for custom SQL whose fields are the query's columns). */
  declareColumns: boolean;
  /** Maps an unqualified name to a catalog entity of the same file set (a LookML view placeholder); undefined for warehouse tables. */
  local?: (name: string) => string | undefined;
}

/** What the SQL gave: output column name (lower-cased) → the warehouse columns it reads. */
export type SqlColumnSources = Map<string, { from: string; transform: TransformKind }[]>;

/** Parses embedded SQL: table edges to the target, output columns' sources, diagnostics at their place in the file. */
export function embeddedSqlLineage(b: FactsBuilder, o: EmbeddedSql): SqlColumnSources {
  const out: SqlColumnSources = new Map();
  const parsed = parseSql(o.sql, { dialect: o.dialect, file: o.file });
  for (const d of parsed.diagnostics) {
    const at = shift(o.pos, { line: d.line, column: d.column });
    b.diagnostic(o.file, at, d.code, `In the embedded SQL: ${d.message}`, d.severity);
  }
  const reported = new Set<string>();
  const idOf = (rel: RelationName): string | undefined => {
    const local = rel.schema === undefined && rel.database === undefined ? o.local?.(rel.name) : undefined;
    if (local !== undefined) return local;
    const id = warehouseTableId(rel, o.defaults);
    const text = [rel.database, rel.schema, rel.name].filter((p) => p !== undefined).join('.');
    if (id === undefined && !reported.has(text)) {
      reported.add(text);
      b.diagnostic(o.file, o.pos, 'bi-unqualified-table', `Table "${text}" in the embedded SQL names no ${rel.schema === undefined ? 'schema' : 'database'} and none is known from the connection or the connector's settings; no lineage to it.`, 'warning');
    }
    return id;
  };
  for (const st of parsed.statements) {
    for (const rel of st.reads) {
      const id = idOf(rel);
      if (id !== undefined) b.modelEdge(id, o.targetId, 'sql', o.file, o.pos);
    }
    const resolved = resolveLineage(st, () => undefined);
    for (const col of resolved.columns) {
      const sources: { from: string; transform: TransformKind }[] = [];
      for (const s of col.sources) {
        const id = idOf(s.relation);
        if (id !== undefined) sources.push({ from: columnId(id, s.column), transform: s.transform });
      }
      out.set(col.name.toLowerCase(), sources);
      if (o.declareColumns) {
        const to = b.column(o.targetId, col.name, o.file, o.pos);
        for (const s of sources) b.columnEdge(s.from, to, s.transform, o.file, o.pos);
      }
    }
  }
  return out;
}

/** A position inside embedded text (1-based, relative to it) moved to the file. */
export function shift(base: FilePos, rel: FilePos): FilePos {
  return rel.line <= 1 ? { line: base.line, column: base.column + Math.max(rel.column, 1) - 1 } : { line: base.line + rel.line - 1, column: rel.column };
}
