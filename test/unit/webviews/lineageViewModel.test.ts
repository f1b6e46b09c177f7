import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { columnGraph, readAdjacency, storeReader } from '../../../extension/ui/lineageData';
import { GraphSession } from '../../../webviews/lineage/graphSession';
import { HEADER_HEIGHT, ROW_HEIGHT, columnCard, initialCollapse, MIN_SCALE, MAX_WIDTH, openFold, sideFoldId, levelFoldId, traceOf, visibleGraph, type Card, type Collapse, type VisibleNode } from '../../../webviews/lineage/viewModel';
import { layoutInput, nodeWidth, portId, runLayout, type Box, type Measure, type Placed } from '../../../webviews/lineage/layout';
import { fitGraph } from '../../../webviews/lineage/fit';
import type { GraphEdge, GraphNode } from '../../../webviews/lineage/protocol';

// The lineage view model on the real sample catalog and on generated graphs, laid out by the real ELK.

/** 7.5 px per character: a deterministic stand-in for the page's canvas measurement. */
const measure: Measure = (text) => text.length * 7.5;
const ORDERS = 'model.jaffle_duck.orders';

function node(id: string, depth: number, columns: GraphNode['columns'] = []): GraphNode {
  return { id, name: id, kind: 'model', project: 'p', depth, dangling: false, more: {}, degree: { upstream: 0, downstream: 0 }, columns };
}

/** A wide graph: the root, `levels` levels upstream, each with `width` nodes, every node reading all of the next level. */
function wide(levels: number, width: number): { nodes: Map<string, GraphNode>; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>([['root', node('root', 0)]]);
  const edges: GraphEdge[] = [];
  let previous = ['root'];
  for (let d = 1; d <= levels; d++) {
    const level = Array.from({ length: width }, (_, i) => `n${d}_${i}`);
    for (const id of level) nodes.set(id, node(id, -d));
    for (const id of level) for (const p of previous) if (p === 'root' || Number(p.split('_')[1]) % width === Number(id.split('_')[1])) edges.push({ from: id, to: p, kind: 'ref' });
    previous = level;
  }
  return { nodes, edges };
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function assertNoOverlap(placed: Placed): void {
  const boxes = [...placed.nodes.entries()];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(boxes[i]![1], boxes[j]![1]), `${boxes[i]![0]} overlaps ${boxes[j]![0]}`);
}

async function lay(nodes: Map<string, GraphNode>, edges: GraphEdge[], rootId: string, collapse: Collapse): Promise<{ vis: ReturnType<typeof visibleGraph>; placed: Placed; cards: Map<string, Card> }> {
  const vis = visibleGraph(nodes, edges, rootId, collapse);
  const cards = new Map(vis.nodes.map((n) => [n.id, columnCard(n, { expanded: false, filter: '' })]));
  return { vis, cards, placed: await runLayout(layoutInput(vis.nodes, vis.edges, cards, measure)) };
}

describe('lineage view model', () => {
  let dir: string;
  let store: CatalogStore;

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mallard-lineage-vm-'));
    store = CatalogStore.open(path.join(dir, 'catalog.db'));
    const scanner = new WorkspaceScanner(store, { root: path.resolve(__dirname, '../../../samples/jaffle_duck'), workers: 0, git: false });
    await scanner.scan();
    await scanner.dispose();
  });

  after(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lays out the catalog lineage of orders left to right with no overlapping nodes and every column in the cards', async function () {
    this.timeout(30_000);
    const catalog = { store };
    const page = new GraphSession(storeReader(catalog, readAdjacency(catalog)), 200).open(ORDERS);
    const nodes = new Map(page.nodes.map((n) => [n.id, n]));
    const closure = store.modelLineage(ORDERS, { direction: 'both' });
    assert.equal(nodes.size, closure.nodes.length, 'the page holds the whole closure');
    const ordersColumns = store.columnsOf(ORDERS);
    assert.deepEqual(nodes.get(ORDERS)?.columns.map((c) => c.name), ordersColumns.map((c) => c.name), 'the card lists the catalog columns in order');
    assert.ok(ordersColumns.some((c) => c.type) ? nodes.get(ORDERS)?.columns.some((c) => c.type) : true, 'types travel with the columns');
    const { vis, placed } = await lay(nodes, page.edges, ORDERS, { depthUp: 99, depthDown: 99, perLevel: 99, openLevels: [] });
    assert.equal(vis.nodes.length, nodes.size, 'nothing folded when everything is allowed');
    assertNoOverlap(placed);
    // Left to right: every edge goes from a node that ends left of where its target starts.
    for (const e of vis.edges) {
      const a = placed.nodes.get(e.from)!;
      const b = placed.nodes.get(e.to)!;
      assert.ok(a.x + a.width <= b.x, `${e.from} is left of ${e.to}`);
    }
  });

  it('in column mode puts a port at each traced row and a transformation label on each column edge', async function () {
    this.timeout(30_000);
    const catalog = { store };
    const page = new GraphSession(storeReader(catalog, readAdjacency(catalog)), 200).open(ORDERS);
    const nodes = new Map(page.nodes.map((n) => [n.id, n]));
    const graph = columnGraph(catalog, ORDERS, 'balance_due', false, 2000);
    assert.ok(graph.edges.length > 0, 'balance_due has column lineage');
    const trace = traceOf(graph);
    const vis = visibleGraph(nodes, page.edges, ORDERS, { depthUp: 99, depthDown: 99, perLevel: 99, openLevels: [] });
    const cards = new Map(vis.nodes.map((n) => [n.id, columnCard(n, { expanded: false, filter: '', trace })]));
    const orders = cards.get(ORDERS)!;
    assert.deepEqual(orders.rows.filter((r) => r.state === 'root').map((r) => r.id), [`${ORDERS}#balance_due`]);
    for (const [id, card] of cards) {
      if (trace.byNode.has(id)) assert.equal(card.rows.length, trace.byNode.get(id)!.size, `${id} lists exactly its traced columns`);
      else assert.equal(card.expanded, false, `${id} outside the trace stays folded`);
    }
    const input = layoutInput(vis.nodes, vis.edges, cards, measure, trace);
    const columnEdges = (input.edges ?? []).filter((e) => e.id.startsWith('c:'));
    assert.equal(columnEdges.length, graph.edges.length, 'one ELK edge per column edge');
    for (const e of columnEdges) assert.ok(e.labels?.[0]?.text && graph.edges.some((g) => `c:${g.from}->${g.to}` === e.id && g.transform === e.labels?.[0]?.text));
    const ordersNode = input.children?.find((c) => c.id === ORDERS);
    const rootPort = ordersNode?.ports?.find((p) => p.id === portId(`${ORDERS}#balance_due`, 'in'));
    const rootRow = orders.rows.findIndex((r) => r.state === 'root');
    assert.equal(rootPort?.y, HEADER_HEIGHT + rootRow * ROW_HEIGHT + ROW_HEIGHT / 2, 'the port sits on its row');
    const placed = await runLayout(input);
    assertNoOverlap(placed);
    for (const e of columnEdges) assert.ok((placed.edges.get(e.id)?.points.length ?? 0) >= 2, `${e.id} is routed`);
  });

  it('folds levels beyond the kept depth into one "+N" node per side and redirects their edges once', () => {
    const { nodes, edges } = wide(4, 3);
    const vis = visibleGraph(nodes, edges, 'root', { depthUp: 2, depthDown: 0, perLevel: 99, openLevels: [] });
    const fold = vis.nodes.find((n) => n.id === sideFoldId('upstream'));
    assert.equal(fold?.name, '+6');
    assert.equal(fold?.depth, -3);
    assert.deepEqual(new Set(fold?.folded?.ids), new Set(['n3_0', 'n3_1', 'n3_2', 'n4_0', 'n4_1', 'n4_2']));
    const drawn = new Set(vis.nodes.map((n) => n.id));
    for (const e of vis.edges) assert.ok(drawn.has(e.from) && drawn.has(e.to), 'edges only between drawn nodes');
    assert.equal(new Set(vis.edges.map((e) => `${e.from}>${e.to}`)).size, vis.edges.length, 'no edge twice');
    assert.deepEqual(vis.edges.filter((e) => e.from === fold?.id).map((e) => e.to).sort(), ['n2_0', 'n2_1', 'n2_2']);
    const opened = visibleGraph(nodes, edges, 'root', openFold({ depthUp: 2, depthDown: 0, perLevel: 99, openLevels: [] }, fold!));
    assert.equal(opened.nodes.find((n) => n.id === sideFoldId('upstream'))?.name, '+3', 'opening shows the next level');
  });

  it('folds the overflow of a crowded level, keeping the root and the best-connected nodes', () => {
    const nodes = new Map<string, GraphNode>([['root', node('root', 0)]]);
    const edges: GraphEdge[] = [];
    for (let i = 0; i < 10; i++) {
      nodes.set(`u${i}`, node(`u${i}`, -1));
      edges.push({ from: `u${i}`, to: 'root', kind: 'ref' });
    }
    nodes.set('x', node('x', -2));
    edges.push({ from: 'x', to: 'u7', kind: 'ref' });
    const vis = visibleGraph(nodes, edges, 'root', { depthUp: 5, depthDown: 5, perLevel: 4, openLevels: [] });
    const level = vis.nodes.filter((n) => n.depth === -1);
    assert.equal(level.length, 4, 'three nodes and the "+N" node');
    assert.ok(level.some((n) => n.id === 'u7'), 'u7 has the most drawn neighbours');
    assert.equal(vis.nodes.find((n) => n.id === levelFoldId(-1))?.name, '+7');
    const pinned = visibleGraph(nodes, edges, 'root', { depthUp: 0, depthDown: 0, perLevel: 4, openLevels: [] }, new Set(['u2', 'x']));
    assert.ok(pinned.nodes.some((n) => n.id === 'u2') && pinned.nodes.some((n) => n.id === 'x'), 'traced (pinned) nodes are never folded, by level or by depth');
    const open = visibleGraph(nodes, edges, 'root', { depthUp: 5, depthDown: 5, perLevel: 4, openLevels: [-1] });
    assert.equal(open.nodes.filter((n) => n.depth === -1).length, 10);
  });

  it('opens large graphs fitted at 11 px or more by folding, never by shrinking', async function () {
    this.timeout(60_000);
    const { nodes, edges } = wide(8, 9);
    const view = { width: 900, height: 560 };
    const card = (n: VisibleNode): Card => columnCard(n, { expanded: false, filter: '' });
    const result = await fitGraph({ nodes, edges, rootId: 'root', view, measure, collapse: initialCollapse(nodes, view, 150), card, tighten: true });
    assert.ok(result.fit >= MIN_SCALE, `fits at ${result.fit.toFixed(3)} (12 px text at ${(12 * result.fit).toFixed(1)} px)`);
    assert.ok(Math.min(1, view.width / result.placed.width, view.height / result.placed.height) >= MIN_SCALE, 'the drawing itself fits');
    const folds = result.nodes.filter((n) => n.kind === 'more');
    const folded = folds.reduce((s, n) => s + (n.folded?.ids.length ?? 0), 0);
    assert.ok(folded > 0, 'a 73-node graph does not fit 900×560 without folding');
    assert.equal(result.nodes.length - folds.length + folded, nodes.size, 'every node is drawn or counted in a "+N"');
    assert.ok(result.nodes.length - folds.length > 1, 'more than the root is drawn');
    assertNoOverlap(result.placed);
  });

  it('fits the sample catalog in a half-width panel, narrowing long names before folding', async function () {
    this.timeout(60_000);
    const catalog = { store };
    const page = new GraphSession(storeReader(catalog, readAdjacency(catalog)), 200).open(ORDERS);
    const nodes = new Map(page.nodes.map((n) => [n.id, n]));
    const card = (n: VisibleNode): Card => columnCard(n, { expanded: false, filter: '' });
    for (const width of [600, 900, 1400]) {
      const view = { width, height: 760 };
      const result = await fitGraph({ nodes, edges: page.edges, rootId: ORDERS, view, measure, collapse: initialCollapse(nodes, view, 150), card, tighten: true });
      assert.ok(result.fit >= MIN_SCALE, `${width} px: fits at ${result.fit.toFixed(3)}`);
      assertNoOverlap(result.placed);
      const drawn = result.nodes.filter((n) => n.kind !== 'more').length;
      assert.ok(drawn >= (width >= 900 ? 4 : 2), `${width} px: ${drawn} nodes drawn besides folds`);
    }
  });

  it('builds column cards: folded by default, types listed, filtered by name or type, filter box only for long lists', () => {
    const columns = Array.from({ length: 14 }, (_, i) => ({ name: `col_${i}`, ...(i % 2 ? { type: 'integer' } : { type: 'varchar' }) }));
    const n: VisibleNode = { id: 'model.p.m', name: 'm', kind: 'model', depth: 0, dangling: false, columns };
    assert.deepEqual(columnCard(n, { expanded: false, filter: '' }), { expanded: false, rows: [], filterBox: false, hidden: 14, visibleRows: 0, height: HEADER_HEIGHT });
    const open = columnCard(n, { expanded: true, filter: '' });
    assert.equal(open.rows.length, 14);
    assert.equal(open.rows[3]?.type, 'integer');
    assert.equal(open.rows[3]?.id, 'model.p.m#col_3');
    assert.equal(open.filterBox, true);
    const filtered = columnCard(n, { expanded: true, filter: 'COL_1' });
    assert.deepEqual(filtered.rows.map((r) => r.name), ['col_1', 'col_10', 'col_11', 'col_12', 'col_13']);
    assert.equal(filtered.height, open.height, 'filtering never changes the card height (no re-layout while typing)');
    assert.equal(columnCard(n, { expanded: true, filter: 'integer' }).rows.length, 7);
    assert.equal(columnCard({ ...n, columns: columns.slice(0, 3) }, { expanded: true, filter: '' }).filterBox, false);
  });

  it('sizes nodes to their names within bounds', () => {
    const short: VisibleNode = { id: 'a', name: 'a', kind: 'model', depth: 0, dangling: false, columns: [] };
    assert.equal(nodeWidth({ ...short, name: 'x'.repeat(200) }, measure), MAX_WIDTH);
    assert.ok(nodeWidth({ ...short, name: 'x'.repeat(20) }, measure) > nodeWidth(short, measure));
  });
});
