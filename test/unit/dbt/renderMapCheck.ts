import assert from 'node:assert/strict';
import { renderDbtNode, type DbtProjectContext } from '../../../core/dbt/api';
import { sourcePosition } from '../../../core/dbt/renderMap';

/**
 * The render map's promise, as a check shared by the unit tests (random templates) and the corpus
 * tests (every node of a real project): a run marked exact is the source text at the position it
 * names, character for character; every other run names a position inside the file.
 */

/** Offset of a 1-based line/column in `text`. */
function offsetIn(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  return lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
}

/** Checks one rendered text against its map and the source. */
export function checkMap(source: string, rendered: string, map: readonly number[] | undefined, label: string): void {
  assert.ok(map && map.length % 4 === 0, `${label}: a map`);
  if (rendered === '') return;
  assert.equal(map[0], 0, `${label}: the first run starts at 0`);
  const lines = source.split('\n');
  for (let i = 0; i < map.length; i += 4) {
    const [at, line, column, exact] = map.slice(i, i + 4) as [number, number, number, number];
    const end: number = i + 4 < map.length ? (map[i + 4] as number) : rendered.length;
    assert.ok(end >= at, `${label}: runs in order`);
    assert.ok(line >= 1 && line <= lines.length && column >= 1 && column <= (lines[line - 1]?.length ?? 0) + 1, `${label}: run ${i / 4} at ${line}:${column} is outside the file`);
    if (exact === 1) {
      const from = offsetIn(source, line, column);
      assert.equal(rendered.slice(at, end), source.slice(from, from + end - at), `${label}: exact run ${i / 4} differs from the source`);
    }
  }
  // Every rendered offset, looked up, lands inside the file.
  for (let o = 0; o <= rendered.length; o += Math.max(1, Math.floor(rendered.length / 50))) {
    const p = sourcePosition(rendered, map, o);
    assert.ok(p.line >= 1 && p.line <= lines.length && p.column >= 1 && p.column <= (lines[p.line - 1]?.length ?? 0) + 1, `${label}: offset ${o} maps outside the file (${p.line}:${p.column})`);
  }
}

export function checkNode(text: string, file: string, ctx: DbtProjectContext): void {
  const r = renderDbtNode(ctx, file, text);
  checkMap(text, r.rendered.lineageSql, r.rendered.lineageMap, `${file} lineage`);
  checkMap(text, r.rendered.compiledSql, r.rendered.compiledMap, `${file} compiled`);
}
