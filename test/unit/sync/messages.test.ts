import assert from 'node:assert/strict';
import { compareCursors, isSettled, Cursor } from '../../../core/sync/cursor';
import { SYNC_ERRORS, SyncError, httpStatusOf } from '../../../core/sync/errors';
import { SYNC_LIMITS, SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import { SyncOp } from '../../../core/sync/ops';
import { PullRequest, PullResponse } from '../../../core/sync/pullMessages';
import { PushRequest, PushResponse } from '../../../core/sync/pushMessages';
import { ROW_KINDS, fieldSpec, fieldValueProblem, splitFieldPath } from '../../../core/sync/rowKinds';

const ORG = '11111111-1111-4111-8111-111111111111';
const REPLICA = 'aaaaaaaa-0000-4000-8000-000000000001';
const CONFLICT_ID = '22222222-2222-4222-8222-222222222222';

function op(opNumber: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: SYNC_SCHEMA_VERSION,
    replicaId: REPLICA,
    opNumber,
    target: { kind: 'entity', id: 'model.shop.orders' },
    action: 'patch',
    patch: { description: 'Orders', 'meta.owner team': 'finance' },
    vector: opNumber > 1 ? { [REPLICA]: opNumber - 1 } : {},
    createdAt: '2026-12-04T10:00:00.000Z',
    ...extra,
  };
}

function pullResponse(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    cursor: { epoch: '1', xid: '18446744073709551615', seq: '3' },
    rows: [
      {
        target: { kind: 'column', id: 'model.shop.orders#amount', future: 'kept' },
        teamId: null,
        fields: { description: 'Gross', newerField: { a: [1] } },
        provenance: { description: { [REPLICA]: 1 } },
        vector: { [REPLICA]: 1 },
        rowExtra: 1,
      },
    ],
    tombstones: [{ target: { kind: 'entity', id: 'model.shop.gone' }, teamId: ORG, vector: { '*': 4 } }],
    scopes: { added: [{ orgId: ORG, teamId: null }], removed: [] },
    records: {
      conflicts: [
        {
          id: CONFLICT_ID,
          target: { kind: 'entity', id: 'model.shop.orders' },
          op: { replicaId: REPLICA, opNumber: 2 },
          createdAt: '2026-12-04T10:00:01Z',
          status: 'open',
          field: 'owners',
          serverValue: ['ann'],
          serverProvenance: {},
          incomingValue: ['bob'],
          incomingProvenance: { [REPLICA]: 2 },
        },
      ],
      losers: [],
      rejections: [],
    },
    horizon: '18446744073709551615',
    hasMore: false,
    checksums: [{ scope: { orgId: ORG, teamId: null }, rows: 1, checksum: '123' }],
    ...extra,
  };
}

describe('sync contract: messages', () => {
  it('parses a push and keeps fields it does not know, at every level', () => {
    const body = { schemaVersion: 1, orgId: ORG, replicaId: REPLICA, ops: [op(1, { fromTheFuture: { x: 1 } }), op(2)], clientHint: 'v2' };
    const parsed = PushRequest.parse(JSON.parse(JSON.stringify(body)));
    const again = PushRequest.parse(JSON.parse(JSON.stringify(parsed)));
    assert.deepEqual(again, parsed);
    assert.equal((again as Record<string, unknown>).clientHint, 'v2');
    assert.deepEqual((again.ops[0] as Record<string, unknown>).fromTheFuture, { x: 1 });
  });

  it('refuses pushes that are malformed or too large', () => {
    const base = { schemaVersion: 1, orgId: ORG, replicaId: REPLICA };
    const other = 'bbbbbbbb-0000-4000-8000-000000000002';
    const bad: [string, unknown, string][] = [
      ['no ops', { ...base, ops: [] }, 'ops'],
      ['op of another replica', { ...base, ops: [op(1, { replicaId: other })] }, 'ops.0.replicaId'],
      ['op numbers going back', { ...base, ops: [op(2), op(1)] }, 'ops.1.opNumber'],
      ['op number 0', { ...base, ops: [op(0)] }, 'ops.0.opNumber'],
      ['whole-row put (no patch)', { ...base, ops: [op(1, { patch: undefined })] }, 'ops.0.patch'],
      ['too many fields', { ...base, ops: [op(1, { patch: Object.fromEntries(Array.from({ length: SYNC_LIMITS.maxPatchFields + 1 }, (_, i) => [`f${i}`, 1])) })] }, 'ops.0.patch'],
      ['bad field path', { ...base, ops: [op(1, { patch: { '.x': 1 } })] }, 'ops.0.patch..x'],
      ['too many ops', { ...base, ops: Array.from({ length: SYNC_LIMITS.maxOpsPerPush + 1 }, (_, i) => op(i + 1)) }, 'ops'],
      ['unknown action', { ...base, ops: [op(1, { action: 'put' })] }, 'ops.0.action'],
    ];
    assert.equal(PushRequest.safeParse({ ...base, ops: [op(1), op(2), op(4)] }).success, true, 'the well-formed base parses (gaps are the server\'s to stop at)');
    for (const [why, body, path] of bad) {
      const result = PushRequest.safeParse(body);
      assert.equal(result.success, false, why);
      assert.equal(result.error?.issues[0]?.path.join('.'), path, why);
    }
    assert.equal(SyncOp.safeParse(op(3, { action: 'delete', patch: undefined })).success, true, 'a delete has no patch');
  });

  it('parses push responses with every ack kind', () => {
    const response = {
      schemaVersion: 1,
      acks: [
        { opNumber: 1, status: 'applied' },
        { opNumber: 2, status: 'duplicate' },
        { opNumber: 3, status: 'rejected', code: 'forbidden', message: 'no permission catalog.edit on team Finance' },
        { opNumber: 4, status: 'conflict', conflicts: (pullResponse().records as { conflicts: unknown[] }).conflicts },
      ],
      lastApplied: 4,
      txid: '9007199254740993',
      stopped: { reason: 'gap', expected: 5, message: 'op 7 arrived, 5 expected' },
    };
    const parsed = PushResponse.parse(response);
    assert.deepEqual(
      parsed.acks.map((a) => a.status),
      ['applied', 'duplicate', 'rejected', 'conflict'],
    );
    assert.equal(PushResponse.safeParse({ ...response, txid: 9007199254740993 }).success, false, 'an xid as a JSON number would be rounded');
    assert.equal(PushResponse.safeParse({ ...response, acks: [{ opNumber: 3, status: 'rejected', code: 'oops', message: '' }] }).success, false);
  });

  it('parses pull messages and round-trips unknown fields of rows and records', () => {
    const parsed = PullResponse.parse(pullResponse());
    const row = parsed.rows[0] as Record<string, unknown> & { target: Record<string, unknown>; fields: Record<string, unknown> };
    assert.equal(row.rowExtra, 1);
    assert.equal(row.target.future, 'kept');
    assert.deepEqual(row.fields.newerField, { a: [1] });
    assert.deepEqual(PullResponse.parse(JSON.parse(JSON.stringify(parsed))), parsed);
    assert.equal(PullRequest.safeParse({ schemaVersion: 1, orgId: ORG, replicaId: REPLICA, cursor: null }).success, true);
    assert.equal(PullRequest.safeParse({ schemaVersion: 1, orgId: ORG, replicaId: REPLICA, cursor: null, limit: SYNC_LIMITS.maxPageRows + 1 }).success, false);
    assert.equal(PullResponse.safeParse(pullResponse({ horizon: '18446744073709551616' })).success, false, 'beyond 2^64 - 1');
    assert.equal(PullResponse.safeParse(pullResponse({ horizon: '007' })).success, false, 'leading zeros');
  });

  it('orders cursors exactly beyond 2^53', () => {
    const c = (epoch: string, xid: string, seq: string): Cursor => Cursor.parse({ epoch, xid, seq });
    // 2^53 + 1 and 2^53 are the same JSON number; as strings they compare exactly.
    assert.equal(Number('9007199254740993'), Number('9007199254740992'));
    assert.equal(compareCursors(c('1', '9007199254740993', '0'), c('1', '9007199254740992', '5')), 1);
    assert.equal(compareCursors(c('1', '10', '2'), c('1', '9', '7')), 1, 'numeric, not lexicographic');
    assert.equal(compareCursors(c('1', '10', '2'), c('2', '1', '0')), -1, 'epoch first');
    assert.equal(compareCursors(c('1', '10', '2'), c('1', '10', '2')), 0);
    assert.equal(isSettled('9007199254740992', '9007199254740993'), true);
    assert.equal(isSettled('9007199254740993', '9007199254740993'), false);
  });

  it('maps error codes to HTTP statuses and back, retrying only transient ones', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(SYNC_ERRORS).map(([code, e]) => [code, e.status])),
      {
        'bad-request': 400,
        unauthorized: 401,
        forbidden: 403,
        'not-found': 404,
        'method-not-allowed': 405,
        conflict: 409,
        'replica-retired': 409,
        'cursor-expired': 410,
        'epoch-changed': 410,
        'budget-exceeded': 402,
        'provider-error': 424,
        'payload-too-large': 413,
        'client-too-old': 426,
        'rate-limited': 429,
        internal: 500,
        unavailable: 503,
        timeout: 504,
      },
    );
    const err = new SyncError('forbidden', 'not a member of org duckworks');
    assert.equal(err.httpStatus, httpStatusOf('forbidden'));
    assert.deepEqual(err.toEnvelope(), { code: 'forbidden', message: 'not a member of org duckworks' });
    const back = SyncError.fromResponse(403, err.toEnvelope());
    assert.ok(SyncError.is(back, 'forbidden') && !back.retryable);
    assert.ok(SyncError.is(SyncError.fromResponse(503, { code: 'some-new-code', message: 'x' }), 'unavailable'), 'unknown code: by status');
    assert.ok(SyncError.fromResponse(502, '<html>bad gateway</html>').retryable, 'a gateway page is transient');
    assert.ok(SyncError.is(SyncError.fromResponse(418, null), 'bad-request'));
    assert.equal(new SyncError('timeout', 't').retryable, true);
  });

  it('declares every synced field with a policy in one registry', () => {
    assert.deepEqual(
      Object.entries(ROW_KINDS).map(([kind, spec]) => [kind, spec.writable]),
      [
        ['entity', true],
        ['column', true],
        ['catalogEntity', false],
        ['catalogColumn', false],
      ],
    );
    assert.equal(fieldSpec('entity', 'description').policy, 'last-writer-wins');
    assert.equal(fieldSpec('column', 'owners').policy, 'keep-server');
    assert.equal(fieldSpec('entity', 'classification').policy, 'keep-server');
    assert.equal(fieldSpec('entity', 'tags').policy, 'set-union');
    assert.equal(fieldSpec('entity', 'glossaryTerms').policy, 'set-union');
    assert.equal(fieldSpec('entity', 'meta.any key').policy, 'last-writer-wins');
    assert.equal(fieldSpec('entity', 'somethingNew').policy, 'last-writer-wins', 'unknown fields: kept, last writer wins');
    assert.deepEqual(splitFieldPath('meta.a.b'), { field: 'meta', key: 'a.b' });
    assert.equal(fieldValueProblem('entity', 'classification', 'PII'), 'entity field classification: a classification is a lower-case key like pii.email');
    assert.equal(fieldValueProblem('entity', 'tags', null), undefined, 'null unsets any field');
    assert.equal(fieldValueProblem('entity', 'somethingNew', { any: ['json'] }), undefined);
  });
});
