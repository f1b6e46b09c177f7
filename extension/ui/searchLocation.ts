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
 * The line of the SQL that names a column of the query's output: its alias (`… as amount`), else
 * the last mention of the name before the final `from` (the outer select list), else the first.
 * Comments are skipped; Jinja is left as written (a name in `{{ }}` is still a mention).
 */
export function sqlColumnLocation(text: string, column: string): TextLocation | undefined {
  const masked = maskComments(text);
  const word = escapeRegExp(column);
  const alias = [...masked.matchAll(new RegExp(`\\bas\\s+(["\`]?)(${word})\\1(?![\\w$])`, 'gi'))];
  const lastAlias = alias[alias.length - 1];
  if (lastAlias?.index !== undefined) return at(text, lastAlias.index + lastAlias[0].length - column.length - (lastAlias[1]?.length ?? 0), column.length);
  const mentions = [...masked.matchAll(new RegExp(`(?<![\\w$])${word}(?![\\w$])`, 'gi'))].map((m) => m.index ?? 0);
  if (mentions.length === 0) return undefined;
  const froms = [...masked.matchAll(/\bfrom\b/gi)].map((m) => m.index ?? 0);
  const lastFrom = froms[froms.length - 1] ?? masked.length;
  const before = mentions.filter((i) => i < lastFrom);
  return at(text, before[before.length - 1] ?? mentions[0] ?? 0, column.length);
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
