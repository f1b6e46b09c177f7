import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MergeResult, SyncRow } from '../../../core/sync/mergePatch';
import { mergePatch } from '../../../core/sync/mergePatch';
import type { FieldPatch, IncomingChange, JsonValue } from '../../../core/sync/ops';
import type { VersionVector } from '../../../core/sync/versionVector';
import { SERVER_ENTRY, compareVectors } from '../../../core/sync/versionVector';
import type { Step } from './mergeSimulation';
import { REPLICA_IDS, SIM_FIELDS, TARGET, runSimulation } from './mergeSimulation';

const [A, B, C] = REPLICA_IDS as [string, string, string];

function patchOp(replicaId: string, vector: VersionVector, patch: FieldPatch): IncomingChange {
  return { target: TARGET, replicaId, vector, action: 'patch', patch };
}

function applied(result: MergeResult): Extract<MergeResult, { outcome: 'applied' }> {
  assert.equal(result.outcome, 'applied', JSON.stringify(result));
  return result as Extract<MergeResult, { outcome: 'applied' }>;
}

/** The row after A wrote every field once. */
function baseRow(): SyncRow {
  return applied(mergePatch(undefined, patchOp(A, {}, { description: 'orders', owners: ['ann'], tags: ['core'], classification: 'internal', 'meta.tier': 1 }))).row;
}

const valueOf: Record<(typeof SIM_FIELDS)[number], fc.Arbitrary<JsonValue>> = {
  description: fc.constantFrom<JsonValue>('a', 'b', 'c', null),
  owners: fc.oneof(fc.subarray(['ann', 'bob', 'cy'], { minLength: 1 }), fc.constant(null)),
  tags: fc.oneof(fc.subarray(['x', 'y', 'z']), fc.constant(null)),
  'meta.tier': fc.constantFrom<JsonValue>(1, 2, 3, null),
  futureField: fc.constantFrom<JsonValue>({ v: 1 }, { v: 2 }, null),
};

const patchArb = fc.record(valueOf, { requiredKeys: [] });

const stepArb = (replicas: number, withRetire: boolean): fc.Arbitrary<Step> => {
  const replica = fc.nat({ max: replicas - 1 });
  const steps: fc.Arbitrary<Step>[] = [
    fc.record({ type: fc.constant('edit' as const), replica, patch: patchArb }),
    fc.record({ type: fc.constant('push' as const), replica }),
    fc.record({ type: fc.constant('push' as const), replica }),
    fc.record({ type: fc.constant('pull' as const), replica }),
  ];
  const weighted = [...steps.map((arbitrary) => ({ arbitrary, weight: 4 })), { arbitrary: fc.record({ type: fc.constant('delete' as const), replica }), weight: 1 }];
  if (withRetire) weighted.push({ arbitrary: fc.record({ type: fc.constant('retire' as const), replica }), weight: 1 });
  return fc.oneof(...weighted);
};

describe('sync contract: mergePatch', () => {
  it('applies a sequential patch and records nothing', () => {
    const row = baseRow();
    const next = applied(mergePatch(row, patchOp(B, row.vector, { description: 'orders v2', owners: ['bob'], tags: ['pii'] })));
    assert.deepEqual(next.row.fields, { description: 'orders v2', owners: ['bob'], tags: ['pii'], classification: 'internal', 'meta.tier': 1 });
    assert.deepEqual([next.conflicts, next.losers], [[], []]);
    assert.deepEqual(next.vector, { [A]: 1, [B]: 1 });
  });

  it('follows each field policy when the same field changed concurrently', () => {
    const row = baseRow();
    const fromB = applied(mergePatch(row, patchOp(B, row.vector, { description: 'by B', owners: ['bob'], tags: ['b'], 'meta.tier': 2 }))).row;
    // C edits from the same base, without having seen B's change.
    const result = applied(mergePatch(fromB, patchOp(C, row.vector, { description: 'by C', owners: ['cy'], tags: ['c'], 'meta.tier': 3, classification: 'pii.email' })));
    assert.equal(result.row.fields.description, 'by C', 'docs text: last write to reach the server wins');
    assert.deepEqual(result.row.fields.owners, ['bob'], 'owners: the server value stays');
    assert.deepEqual(result.row.fields.tags, ['b', 'c'], 'tags: union');
    assert.equal(result.row.fields['meta.tier'], 3);
    assert.equal(result.row.fields.classification, 'pii.email', 'a field only C changed merges without a conflict');
    assert.deepEqual(result.conflicts.map((c) => [c.field, c.serverValue, c.incomingValue]), [['owners', ['bob'], ['cy']]]);
    assert.deepEqual(
      result.losers.map((l) => [l.field, l.value, l.reason]),
      [
        ['description', 'by B', 'overwritten'],
        ['tags', ['c'], 'union'],
        ['meta.tier', 2, 'overwritten'],
      ],
    );
    assert.equal(compareVectors(result.vector, fromB.vector), 'dominates');
  });

  it('delete wins over a concurrent edit, in either order, and keeps the edit to restore', () => {
    const row = baseRow();
    const edit = patchOp(B, row.vector, { description: 'edited' });
    const del: IncomingChange = { target: TARGET, replicaId: C, vector: row.vector, action: 'delete' };
    const editThenDelete = applied(mergePatch(applied(mergePatch(row, edit)).row, del));
    const deleteThenEdit = applied(mergePatch(applied(mergePatch(row, del)).row, edit));
    for (const result of [editThenDelete, deleteThenEdit]) {
      assert.ok(result.row.deleted !== undefined);
      assert.deepEqual(result.row.fields, {});
      assert.deepEqual(
        result.losers.map((l) => [l.field, l.value, l.reason]),
        [['description', 'edited', 'deleted']],
      );
    }
    assert.deepEqual(editThenDelete.row, deleteThenEdit.row);
    // An edit made after seeing the delete restores the row with its own fields only.
    const restored = applied(mergePatch(deleteThenEdit.row, patchOp(A, deleteThenEdit.vector, { description: 'back' })));
    assert.equal(restored.row.deleted, undefined);
    assert.deepEqual(restored.row.fields, { description: 'back' });
  });

  it('treats a retried op as a duplicate and changes nothing', () => {
    const row = baseRow();
    const op = patchOp(B, row.vector, { description: 'once' });
    const first = applied(mergePatch(row, op));
    const again = mergePatch(first.row, op);
    assert.equal(again.outcome, 'duplicate');
    assert.equal(again.outcome === 'duplicate' && again.row, first.row);
  });

  it('refuses unknown kinds, read-only kinds, invalid values and retired replicas', () => {
    const cases: [IncomingChange, string][] = [
      [{ ...patchOp(A, {}, { description: 'x' }), target: { kind: 'glossaryTerm', id: 't' } }, 'unknown-kind'],
      [{ ...patchOp(A, {}, { payload: {} }), target: { kind: 'catalogEntity', id: 'model.p.x' } }, 'read-only'],
      [patchOp(A, {}, { classification: 'Not A Key' }), 'invalid-op'],
      [patchOp(A, {}, { tags: 'core' }), 'invalid-op'],
    ];
    for (const [op, code] of cases) {
      const result = mergePatch(undefined, op);
      assert.equal(result.outcome === 'rejected' && result.code, code, JSON.stringify(op));
    }
    const trusted = mergePatch(undefined, { ...patchOp(A, {}, { payload: { name: 'x' } }), target: { kind: 'catalogEntity', id: 'model.p.x' } }, { trusted: true });
    assert.equal(trusted.outcome, 'applied', 'server-side writers may write the org catalog');
    const retired = mergePatch(undefined, patchOp(A, {}, { description: 'x' }), { isRetired: (id) => id === A });
    assert.equal(retired.outcome === 'rejected' && retired.code, 'invalid-op');
  });

  it('counts a folded change as seen only when the op saw every folded change', () => {
    const [D, E] = REPLICA_IDS.slice(3) as [string, string];
    const retired = new Set<string>();
    const options = { isRetired: (id: string) => retired.has(id) };
    let row = applied(mergePatch(undefined, patchOp(C, {}, { tags: ['c'] }))).row;
    row = applied(mergePatch(row, patchOp(B, row.vector, { description: 'b1' }))).row;
    const seenByD = row.vector; // D pulls here: it has seen B:1 and C:1.
    row = applied(mergePatch(row, patchOp(B, row.vector, { description: 'b2' }))).row;
    // B retires and a later write folds it; then C retires and the next write folds it too.
    retired.add(B);
    row = applied(mergePatch(row, patchOp(E, row.vector, { 'meta.a': 1 }), options)).row;
    retired.add(C);
    row = applied(mergePatch(row, patchOp(E, row.vector, { 'meta.b': 1 }), options)).row;
    assert.deepEqual(Object.keys(row.vector).sort(), [SERVER_ENTRY, E].sort(), 'retired entries fold into the server entry');
    // D's base folds to as many changes as B's first fold held, but D never saw b2.
    const result = applied(mergePatch(row, patchOp(D, seenByD, { description: 'd' }), options));
    assert.equal(result.row.fields.description, 'd');
    assert.deepEqual(
      result.losers.map((l) => [l.field, l.value]),
      [['description', 'b2']],
      'b2 is overwritten by an op that had not seen it: it must be kept as a loser',
    );
  });

  it('keeps fields it does not know, and applies unknown fields of a newer client', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^x[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null), { minKeys: 1, maxKeys: 4 }),
        patchArb.filter((p) => !('futureField' in p) && Object.keys(p).length > 0),
        (unknown, patch) => {
          const row = applied(mergePatch(baseRow(), patchOp(C, { [A]: 1 }, unknown as FieldPatch))).row;
          for (const [field, value] of Object.entries(unknown)) assert.deepEqual(row.fields[field], value, 'a newer client writes unknown fields');
          // An older client (B) that does not know them patches known fields only.
          const next = applied(mergePatch(row, patchOp(B, row.vector, patch as FieldPatch))).row;
          for (const field of Object.keys(unknown)) {
            assert.deepEqual(next.fields[field], row.fields[field]);
            assert.deepEqual(next.provenance[field], row.provenance[field]);
          }
        },
      ),
      { seed: 1301, numRuns: 200 },
    );
  });

  it('detects concurrency exactly when the op had not seen the server value, and loses no edit (randomized)', () => {
    let concurrent = 0;
    let conflicts = 0;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(stepArb(4, false), { minLength: 30, maxLength: 100 }), (replicas, steps) => {
        const { stats } = runSimulation(steps, replicas);
        concurrent += stats.concurrentFields;
        conflicts += stats.conflicts;
        assert.equal(stats.spuriousConcurrent, 0);
      }),
      { seed: 1302, numRuns: 300 },
    );
    assert.ok(concurrent > 100 && conflicts > 20, `the runs must exercise concurrency (${concurrent} concurrent fields, ${conflicts} conflicts)`);
  });

  it('commutes where it must: disjoint fields, unions, delete vs edit, and the vector; loses no value either way', () => {
    const opArb = fc.oneof(
      { arbitrary: patchArb.filter((p) => Object.keys(p).length > 0).map((patch) => ({ action: 'patch' as const, patch: patch as FieldPatch })), weight: 4 },
      { arbitrary: fc.constant({ action: 'delete' as const }), weight: 1 },
    );
    fc.assert(
      fc.property(patchArb, opArb, opArb, (start, x, y) => {
        const row = Object.keys(start).length === 0 ? undefined : applied(mergePatch(undefined, patchOp(A, {}, start as FieldPatch))).row;
        const base = row?.vector ?? {};
        const opB: IncomingChange = { target: TARGET, replicaId: B, vector: base, ...x };
        const opC: IncomingChange = { target: TARGET, replicaId: C, vector: base, ...y };
        const bc1 = applied(mergePatch(row, opB));
        const bc = applied(mergePatch(bc1.row, opC));
        const cb1 = applied(mergePatch(row, opC));
        const cb = applied(mergePatch(cb1.row, opB));
        assert.deepEqual(bc.vector, cb.vector);
        assert.equal(bc.row.deleted !== undefined, cb.row.deleted !== undefined, 'delete wins in both orders');
        const touchedByBoth = x.action === 'patch' && y.action === 'patch' ? Object.keys(x.patch).filter((f) => f in y.patch) : [];
        for (const field of new Set([...Object.keys(bc.row.fields), ...Object.keys(cb.row.fields)])) {
          const order = (f: string): string => (f === 'tags' ? 'union' : touchedByBoth.includes(f) ? 'policy' : 'commutes');
          if (order(field) !== 'policy') assert.deepEqual(bc.row.fields[field], cb.row.fields[field], `${field} must not depend on arrival order`);
        }
        // Same-field last-writer-wins / keep-server results depend on order by design, but the values
        // that survive somewhere (row, conflicts, losers) are the same either way.
        const survivors = (rs: Extract<MergeResult, { outcome: 'applied' }>[], final: SyncRow): string[] =>
          [
            ...Object.entries(final.fields).map(([f, v]) => `${f}=${JSON.stringify(v)}`),
            ...rs.flatMap((r) => [...r.conflicts.flatMap((c) => [`${c.field}=${JSON.stringify(c.incomingValue)}`]), ...r.losers.map((l) => `${l.field}=${JSON.stringify(l.value)}`)]),
          ]
            .filter((s) => !s.startsWith('tags=') && !s.endsWith('=null'))
            .sort();
        assert.deepEqual(new Set(survivors([bc1, bc], bc.row)), new Set(survivors([cb1, cb], cb.row)));
      }),
      { seed: 1303, numRuns: 500 },
    );
  });

  it('stays sound with retired replicas folded: bounded vectors, no missed concurrency, no lost edit (randomized)', () => {
    let folded = 0;
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 6 }), fc.array(stepArb(6, true), { minLength: 60, maxLength: 160 }), (replicas, steps) => {
        const { row } = runSimulation(steps, replicas, { fold: true });
        if (row !== undefined && (row.vector[SERVER_ENTRY] ?? 0) > 0) folded++;
      }),
      { seed: 1304, numRuns: 300 },
    );
    assert.ok(folded > 30, `runs must fold retired replicas (${folded})`);
  });
});
