import assert from 'node:assert/strict';
import { auditCsv, csvField } from '../../../core/admin/auditCsv';
import { AdminRequest, ADMIN_OP_PERMISSIONS, ADMIN_OPS } from '../../../core/admin/protocol';
import { ADMIN_RESPONSES } from '../../../core/admin/responses';
import type { AuditEntry } from '../../../core/admin/responses';

/**
 * The audit CSV (RFC 4180 quoting, spreadsheet formulas neutralised) and the admin contract's
 * shape: every op has a permission entry and an answer schema, and every request needs `orgId`.
 */
describe('admin contract and audit CSV', () => {
  const entry = (over: Partial<AuditEntry>): AuditEntry => ({
    id: 7, occurredAt: '2026-12-03T10:00:00.000Z', actorId: null, actorEmail: null, actorTokenId: null, actorRole: 'authenticated',
    action: 'teams.insert', targetTable: 'teams', targetId: 't1', before: null, after: { name: 'x' }, ...over,
  });

  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(42), '42');
  });

  it('neutralises text a spreadsheet would run as a formula, but not negative numbers', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-3), '-3');
  });

  it('writes a header and one CRLF-terminated row per entry, JSON images compact', () => {
    const text = auditCsv([entry({ after: { name: 'a,"b"' } }), entry({ id: 6, action: 'teams.delete', before: { name: 'x' }, after: null })]);
    assert.equal(text, [
      'id,occurred_at,actor_id,actor_email,actor_token_id,actor_role,action,target_table,target_id,before,after',
      '7,2026-12-03T10:00:00.000Z,,,,authenticated,teams.insert,teams,t1,,"{""name"":""a,\\""b\\""""}"',
      '6,2026-12-03T10:00:00.000Z,,,,authenticated,teams.delete,teams,t1,"{""name"":""x""}",',
      '',
    ].join('\r\n'));
  });

  it('every op has a permission entry and an answer schema; every request needs orgId', () => {
    assert.deepEqual([...ADMIN_OPS].sort(), Object.keys(ADMIN_RESPONSES).sort());
    assert.equal(ADMIN_OPS.length, 34);
    for (const op of ADMIN_OPS) {
      const parsed = AdminRequest.safeParse({ op });
      assert.equal(parsed.success, false, op);
      assert.ok(parsed.error?.issues.some((i) => i.path[0] === 'orgId'), `${op} requires orgId`);
    }
    assert.equal(ADMIN_OP_PERMISSIONS['members.remove'], 'members.manage');
  });
});
