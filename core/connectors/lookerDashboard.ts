import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import { nodeId } from '../model/ids';
import type { FactsBuilder, FilePos } from './biFiles';
import type { ViewInfo } from './lookerView';

/**
 * LookML dashboards (`.dashboard.lookml`, YAML: a list of `- dashboard: name` documents with
 * `elements:`) → `dashboard` entities. Each tile (element) names a `model` and `explore` (an edge
 * from that explore's dataset) and `fields: [view.field, …]` (dashboard columns, each with an edge
 * from the view field it shows; a join alias in the explore is followed to its view). Dashboard-level
 * `filters:` with `explore`/`field` count the same way. YAML errors are diagnostics at their place.
 */

/** An explore as dashboards see it: its dataset id and alias → view name. */
export interface ExploreInfo {
  id: string;
  aliases: Map<string, string>;
}

/** Extracts the dashboards of one file. `explores` is keyed `<model>/<explore>`. */
export function extractLookerDashboards(b: FactsBuilder, text: string, file: string, project: string, explores: ReadonlyMap<string, ExploreInfo>, views: ReadonlyMap<string, ViewInfo>): void {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const posOf = (node: unknown): FilePos => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range === undefined) return { line: 1, column: 1 };
    const lp = lines.linePos(range[0]);
    return { line: lp.line, column: lp.col };
  };
  for (const e of doc.errors) {
    const lp = e.linePos?.[0];
    b.diagnostic(file, lp === undefined ? { line: 0, column: 0 } : { line: lp.line, column: lp.col }, 'yaml-syntax', `Malformed YAML: ${(e.message.split('\n')[0] as string).replace(/ at line \d+, column \d+:?$/, '')}.`);
  }
  if (doc.errors.length > 0) return;
  const root = doc.contents;
  const dashboards: YAMLMap[] = isSeq(root) ? (root.items as unknown[]).filter((x): x is YAMLMap => isMap(x)) : isMap(root) ? [root] : [];
  if (dashboards.length === 0) b.diagnostic(file, posOf(root), 'lookml-dashboard', 'Expected a list of "- dashboard: <name>" entries.');
  for (const d of dashboards) {
    const name = scalar(d.get('dashboard', true));
    if (name === undefined) {
      b.diagnostic(file, posOf(d), 'lookml-dashboard', 'A dashboard entry has no "dashboard:" name.');
      continue;
    }
    const id = nodeId('dashboard', project, name);
    const title = scalar(d.get('title', true));
    b.entity({ id, kind: 'dashboard', name, project, path: file, meta: { lookerType: 'dashboard', ...(title === undefined ? {} : { title }) } }, posOf(d));
    const tiles = [...items(d.get('elements', true)), ...items(d.get('filters', true))];
    for (const tile of tiles) {
      if (!isMap(tile)) continue;
      const model = scalar(tile.get('model', true));
      const exploreName = scalar(tile.get('explore', true));
      const at = posOf(tile);
      if (exploreName === undefined) continue;
      const explore = model === undefined ? [...explores.entries()].find(([k]) => k.endsWith(`/${exploreName}`))?.[1] : explores.get(`${model}/${exploreName}`);
      if (explore === undefined) {
        b.diagnostic(file, posOf(tile.get('explore', true)), 'bi-unknown-explore', `Tile "${scalar(tile.get('title', true)) ?? scalar(tile.get('name', true)) ?? ''}" uses explore "${model ?? '?'}/${exploreName}", which no model file defines.`, 'warning');
        continue;
      }
      b.modelEdge(explore.id, id, 'exposure', file, at);
      const fieldNodes = [...items(tile.get('fields', true)), ...items(tile.get('pivots', true))];
      const single = tile.get('field', true);
      if (single !== undefined) fieldNodes.push(single);
      for (const node of fieldNodes) {
        const ref = scalar(node);
        if (ref === undefined) continue;
        const [alias, field] = ref.split('.', 2) as [string, string | undefined];
        const view = views.get(explore.aliases.get(alias) ?? alias);
        const from = field === undefined ? undefined : view?.fields.get(field.toLowerCase());
        if (from === undefined) {
          b.diagnostic(file, posOf(node), 'bi-unknown-field', `Field "${ref}" is not a field of explore "${exploreName}".`, 'warning');
          continue;
        }
        b.columnEdge(from, b.column(id, ref, file, posOf(node)), 'identity', file, posOf(node));
      }
    }
  }
}

function scalar(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

function items(node: unknown): YamlNode[] {
  return isSeq(node) ? (node.items as YamlNode[]) : [];
}
