/**
 * Where Search Catalog lands on a column: the column's own line, in the properties YAML when it is
 * declared there, else in the SQL that computes it. The catalog records a declared column at its
 * entity's entry and an inferred one at its statement, so the line is found in the file's text.
 * Pure (text in, position out), without `vscode`.
 */

import type { Column, Entity } from '../../core/model/entities';

/** A 1-based position and the length of the name found there. */
export interface TextLocation {
  line: number;
  column: number;
  length: number;
}

/** A file (workspace-relative) and the place in it. */
export interface FileLocation {
  file: string;
  location: TextLocation;
}

/**
 * Where a column is written: its `- name:` line in the properties YAML when it is declared there,
 * else its name in the model's SQL; undefined when neither file names it (the caller opens the entity).
 */
export async function locateColumn(read: (file: string) => Promise<string | undefined>, entity: Entity, column: Column): Promise<FileLocation | undefined> {
  if (column.provenance.extractor === 'dbt-yaml') {
    const text = await read(column.provenance.file);
    const location = text === undefined ? undefined : yamlColumnLocation(text, column.name, column.provenance.line);
    if (location) return { file: column.provenance.file, location };
  }
  if (/\.sql$/i.test(entity.path)) {
    const text = await read(entity.path);
    const location = text === undefined ? undefined : sqlColumnLocation(text, column.name);
    if (location) return { file: entity.path, location };
  }
  return undefined;
}

/**
 * The `- name: <column>` line of a column in a properties file, searched inside the entry that
 * starts at `entryLine` (1-based; 0 or past the end searches the whole file).
 */
export function yamlColumnLocation(text: string, column: string, entryLine: number): TextLocation | undefined {
  const lines = text.split(/\r?\n/);
  const start = entryLine > 1 && entryLine <= lines.length ? entryLine - 1 : 0;
  const entryIndent = start > 0 ? indentOf(lines[start] ?? '') : -1;
  const pattern = new RegExp(`^(\\s*-\\s+name:\\s*)(["']?)(${escapeRegExp(column)})\\2\\s*(#.*)?$`, 'i');
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // The entry ends where a line is indented no deeper than its `- name:`.
    if (i > start && entryIndent >= 0 && line.trim() !== '' && !line.trim().startsWith('#') && indentOf(line) <= entryIndent) break;
    const m = pattern.exec(line);
    if (m && i > start) return { line: i + 1, column: (m[1]?.length ?? 0) + (m[2]?.length ?? 0) + 1, length: column.length };
  }
  return undefined;
}

/**
 * The line of the SQL that names a column of the query's output, looked for first in the outer
 * select list (from the last `select` outside parentheses to its `from`): the column's alias
 * (`… as amount`), else its last mention there; then the same in the whole text. Comments are
 * skipped; Jinja is left as written (a name in `{{ }}` is still a mention).
 */
export function sqlColumnLocation(text: string, column: string): TextLocation | undefined {
  const masked = maskComments(text);
  const outer = outerSelectList(masked);
  const offset = (outer && findIn(masked, column, outer.start, outer.end)) ?? findIn(masked, column, 0, masked.length);
  return offset === undefined ? undefined : at(text, offset, column.length);
}

/** Offset of the column's alias in `[start, end)`, else of its last mention there. */
function findIn(masked: string, column: string, start: number, end: number): number | undefined {
  const region = masked.slice(start, end);
  const word = escapeRegExp(column);
  const alias = [...region.matchAll(new RegExp(`\\bas\\s+(["\`]?)(${word})\\1(?![\\w$])`, 'gi'))].pop();
  if (alias?.index !== undefined) return start + alias.index + alias[0].length - column.length - (alias[1]?.length ?? 0);
  const mention = [...region.matchAll(new RegExp(`(?<![\\w$])${word}(?![\\w$])`, 'gi'))].pop();
  return mention?.index === undefined ? undefined : start + mention.index;
}

/** The outer select list: after the last `select` at parenthesis depth 0, up to the next `from` at depth 0. */
function outerSelectList(masked: string): { start: number; end: number } | undefined {
  let depth = 0;
  let select: number | undefined;
  let from: number | undefined;
  const words = /\(|\)|\bselect\b|\bfrom\b/gi;
  for (const m of masked.matchAll(words)) {
    const token = m[0].toLowerCase();
    if (token === '(') depth++;
    else if (token === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && token === 'select') {
      select = (m.index ?? 0) + token.length;
      from = undefined;
    } else if (depth === 0 && token === 'from' && select !== undefined && from === undefined) from = m.index;
  }
  return select === undefined ? undefined : { start: select, end: from ?? masked.length };
}

/** Position of a character offset. */
function at(text: string, offset: number, length: number): TextLocation {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n'), length };
}

/** The text with `-- …` and `/* … *\/` comments (and Jinja comments) replaced by spaces, offsets kept. */
function maskComments(text: string): string {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|\{#[\s\S]*?#\}/g, (m) => m.replace(/[^\n]/g, ' '));
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
