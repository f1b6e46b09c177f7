import '../../setup/sqlEngine';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIRECT_KINDS } from '../../../core/model/entities';
import type { Dialect, RelationName, ResolvedStatement } from '../../../core/pipeline/contracts';
import { parseSql } from '../../../core/sql/parseSql';
import { resolveLineage } from '../../../core/sql/resolveLineage';

/** Root of the shared, read-only corpora (`<repo>/../shared/corpora`). */
export const CORPORA = path.resolve(__dirname, '../../../../shared/corpora');

/** Reads a corpus file, failing loudly (never skipping) when the corpora are missing. */
export function readCorpus(rel: string): string {
  const file = path.join(CORPORA, rel);
  if (!fs.existsSync(file)) throw new Error(`Corpus file missing: ${file}. The shared corpora must be present at ${CORPORA}.`);
  return fs.readFileSync(file, 'utf8');
}

/** One case of sqllineage's test suite as extracted into the corpus. */
export interface SqllineageCase {
  id: string;
  kind: 'table' | 'column';
  dialect: string;
  sql: string;
  needs_schema: boolean;
  source_tables?: string[];
  target_tables?: string[];
  column_lineage?: [string | null, string, string, string][];
}

/** sqllineage dialect names (sqlfluff's) → the closest Mallard dialect. */
export function mapDialect(d: string): Dialect {
  const map: Record<string, Dialect> = {
    ansi: 'postgresql', postgres: 'postgresql', greenplum: 'postgresql', materialize: 'postgresql', duckdb: 'postgresql',
    vertica: 'postgresql', exasol: 'postgresql', oracle: 'postgresql', teradata: 'postgresql',
    sparksql: 'hive', databricks: 'hive', hive: 'hive', tsql: 'transactsql', bigquery: 'bigquery', snowflake: 'snowflake',
    mysql: 'mysql', mariadb: 'mariadb', redshift: 'redshift', athena: 'athena', db2: 'db2',
  };
  return map[d] ?? 'postgresql';
}

/** sqllineage's table naming: `<default>.name` without a schema, lower-cased. */
export function tableName(rel: RelationName): string {
  return [rel.database, rel.schema ?? '<default>', rel.name].filter((p) => p !== undefined).join('.').toLowerCase();
}

/** Runs one case through parseSql + resolveLineage with statement-order schema propagation. */
export function runCase(c: SqllineageCase, schema: Record<string, string[]>): { resolved: ResolvedStatement[]; parsedOk: boolean } {
  const parsed = parseSql(c.sql, { dialect: mapDialect(c.dialect), file: 'case.sql' });
  const known = new Map<string, string[]>(Object.entries(schema).map(([k, v]) => [k.toLowerCase(), v]));
  const resolved: ResolvedStatement[] = [];
  for (const st of parsed.statements) {
    const r = resolveLineage(st, (rel) => known.get(tableName(rel).replace('<default>.', '')) ?? known.get(tableName(rel)));
    resolved.push(r);
    // Like the scanner: a written relation's output columns become its schema for later statements.
    if (r.target && r.columns.length > 0 && !r.passThrough) known.set(tableName(r.target).replace('<default>.', ''), r.columns.map((col) => col.name));
  }
  return { resolved, parsedOk: parsed.diagnostics.length === 0 };
}

/** Table-level answer in sqllineage's terms: intermediate tables (written and read) are neither. */
export function tableLineage(resolved: ResolvedStatement[]): { sources: Set<string>; targets: Set<string> } {
  // sqllineage treats DELETE as having no lineage; a table written by one statement and read by
  // another is intermediate (neither source nor target), but a self-read in one statement is both.
  const reads = resolved.map((r) => new Set(r.reads.map(tableName)));
  const writes = resolved.map((r) => (r.target && r.kind !== 'other' && r.kind !== 'delete' ? tableName(r.target) : undefined));
  const intermediate = new Set<string>();
  writes.forEach((w, i) => {
    if (w && reads.some((set, j) => j !== i && set.has(w))) intermediate.add(w);
  });
  const sources = new Set(reads.flatMap((set) => [...set]).filter((t) => !intermediate.has(t)));
  const targets = new Set(writes.filter((t): t is string => t !== undefined && !intermediate.has(t)));
  return { sources, targets };
}

/**
 * Column-level answer in sqllineage's terms: end-to-end paths from source columns to target
 * columns through intermediate tables; CASE conditions and window keys count as sources, as
 * sqllineage counts them; unresolved ambiguous names appear with a null source table.
 */
export function columnLineage(resolved: ResolvedStatement[]): Set<string> {
  const edges = new Map<string, Set<string>>();
  const nodes = new Set<string>();
  const hasIncoming = new Set<string>();
  const add = (from: string, to: string): void => {
    const set = edges.get(from) ?? new Set<string>();
    set.add(to);
    edges.set(from, set);
    nodes.add(from);
    nodes.add(to);
    hasIncoming.add(to);
  };
  // Each write creates a new version of the table, so `INSERT INTO t SELECT … FROM t` is not a cycle.
  const versions = new Map<string, number>();
  const at = (table: string): string => `${table}@${versions.get(table) ?? 0}`;
  for (const r of resolved) {
    if (!r.target) continue;
    const written = tableName(r.target);
    const tgt = `${written}@${(versions.get(written) ?? 0) + 1}`;
    for (const col of r.columns) {
      for (const s of col.sources) {
        if (DIRECT_KINDS.has(s.transform) || s.transform === 'conditional' || s.transform === 'window') add(`${at(tableName(s.relation))}\u0000${s.column.toLowerCase()}`, `${tgt}\u0000${col.name.toLowerCase()}`);
      }
    }
    for (const s of r.passThrough ?? []) add(`${at(tableName(s.relation))}\u0000*`, `${tgt}\u0000*`);
    for (const u of r.unresolved) {
      if ((u.reason === 'ambiguous-column' || u.reason === 'unknown-column') && u.column !== '*') add(`null@0\u0000${u.name.split('.').pop()?.toLowerCase() ?? ''}`, `${tgt}\u0000${u.column.toLowerCase()}`);
    }
    versions.set(written, (versions.get(written) ?? 0) + 1);
  }
  const out = new Set<string>();
  const roots = [...nodes].filter((n) => !hasIncoming.has(n));
  for (const root of roots) {
    const stack = [root];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const n = stack.pop() as string;
      const next = edges.get(n);
      if (!next || next.size === 0) {
        if (n !== root) out.add(`${root}\u0000${n}`.replace(/@\d+\u0000/g, '\u0000'));
        continue;
      }
      for (const m of next) {
        if (!seen.has(m)) {
          seen.add(m);
          stack.push(m);
        }
      }
    }
  }
  return out;
}

/** The expected column lineage of a case in the same encoding. */
export function expectedColumns(c: SqllineageCase): Set<string> {
  const norm = (t: string | null): string => (t === null ? 'null' : t.toLowerCase());
  return new Set((c.column_lineage ?? []).map(([st, sc, tt, tc]) => `${norm(st)}\u0000${sc.toLowerCase()}\u0000${norm(tt)}\u0000${tc.toLowerCase()}`));
}

/** Set equality. */
export function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
