import assert from 'node:assert/strict';
import { parseInvitationLink } from '../../../core/admin/invitationLink';

/** The accept link of an invitation e-mail, as the URI handler and "Accept Invitation" read it. */
describe('invitation accept links', () => {
  const org = '0b9e2a4c-5d1f-4e6a-9b3c-2d7e8f901234';
  const token = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';

  it('reads the organization and token of a whole link, of a URI handler query, and of an accept page', () => {
    assert.deepEqual(parseInvitationLink(`vscode://mallard.mallard/invite?org=${org}&token=${token}`), { orgId: org, token });
    assert.deepEqual(parseInvitationLink(`org=${org}&token=${token}`), { orgId: org, token });
    assert.deepEqual(parseInvitationLink(`  https://acme.example/invite?token=${encodeURIComponent(token)}&org=${org}#x \n`), { orgId: org, token });
  });

  it('says what is missing and never quotes the token', () => {
    const problems = [
      parseInvitationLink(''),
      parseInvitationLink(token),
      parseInvitationLink(`https://acme.example/invite?token=${token}`),
      parseInvitationLink(`https://acme.example/invite?org=${org}&token=short`),
      parseInvitationLink(`https://acme.example/invite?org=not-a-uuid&token=${token}`),
    ];
    for (const p of problems) {
      assert.ok('problem' in p, JSON.stringify(p));
      assert.ok(!p.problem.includes(token));
    }
    assert.match((problems[1] as { problem: string }).problem, /whole link/);
    assert.match((problems[2] as { problem: string }).problem, /organization/);
    assert.match((problems[3] as { problem: string }).problem, /token/);
  });
});
