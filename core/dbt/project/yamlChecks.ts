import { isAlias, isMap, isNode, isScalar, visit, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../../model/entities';

/**
 * Checks on a parsed YAML document that the `yaml` package leaves to the caller: duplicate keys in a
 * mapping (dbt's loader accepts them silently) and alias expansion without bound. Both keep what
 * can be kept and say where the problem is.
 */

/** How many alias expansions one top-level entry may cost (the `yaml` package's `maxAliasCount`). */
export const MAX_ALIAS_COUNT = 1000;

function positionOf(lc: LineCounter, offset: number | undefined): { line: number; column: number } {
  const p = lc.linePos(offset ?? 0);
  return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
}

/**
 * Removes the later of two equal keys in every mapping, so the first value wins, and returns one
 * warning per removed key, located at it and naming the line of the kept one.
 */
export function dropDuplicateKeys(doc: Document, lc: LineCounter, file: string, extractor: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, YamlNode>();
      const keep = map.items.filter((pair) => {
        if (!isScalar(pair.key)) return true;
        const name = String(pair.key.value);
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, pair.key);
          return true;
        }
        const at = positionOf(lc, pair.key.range?.[0]);
        const firstLine = positionOf(lc, first.range?.[0]).line;
        out.push({ file, ...at, severity: 'warning', code: 'yaml-duplicate-key', message: `duplicate key '${name}' in this mapping (first at line ${firstLine}); the first value wins and this one is ignored`, extractor });
        return false;
      });
      if (keep.length !== map.items.length) map.items = keep;
    },
  });
  return out;
}

/** The first alias node inside `node` (where an alias bomb starts), or the node itself. */
function firstAlias(node: unknown): YamlNode | undefined {
  let found: YamlNode | undefined;
  if (!isNode(node)) return undefined;
  if (isAlias(node)) return node;
  visit(node, {
    Alias(_, alias) {
      found = alias;
      return visit.BREAK;
    },
  });
  return found ?? node;
}

function aliasDiagnostic(lc: LineCounter, node: unknown, file: string, extractor: string, what: string): Diagnostic {
  const at = positionOf(lc, firstAlias(node)?.range?.[0]);
  return {
    file, ...at, severity: 'error', code: 'yaml-alias-limit', extractor,
    message: `${what} expands YAML aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb, or "billion laughs"); it is ignored`,
  };
}

/**
 * Converts the document to plain data. When aliases expand too much, each top-level entry is
 * converted on its own: the entries within the limit are kept and each one over it gets an error at
 * its first alias, so one bad entry does not drop the whole file.
 */
export function toPlainData(doc: Document, lc: LineCounter, file: string, extractor: string, diagnostics: Diagnostic[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
  }
  const contents = doc.contents;
  if (!isMap(contents)) {
    diagnostics.push(aliasDiagnostic(lc, contents, file, extractor, 'this document'));
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const pair of contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    try {
      out[key] = isNode(pair.value) ? pair.value.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) : (pair.value ?? null);
    } catch {
      diagnostics.push(aliasDiagnostic(lc, pair.value, file, extractor, `the entry '${key}'`));
    }
  }
  return out;
}
