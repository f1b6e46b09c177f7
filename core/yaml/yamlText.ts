/**
 * Text helpers for surgical YAML edits: offsets ↔ columns, line boundaries and scalar rendering.
 * Edits splice new text into the original string, so everything they do not touch stays byte-identical.
 */

/** Offset of the first character of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just after the newline that ends the line containing `offset` (text length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** 0-based column of `offset`. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** 1-based line and column of `offset`, as diagnostics report them. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, column: columnOf(text, offset) + 1 };
}

/** The line ending the file uses, so inserted lines match it. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** True when `value` can be written as a plain (unquoted) YAML scalar and read back as the same string. */
function isSafePlain(value: string): boolean {
  if (value === '' || value !== value.trim()) return false;
  if (/[\n\r\t]/.test(value)) return false;
  // Indicators that start something else, and sequences that end or comment a plain scalar.
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return false;
  if (/: |:$| #/.test(value)) return false;
  // Values that YAML 1.1/1.2 would read as another type.
  if (/^(?:true|false|yes|no|on|off|null|~|y|n)$/i.test(value)) return false;
  if (/^[-+.]?\d/.test(value) || /^\.(?:inf|nan)$/i.test(value)) return false;
  return true;
}

/** Double-quoted YAML scalar; JSON string escapes are valid YAML double-quoted escapes. */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders `value` as the value of a block-mapping key whose key starts at column `keyColumn`.
 * Single-line text becomes a plain or quoted scalar; multi-line text a literal block scalar
 * (`|` keeps one final newline, `|-` none) indented two spaces deeper than the key. The result has
 * no trailing line break; block scalars contain `eol` between their header and body lines.
 */
export function renderBlockValue(value: string, keyColumn: number, eol: string): string {
  const body = value.replace(/\r\n/g, '\n');
  if (!body.includes('\n')) return isSafePlain(value) ? value : doubleQuoted(value);
  const trimmed = body.endsWith('\n') ? body.slice(0, -1) : body;
  const lines = trimmed.split('\n');
  // Cases a literal block cannot carry without indentation indicators or keep-chomping: quote them.
  const awkward = trimmed.trim() === '' || trimmed.endsWith('\n') || /^[ \t]/.test(lines.find((l) => l !== '') ?? '') || lines.some((l) => /[ \t]$/.test(l) || /\t/.test(l));
  if (awkward) return doubleQuoted(value);
  const indent = ' '.repeat(keyColumn + 2);
  const header = body.endsWith('\n') ? '|' : '|-';
  return header + lines.map((l) => (l === '' ? eol : `${eol}${indent}${l}`)).join('');
}

/** Renders `value` for a flow collection (`{ name: a, description: … }`): always one line. */
export function renderFlowValue(value: string): string {
  return isSafePlain(value) && !/[,[\]{}]/.test(value) ? value : doubleQuoted(value);
}
