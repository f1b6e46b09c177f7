import { parseDocument } from 'yaml';
import { pickNamed, targetPath, type DescriptionTarget, type PathSegment } from './schemaTarget';
import { renderBlockValue } from './yamlText';

/**
 * Renders a chain of new entries, `key:` / `- name: …` per segment, ending with the description,
 * starting at `column` (dbt style: list dashes two spaces under their key). Lines are joined by
 * `eol` without a trailing line break.
 */
export function renderChain(path: readonly PathSegment[], description: string, column: number, eol: string): string {
  const lines: string[] = [];
  let indent = column;
  for (const segment of path) {
    lines.push(`${' '.repeat(indent)}${segment.key}:`);
    lines.push(`${' '.repeat(indent + 2)}- name: ${renderBlockValue(segment.name, indent + 4, eol)}`);
    indent += 4;
  }
  lines.push(`${' '.repeat(indent)}description: ${renderBlockValue(description, indent, eol)}`);
  return lines.join(eol);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies the intended change to plain data, creating missing lists and items like the text edit does. */
function applyToData(data: unknown, path: readonly PathSegment[], description: string): Json {
  const root: Record<string, Json> = isObject(data) ? data : {};
  let parent = root;
  for (const segment of path) {
    const existing = parent[segment.key];
    const list: Json[] = Array.isArray(existing) ? existing : [];
    parent[segment.key] = list;
    const names = list.map((item) => (isObject(item) && (typeof item.name === 'string' || typeof item.name === 'number') ? String(item.name) : undefined));
    const index = pickNamed(names, segment);
    let item = index >= 0 ? list[index] : undefined;
    if (!isObject(item)) {
      item = { name: segment.name };
      list.push(item);
    }
    parent = item;
  }
  parent.description = description;
  return root;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

/**
 * Checks that `edited` parses and equals `original` with exactly the intended change applied.
 * Returns a problem description, or undefined when the edit is right.
 */
export function verifyEdit(original: string, edited: string, target: DescriptionTarget, description: string): string | undefined {
  const after = parseDocument(edited, { uniqueKeys: false });
  if (after.errors.length > 0) return `the result does not parse (${after.errors[0]?.message.split('\n')[0] ?? ''})`;
  const expected = applyToData(parseDocument(original, { uniqueKeys: false }).toJS(), targetPath(target), description);
  const actual: unknown = after.toJS();
  return deepEqual(expected, actual) ? undefined : 'the result differs from the intended change';
}
