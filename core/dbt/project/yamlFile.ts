import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../../model/entities';
import { dropDuplicateKeys, toPlainData } from './yamlChecks';

/**
 * YAML files of a dbt project (properties, dbt_project.yml, packages.yml) read into plain data with
 * positions. Bad YAML never costs more than the broken part: syntax errors keep the entries that
 * still convert, a duplicate key keeps its first value, and an entry whose aliases expand without
 * bound (a "billion laughs" document) is left out, each with a located diagnostic.
 */

/** A parsed YAML file: plain data, a position lookup for keys/items, and syntax diagnostics. */
export interface YamlFile {
  data: unknown;
  /** 1-based position of the YAML node at a path of keys/indices, or the file start. */
  positionOf(path: (string | number)[]): { line: number; column: number };
  diagnostics: Diagnostic[];
}

/** Parses YAML text; syntax errors become diagnostics with the `yaml` package's positions. */
export function parseYamlFile(text: string, file: string, extractor = 'dbt-yaml'): YamlFile {
  const lc = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, logLevel: 'silent' });
  } catch (err) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'yaml-syntax', message: String(err), extractor });
    return { data: undefined, positionOf: () => ({ line: 1, column: 1 }), diagnostics };
  }
  for (const w of doc.warnings) {
    const pos = w.linePos?.[0] ?? lc.linePos(w.pos[0]);
    diagnostics.push({ file, line: Math.max(1, pos.line), column: Math.max(1, pos.col), severity: 'warning', code: 'yaml-warning', message: w.message.split('\n')[0] ?? w.message, extractor });
  }
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    diagnostics.push({ file, line: Math.max(1, pos.line), column: Math.max(1, pos.col), severity: 'error', code: 'yaml-syntax', message: e.message.split('\n')[0] ?? e.message, extractor });
  }
  diagnostics.push(...dropDuplicateKeys(doc, lc, file, extractor));
  let data: unknown;
  try {
    data = doc.errors.length > 0 ? salvage(doc.contents) : toPlainData(doc, lc, file, extractor, diagnostics);
  } catch {
    data = undefined;
  }
  const positionOf = (path: (string | number)[]): { line: number; column: number } => {
    try {
      let node: unknown = doc.contents;
      let best = 0;
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
          if (!pair) break;
          best = (pair.key as YamlNode).range?.[0] ?? best;
          node = pair.value;
        } else if (isSeq(node) && typeof key === 'number') {
          node = node.items[key];
          best = (node as YamlNode | undefined)?.range?.[0] ?? best;
        } else break;
      }
      const p = lc.linePos(best);
      return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
    } catch {
      return { line: 1, column: 1 };
    }
  };
  return { data, positionOf, diagnostics };
}

/** After a syntax error, keep whatever top-level entries still converted cleanly. */
function salvage(contents: unknown): unknown {
  if (!isMap(contents)) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of contents.items) {
    try {
      if (isScalar(pair.key)) out[String(pair.key.value)] = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    } catch {
      // A broken entry is dropped; its error is already reported with its position.
    }
  }
  return out;
}

/** Narrowing helpers for untyped YAML data. */
export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
