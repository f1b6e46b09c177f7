import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIRECT_KINDS, TransformKind } from '../../../core/model/entities';
import type { ModelEdge } from '../../../core/model/entities';
import type { LineageDirection } from '../../../extension/catalog/catalogTypes';
import { column, columnEdge, entity, facts, modelEdge, tempStore } from './catalogFixtures';

/**
 * Closures and impact analysis against a brute-force BFS on random graphs (cycles, self-loops,
 * parallel edges with different labels, dangling ids). Depth limits cover both CTE strategies.
 */

interface RawEdge {
  from: string;
  to: string;
  label: string;
}

function bruteWalk(edges: readonly RawEdge[], root: string, downstream: boolean, maxDepth: number | undefined, allowed: (l: string) => boolean) {
  const depth = new Map<string, number>([[root, 0]]);
  const traversed = new Set<string>();
  let frontier = [root];
  for (let d = 0; frontier.length > 0 && (maxDepth === undefined || d < maxDepth); d++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const e of edges) {
        if (!allowed(e.label) || (downstream ? e.from : e.to) !== node) continue;
        traversed.add(`${e.from}|${e.to}|${e.label}`);
        const other = downstream ? e.to : e.from;
        if (!depth.has(other)) {
          depth.set(other, d + 1);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return { depth, traversed };
}

function bruteBoth(edges: readonly RawEdge[], root: string, direction: LineageDirection, maxDepth: number | undefined, allowed: (l: string) => boolean) {
  const depth = new Map<string, number>();
  const traversed = new Set<string>();
  const walks: [ReturnType<typeof bruteWalk>, number][] = [];
  if (direction !== 'downstream') walks.push([bruteWalk(edges, root, false, maxDepth, allowed), -1]);
  if (direction !== 'upstream') walks.push([bruteWalk(edges, root, true, maxDepth, allowed), 1]);
  for (const [w, sign] of walks) {
    for (const [id, d] of w.depth) {
      const prev = depth.get(id);
      if (prev === undefined || Math.abs(d) <= Math.abs(prev)) depth.set(id, d === 0 ? 0 : sign * d);
    }
    for (const t of w.traversed) traversed.add(t);
  }
  return { depth, traversed };
}

const NODES = 14;
const graphArb = fc.record({
  edges: fc.array(fc.record({ from: fc.nat(NODES - 1), to: fc.nat(NODES - 1), label: fc.constantFrom(...TransformKind.options) }), { maxLength: 45 }),
  withEntity: fc.array(fc.boolean(), { minLength: NODES, maxLength: NODES }),
  root: fc.nat(NODES - 1),
  maxDepth: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  direction: fc.constantFrom<LineageDirection>('upstream', 'downstream', 'both'),
  includeIndirect: fc.boolean(),
});

const modelId = (i: number): string => `model.p.n${i}`;
/** Three columns per entity spread over few entities, so column graphs cross entity boundaries. */
const colId = (i: number): string => `model.p.n${i % 5}#c${Math.floor(i / 5)}`;

describe('catalog store: closures and impact vs brute-force BFS (property)', () => {
  let env: ReturnType<typeof tempStore>;
  before(() => {
    env = tempStore();
  });
  after(() => env.cleanup());

  it('model-level closure matches BFS (nodes, depths, edges, dangling ids)', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const kinds: ModelEdge['kind'][] = ['ref', 'source'];
        const raw = g.edges.map((e, i) => ({ from: modelId(e.from), to: modelId(e.to), label: kinds[i % 2] ?? 'ref' }));
        env.store.replaceAll(
          facts({
            entities: g.withEntity.flatMap((has, i) => (has ? [entity(modelId(i))] : [])),
            modelEdges: raw.map((e) => ({ ...modelEdge(e.from, e.to), kind: e.label as ModelEdge['kind'] })),
          }),
        );
        const root = modelId(g.root);
        const got = env.store.modelLineage(root, { direction: g.direction, maxDepth: g.maxDepth });
        const want = bruteBoth(raw, root, g.direction, g.maxDepth, () => true);
        assert.deepEqual(new Map(got.nodes.map((n) => [n.id, n.depth])), want.depth);
        assert.deepEqual(new Set(got.edges.map((e) => `${e.from}|${e.to}|${e.kind}`)), want.traversed);
        for (const n of got.nodes) assert.equal(n.entity !== undefined, g.withEntity[Number(n.id.slice('model.p.n'.length))]);
      }),
      { numRuns: 150, seed: 20261122 },
    );
  });

  it('column-level closure matches BFS, direct-only or with indirect edges', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const raw = g.edges.map((e) => ({ from: colId(e.from), to: colId(e.to), label: e.label }));
        env.store.replaceAll(facts({ columnEdges: raw.map((e) => columnEdge(e.from, e.to, e.label as TransformKind)) }));
        const root = colId(g.root);
        const allowed = (l: string): boolean => g.includeIndirect || DIRECT_KINDS.has(l as TransformKind);
        const got = env.store.columnLineage(root, { direction: g.direction, maxDepth: g.maxDepth, includeIndirect: g.includeIndirect });
        const want = bruteBoth(raw, root, g.direction, g.maxDepth, allowed);
        assert.deepEqual(new Map(got.nodes.map((n) => [n.id, n.depth])), want.depth);
        assert.deepEqual(new Set(got.edges.map((e) => `${e.from}|${e.to}|${e.transform}`)), want.traversed);
        for (const n of got.nodes) assert.equal(`${n.entityId}#${n.column}`, n.id);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('impact lists every downstream column once with a valid shortest path, direct when possible', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const raw = g.edges.map((e) => ({ from: colId(e.from), to: colId(e.to), label: e.label }));
        env.store.replaceAll(
          facts({
            entities: [0, 1, 2, 3, 4].map((i) => entity(modelId(i))),
            columns: [],
            columnEdges: raw.map((e) => columnEdge(e.from, e.to, e.label as TransformKind)),
          }),
        );
        const root = colId(g.root);
        const allowed = (l: string): boolean => g.includeIndirect || DIRECT_KINDS.has(l as TransformKind);
        const report = env.store.impact(root, { maxDepth: g.maxDepth, includeIndirect: g.includeIndirect });
        const want = bruteWalk(raw, root, true, g.maxDepth, allowed).depth;
        const directOnly = bruteWalk(raw, root, true, g.maxDepth, (l) => DIRECT_KINDS.has(l as TransformKind)).depth;
        want.delete(root);
        const got = new Map<string, number>();
        const edgeSet = new Set(raw.filter((e) => allowed(e.label)).map((e) => `${e.from}|${e.to}|${e.label}`));
        for (const group of report.entities) {
          assert.ok(group.entity !== undefined, 'all five entities exist');
          for (const c of group.columns) {
            assert.ok(!got.has(c.columnId), 'listed once');
            got.set(c.columnId, c.depth);
            assert.ok(c.columnId.startsWith(`${group.entityId}#`));
            assert.equal(c.path.length, c.depth + 1);
            assert.equal(c.path[0], root);
            assert.equal(c.path.at(-1), c.columnId);
            assert.equal(c.transforms.length, c.depth);
            c.transforms.forEach((t, i) => assert.ok(edgeSet.has(`${c.path[i]}|${c.path[i + 1]}|${t}`), 'each hop is an edge'));
            assert.equal(c.direct, directOnly.get(c.columnId) === c.depth);
          }
        }
        assert.deepEqual(got, want);
        assert.equal(report.columnCount, want.size);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('impact prefers the direct one of two equally short paths, whichever is found first', () => {
    for (const [viaIndirect, viaDirect] of [['b', 'c'], ['c', 'b']]) {
      env.store.replaceAll(
        facts({
          columnEdges: [
            columnEdge('model.p.a#x', `model.p.${viaIndirect}#x`, 'filter'),
            columnEdge('model.p.a#x', `model.p.${viaDirect}#x`, 'identity'),
            columnEdge(`model.p.${viaIndirect}#x`, 'model.p.d#x', 'identity'),
            columnEdge(`model.p.${viaDirect}#x`, 'model.p.d#x', 'transformation'),
          ],
        }),
      );
      const d = env.store.impact('model.p.a#x', { includeIndirect: true }).entities.find((e) => e.entityId === 'model.p.d')?.columns[0];
      assert.deepEqual(d?.path, ['model.p.a#x', `model.p.${viaDirect}#x`, 'model.p.d#x']);
      assert.deepEqual(d?.transforms, ['identity', 'transformation']);
      assert.equal(d?.direct, true);
    }
  });

  it('hand-checked impact: chain with an indirect filter edge', () => {
    env.store.replaceAll(
      facts({
        entities: ['model.p.a', 'model.p.b', 'model.p.c'].map((id) => entity(id)),
        columns: [column('model.p.a', 'amount'), column('model.p.b', 'amount'), column('model.p.b', 'status', 1), column('model.p.c', 'total')],
        columnEdges: [
          columnEdge('model.p.a#amount', 'model.p.b#amount', 'identity'),
          columnEdge('model.p.a#amount', 'model.p.b#status', 'filter'),
          columnEdge('model.p.b#amount', 'model.p.c#total', 'aggregation'),
        ],
      }),
    );
    const direct = env.store.impact('model.p.a#amount');
    assert.deepEqual(
      direct.entities.map((e) => [e.entityId, e.columns.map((c) => [c.column, c.depth, c.transforms.join('>')])]),
      [
        ['model.p.b', [['amount', 1, 'identity']]],
        ['model.p.c', [['total', 2, 'identity>aggregation']]],
      ],
    );
    const lineage = env.store.columnLineage('model.p.c#total', { direction: 'upstream' });
    assert.deepEqual(lineage.nodes.map((n) => [n.id, n.depth, n.entity?.name]), [
      ['model.p.a#amount', -2, 'a'],
      ['model.p.b#amount', -1, 'b'],
      ['model.p.c#total', 0, 'c'],
    ]);
    const all = env.store.impact('model.p.a#amount', { includeIndirect: true });
    assert.deepEqual(all.entities[0]?.columns.map((c) => [c.column, c.direct]), [['amount', true], ['status', false]]);
  });
});
