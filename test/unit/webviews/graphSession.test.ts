import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ModelEdgeKind } from '../../../core/model/entities';
import { GraphSession, type Direction, type LineageReader } from '../../../webviews/lineage/graphSession';
import { GraphPage, type GraphEdge } from '../../../webviews/lineage/protocol';

/** An in-memory graph: edges `[from, to]`, every id an entity unless listed as dangling. */
function reader(edges: readonly (readonly [string, string])[], dangling: readonly string[] = []): LineageReader & { calls: number } {
  const r = {
    calls: 0,
    node: (id: string) => (dangling.includes(id) ? undefined : { name: id.toUpperCase(), kind: 'model' as const, project: 'p' }),
    neighbors: (id: string, direction: Direction) => {
      r.calls++;
      return edges
        .filter(([from, to]) => (direction === 'upstream' ? to === id : from === id))
        .map(([from, to]) => ({ id: direction === 'upstream' ? from : to, kind: 'ref' as ModelEdgeKind }));
    },
  };
  return r;
}

/** Opens `root` and follows every cursor until none is left; returns all pages. */
function drain(session: GraphSession, root: string): GraphPage[] {
  const pages = [session.open(root)];
  const cursors = new Map<string, { upstream?: string; downstream?: string }>();
  for (let i = 0; i < pages.length; i++) {
    const page = pages[i]!;
    for (const n of page.nodes) cursors.set(n.id, { ...n.more });
    for (const u of page.updated) cursors.set(u.id, { ...u.more });
    const next = [...cursors.values()].flatMap((m) => [m.upstream, m.downstream]).find((c): c is string => c !== undefined);
    if (next) {
      const more = session.expand(next);
      assert.ok(more, 'a live cursor expands');
      pages.push(more);
    }
  }
  return pages;
}

const edgeKey = (e: Pick<GraphEdge, 'from' | 'to'>): string => `${e.from}->${e.to}`;

describe('lineage view-model: GraphSession paging', () => {
  const chain = [['src', 'stg'], ['stg', 'int'], ['int', 'mart'], ['other', 'int'], ['stg', 'side']] as const;

  it('first page: upstream and downstream closures with depths, edges and cursors for siblings only', () => {
    const page = new GraphSession(reader(chain), 100).open('int');
    const byId = new Map(page.nodes.map((n) => [n.id, n]));
    assert.deepEqual([...byId.keys()].sort(), ['int', 'mart', 'other', 'src', 'stg']);
    assert.deepEqual([...byId].map(([id, n]) => [id, n.depth]).sort(), [['int', 0], ['mart', 1], ['other', -1], ['src', -2], ['stg', -1]]);
    assert.deepEqual(page.edges.map(edgeKey).sort(), ['int->mart', 'other->int', 'src->stg', 'stg->int']);
    assert.ok(byId.get('stg')?.more.downstream, 'stg has an unsent downstream sibling (side)');
    assert.equal(byId.get('int')?.more.upstream, undefined);
    assert.deepEqual(byId.get('stg')?.degree, { upstream: 1, downstream: 2 });
    assert.equal(page.reset, true);
    assert.ok(GraphPage.safeParse(page).success, 'pages match the protocol schema');
  });

  it('expanding a cursor sends the sibling, its edge, and clears the cursor', () => {
    const session = new GraphSession(reader(chain), 100);
    const first = session.open('int');
    const cursor = first.nodes.find((n) => n.id === 'stg')?.more.downstream;
    const page = session.expand(cursor!);
    assert.deepEqual(page?.nodes.map((n) => [n.id, n.depth]), [['side', 0]]);
    assert.deepEqual(page?.edges.map(edgeKey), ['stg->side']);
    assert.deepEqual(page?.updated, [{ id: 'stg', more: {} }]);
  });

  it('never sends more than maxNodes in one page of a wide fan, and paging reaches every node once', () => {
    const fan = Array.from({ length: 1234 }, (_, i) => [`up${String(i).padStart(4, '0')}`, 'root'] as const);
    const session = new GraphSession(reader(fan), 100);
    const pages = drain(session, 'root');
    assert.ok(pages.every((p) => p.nodes.length <= 100));
    const ids = pages.flatMap((p) => p.nodes.map((n) => n.id));
    assert.equal(ids.length, 1235);
    assert.equal(new Set(ids).size, 1235);
    assert.equal(pages.length, 13);
    assert.equal(pages.flatMap((p) => p.edges).length, 1234);
  });

  it('rejects stale and malformed cursors', () => {
    const session = new GraphSession(reader(chain), 2);
    const first = session.open('int');
    const cursor = first.nodes[0]?.more.upstream ?? first.nodes[0]?.more.downstream;
    assert.ok(cursor);
    session.open('stg');
    assert.equal(session.expand(cursor), undefined);
    assert.equal(session.expand('garbage'), undefined);
    assert.equal(session.expand('u:1:not-sent'), undefined);
  });

  it('marks dangling ids', () => {
    const page = new GraphSession(reader([['missing_model', 'a']], ['missing_model']), 10).open('a');
    const missing = page.nodes.find((n) => n.id === 'missing_model');
    assert.deepEqual([missing?.dangling, missing?.kind, missing?.name], [true, 'unknown', 'missing_model']);
  });

  it('on random graphs, pages stay bounded and together hold the connected component exactly once (property)', () => {
    const graph = fc
      .integer({ min: 1, max: 40 })
      .chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 120, selector: ([a, b]) => `${a}-${b}` })));
    fc.assert(
      fc.property(graph, fc.integer({ min: 1, max: 12 }), ([n, pairs], maxNodes) => {
        // Edges point from the lower to the higher number, so the graph is a DAG like lineage.
        const edges = pairs.filter(([a, b]) => a < b).map(([a, b]) => [`n${a}`, `n${b}`] as const);
        const pages = drain(new GraphSession(reader(edges), maxNodes), 'n0');
        // Weakly connected component of n0.
        const component = new Set(['n0']);
        for (let grew = true; grew; ) {
          grew = false;
          for (const [a, b] of edges) {
            if (component.has(a) !== component.has(b)) {
              component.add(a).add(b);
              grew = true;
            }
          }
        }
        const ids = pages.flatMap((p) => p.nodes.map((x) => x.id));
        assert.ok(pages.every((p) => p.nodes.length <= maxNodes));
        assert.equal(ids.length, new Set(ids).size, 'no node twice');
        assert.deepEqual(new Set(ids), component);
        const sentEdges = pages.flatMap((p) => p.edges.map(edgeKey));
        assert.equal(sentEdges.length, new Set(sentEdges).size, 'no edge twice');
        assert.deepEqual(new Set(sentEdges), new Set(edges.filter(([a]) => component.has(a)).map(([a, b]) => `${a}->${b}`)));
        void n;
      }),
      { numRuns: 200 },
    );
  });
});
