import * as assert from 'node:assert/strict';
import type { Dialect, ResolvedStatement } from '../../../core/pipeline/contracts';
import { lineage, sourceText } from './lineageHelpers';

/**
 * Golden expectations for one statement: table edges (reads → target) and column edges, with the
 * output columns in order (two outputs of the same name stay two entries).
 */
export interface Golden {
  reads: string[];
  target?: string;
  /** `[output column, sorted 'relation.column:kind' sources]`, in output order. */
  cols: [string, string[]][];
  /** `column|name|reason` entries expected in `unresolved` (default: none). */
  unresolved?: string[];
  /** Sorted indirect sources, when the case is about them. */
  indirect?: string[];
}

/** One golden case: SQL in a dialect (optionally with a schema) and the expected lineage of its statement `index`. */
export interface GoldenCase {
  name: string;
  dialect: Dialect;
  sql: string;
  schema?: Record<string, string[]>;
  /** Which statement of the SQL the expectation is about (default: the last). */
  index?: number;
  expect: Golden;
}

/** The resolved statement's lineage in the `Golden` shape. */
export function goldenOf(r: ResolvedStatement): Golden {
  const rel = (x: { database?: string; schema?: string; name: string }): string => [x.database, x.schema, x.name].filter(Boolean).join('.');
  const g: Golden = {
    reads: r.reads.map(rel).sort(),
    cols: r.columns.map((c) => [c.name, c.sources.map(sourceText).sort()]),
  };
  if (r.target) g.target = rel(r.target);
  return g;
}

/** Parses and resolves a case and compares it with its golden expectation; the SQL must parse without diagnostics. */
export function checkGolden(c: GoldenCase): void {
  const { parsed, resolved } = lineage(c.sql, c.dialect, c.schema ?? {});
  assert.deepEqual(parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`), [], `${c.name}: parses in ${c.dialect}`);
  const r = resolved[c.index ?? resolved.length - 1];
  assert.ok(r, `${c.name}: has statement ${c.index ?? resolved.length - 1}`);
  const got = goldenOf(r);
  const want: Golden = { reads: [...c.expect.reads].sort(), cols: c.expect.cols.map(([n, s]) => [n, [...s].sort()]) };
  if (c.expect.target) want.target = c.expect.target;
  assert.deepEqual(got, want, `${c.name}: table and column edges`);
  assert.deepEqual(r.unresolved.map((u) => `${u.column}|${u.name}|${u.reason}`).sort(), [...(c.expect.unresolved ?? [])].sort(), `${c.name}: unresolved names`);
  if (c.expect.indirect) assert.deepEqual(r.indirect.map(sourceText).sort(), [...c.expect.indirect].sort(), `${c.name}: indirect sources`);
}
