import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import type { SyncOp } from '../../../core/sync/ops';
import { PullResponse, encodePullPage } from '../../../core/sync/pullMessages';
import type { PulledRow, Tombstone } from '../../../core/sync/pullMessages';
import { PushRequest, encodePushRequest } from '../../../core/sync/pushMessages';
import { SERVER_ENTRY, incrementVector, sortedVector } from '../../../core/sync/versionVector';
import type { VersionVector } from '../../../core/sync/versionVector';
import { MemoryServer } from '../../../sync/memory/memoryServer';
import { pageClockShare } from '../../../scripts/bench/clockShare';

/**
 * The compact clock encoding (schema version 2, `core/sync/clockCodec.ts`): pages and pushes
 * round-trip exactly through JSON with many replicas, a page of small metadata rows spends at most
 * 10 % of its bytes on clocks, and a malformed dictionary index is refused with its path.
 */

const ORG = '11111111-1111-4111-8111-111111111111';
const replicaId = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const REPLICAS = Array.from({ length: 400 }, (_, i) => replicaId(i + 1));

function page(rows: PulledRow[], tombstones: Tombstone[] = []): PullResponse {
  return {
    schemaVersion: SYNC_SCHEMA_VERSION,
    cursor: { epoch: '1', xid: '100', seq: '1' },
    rows,
    tombstones,
    scopes: { added: [], removed: [] },
    records: { conflicts: [], losers: [], rejections: [] },
    horizon: '200',
    hasMore: false,
    checksums: [],
  };
}

/** Through JSON and the contract's schema, as a client reads a page. */
const overTheWire = (wire: unknown): PullResponse => PullResponse.parse(JSON.parse(JSON.stringify(wire)));

const vectorArb: fc.Arbitrary<VersionVector> = fc
  .dictionary(fc.constantFrom(...REPLICAS, SERVER_ENTRY), fc.integer({ min: 1, max: 2 ** 40 }), { minKeys: 1, maxKeys: 40 })
  .map((v) => sortedVector(v));

/**
 * A row whose provenance takes every shape the encoder distinguishes: equal to the row vector, one
 * dot at the row's counter, one dot below it, several entries, an unset field with provenance, and a
 * set field without provenance.
 */
const rowArb: fc.Arbitrary<PulledRow> = fc
  .record({ id: fc.integer({ min: 0, max: 1e6 }), vector: vectorArb, shapes: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }), other: vectorArb })
  .map(({ id, vector, shapes, other }) => {
    const fields: Record<string, string> = {};
    const provenance: Record<string, VersionVector> = {};
    const [first, counter] = Object.entries(vector)[0] as [string, number];
    shapes.forEach((shape, i) => {
      const path = `meta.k${i}`;
      if (shape !== 4) fields[path] = `value ${i}`;
      if (shape === 0) provenance[path] = vector;
      else if (shape === 1) provenance[path] = { [first]: counter };
      else if (shape === 2 && counter > 1) provenance[path] = { [first]: counter - 1 };
      else if (shape === 3 || shape === 4) provenance[path] = other;
    });
    return { target: { kind: 'entity', id: `model.p.m${id}` }, teamId: null, fields, provenance, vector };
  });

describe('sync contract: compact clocks (schema version 2)', () => {
  it('round-trips pages with hundreds of replicas exactly, provenance of every shape included', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), fc.array(vectorArb, { maxLength: 5 }), (rows, deleted) => {
        const tombstones = deleted.map((vector, i) => ({ target: { kind: 'column', id: `model.p.gone#c${i}` }, teamId: ORG, vector }));
        const original = page(rows, tombstones);
        const wire = encodePullPage(original);
        assert.ok(wire.rows.every((r) => 'v' in r && !('vector' in r)), 'rows travel compact');
        assert.deepEqual(overTheWire(wire), original);
      }),
      { seed: 1313, numRuns: 200 },
    );
  });

  it('keeps one dictionary entry per replica of the page, and full (version 1) pages still parse', () => {
    const rows = REPLICAS.map((r, i): PulledRow => {
      const vector = sortedVector({ [r]: i + 1, [REPLICAS[(i + 1) % REPLICAS.length] as string]: 2 });
      return { target: { kind: 'entity', id: `model.p.m${i}` }, teamId: null, fields: { description: `d${i}` }, provenance: { description: { [r]: i + 1 } }, vector };
    });
    const wire = encodePullPage(page(rows));
    assert.equal(wire.replicas?.length, REPLICAS.length);
    assert.equal(new Set(wire.replicas).size, REPLICAS.length);
    assert.deepEqual(overTheWire(wire), page(rows));
    assert.deepEqual(overTheWire(page(rows)), page(rows), 'a version 1 page (full vectors) decodes to itself');
  });

  it('spends at most 10 % of a page of small metadata rows on clocks (the full form spends about half)', () => {
    // What the sync benchmark pushes and pulls: a description, two tags and a meta key per row,
    // written by a few replicas; some rows edited by a second replica after the first.
    const writers = REPLICAS.slice(0, 4);
    const rows = Array.from({ length: 1000 }, (_, i): PulledRow => {
      const a = writers[i % 4] as string;
      const b = writers[(i + 1) % 4] as string;
      const fields = { description: `Edited description ${i}`, tags: ['bench', `t${i % 7}`], 'meta.owner_team': `team-${i % 5}` };
      if (i % 3 !== 0) {
        const vector = { [a]: 1 };
        return { target: { kind: 'entity', id: `model.push.m${i}` }, teamId: null, fields, provenance: { description: vector, tags: vector, 'meta.owner_team': vector }, vector };
      }
      const vector = incrementVector({ [a]: 1 }, b);
      return { target: { kind: 'entity', id: `model.push.m${i}` }, teamId: null, fields, provenance: { description: { [b]: 1 }, tags: { [a]: 1 }, 'meta.owner_team': { [a]: 1 } }, vector };
    });
    const share = (form: (p: PullResponse) => unknown, subset: PulledRow[]) => pageClockShare([JSON.parse(JSON.stringify(form(page(subset))))]);
    const full = share((p) => p, rows);
    const compact = share(encodePullPage, rows);
    assert.ok(full.percent > 40, `the full form spends ${full.percent} %`);
    assert.ok(compact.percent <= 10, `compact clocks spend ${compact.percent} % of the row bytes`);
    // Rows one replica wrote (the benchmark's): within 10 % even counting the property names `v`, `d`, `p`.
    const single = share(encodePullPage, rows.filter((_, i) => i % 3 !== 0));
    assert.ok(single.percentWithKeys <= 10, `with their property names, ${single.percentWithKeys} %`);
  });

  it('refuses a page whose clocks name replicas outside its dictionary, at the clock', () => {
    const one = (extra: Record<string, unknown>) => ({
      ...page([]),
      replicas: [REPLICAS[0]],
      rows: [{ target: { kind: 'entity', id: 'model.p.x' }, teamId: null, fields: { description: 'x' }, v: [0, 3], ...extra }],
    });
    const cases: [string, unknown, string, RegExp][] = [
      ['row vector index', one({ v: [1, 3] }), 'rows.0.v.0', /replica index 1 is not in the message's replica dictionary \(1 entry\)/],
      ['odd pairs', one({ v: [0, 3, 1] }), 'rows.0.v', /\[index, counter\] pairs; it has 3 numbers/],
      ['zero counter', one({ v: [0, 0] }), 'rows.0.v.1', /must be positive, got 0/],
      ['repeated replica', one({ v: [0, 1, 0, 2] }), 'rows.0.v.2', /appears twice/],
      ['provenance index', one({ p: { description: 7 } }), 'rows.0.p.description', /replica index 7 is not in the message's replica dictionary/],
      ['provenance vector index', one({ p: { description: [0, 1, 2, 1] } }), 'rows.0.p.description.2', /replica index 2 is not/],
      ['tombstone index', { ...page([]), replicas: [], tombstones: [{ target: { kind: 'entity', id: 'model.p.y' }, teamId: null, v: [0, 1] }] }, 'tombstones.0.v.0', /\(0 entries\)/],
      ['dictionary repeats a replica', { ...one({}), replicas: [REPLICAS[0], REPLICAS[0]] }, 'replicas', /each replica once/],
    ];
    for (const [why, body, path, message] of cases) {
      const result = PullResponse.safeParse(body);
      assert.equal(result.success, false, why);
      assert.equal(result.error?.issues[0]?.path.join('.'), path, why);
      assert.match(result.error?.issues[0]?.message ?? '', message, why);
    }
    // A single-dot provenance must name a replica of the row vector (its counter comes from there).
    const foreign = PullResponse.safeParse({ ...one({ p: { description: 1 } }), replicas: [REPLICAS[0], REPLICAS[1]] });
    assert.match(foreign.error?.issues[0]?.message ?? '', /names a replica the row vector does not have/);
  });
});

describe('sync contract: compact pushes', () => {
  const me = REPLICAS[0] as string;
  const op = (opNumber: number, vector: VersionVector): SyncOp => ({
    schemaVersion: SYNC_SCHEMA_VERSION, replicaId: me, opNumber, target: { kind: 'entity', id: `model.p.m${opNumber}` },
    vector, createdAt: '2026-12-03T10:00:00.000Z', action: 'patch', patch: { description: `d${opNumber}` },
  });

  it('round-trips ops with many replicas, leaving out the op replica ids', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(vectorArb, fc.constant({})), { minLength: 1, maxLength: 50 }), (vectors) => {
        const request: PushRequest = { schemaVersion: SYNC_SCHEMA_VERSION, orgId: ORG, replicaId: me, ops: vectors.map((v, i) => op(i + 1, v)) };
        const wire = JSON.parse(JSON.stringify(encodePushRequest(request))) as { ops: Record<string, unknown>[] };
        assert.ok(wire.ops.every((o) => Array.isArray(o.vector) && !('replicaId' in o)));
        assert.deepEqual(PushRequest.parse(wire), request);
      }),
      { seed: 1314, numRuns: 200 },
    );
  });

  it('a dictionary index out of range is a bad request naming the op, and the memory server applies nothing', () => {
    const request: PushRequest = { schemaVersion: SYNC_SCHEMA_VERSION, orgId: ORG, replicaId: me, ops: [op(1, {}), op(2, { [me]: 1, [REPLICAS[1] as string]: 4 })] };
    const wire = encodePushRequest(request) as { replicas: string[]; ops: { vector: number[] }[] };
    (wire.ops[1] as { vector: number[] }).vector = [0, 1, 5, 4];
    const parsed = PushRequest.safeParse(wire);
    assert.equal(parsed.success, false);
    assert.equal(parsed.error?.issues[0]?.path.join('.'), 'ops.1.vector.2');
    assert.equal(parsed.error?.issues[0]?.message, "replica index 5 is not in the message's replica dictionary (2 entries)");

    const server = new MemoryServer();
    server.addUser('token-u', 'u');
    server.grant('u', ORG, { orgWide: true });
    const answer = server.handle('sync-push', JSON.parse(JSON.stringify(wire)), 'token-u');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { code: 'bad-request', message: "Invalid push: ops.1.vector.2: replica index 5 is not in the message's replica dictionary (2 entries)" });
    assert.equal(server.lastApplied.get(me) ?? 0, 0, 'op 1, well-formed, was not applied either');
    assert.equal(server.row(ORG, { kind: 'entity', id: 'model.p.m1' }), undefined);
  });
});
