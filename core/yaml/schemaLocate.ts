import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { pickNamed, targetPath, type DescriptionTarget } from './schemaTarget';

/** What a properties file says about one entry, with descriptions exactly as written (unrendered). */
export interface EntryInfo {
  /** The entry's own description as written, e.g. `{{ doc("orders") }}`; undefined when absent. */
  description?: string;
  /** Column name → description as written. */
  columns: Map<string, string | undefined>;
}

/** Finds `target` (ignoring its `column`) in a properties file; undefined when absent or unparsable. */
export function readEntry(text: string, target: DescriptionTarget): EntryInfo | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  let node: YAMLMap = doc.contents;
  const path = targetPath({ ...target, column: undefined });
  for (const segment of path) {
    const list = node.get(segment.key, true);
    if (!isSeq(list)) return undefined;
    const names = list.items.map((item) => (isMap(item) ? stringOf(item.get('name')) : undefined));
    const item = list.items[pickNamed(names, segment)];
    if (!isMap(item)) return undefined;
    node = item;
  }
  const columns = new Map<string, string | undefined>();
  const list = node.get('columns', true);
  if (isSeq(list)) {
    for (const item of list.items) {
      const name = isMap(item) ? stringOf(item.get('name')) : undefined;
      if (isMap(item) && name !== undefined) columns.set(name, stringOf(item.get('description')));
    }
  }
  return { description: stringOf(node.get('description')), columns };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** True when a description as written is templated (`{{ doc("…") }}` or other Jinja). */
export function isTemplated(raw: string | undefined): boolean {
  return raw !== undefined && raw.includes('{{');
}

/** The docs block a templated description points at, if it is exactly one `{{ doc("name") }}`. */
export function docBlockName(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : /^\s*\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}\s*$/.exec(raw)?.[1];
}
