import assert from 'node:assert/strict';
import type { AdminOp } from '../../../core/admin/protocol';
import { Capabilities } from '../../../webviews/admin/capabilities';
import { AdminSession, type AdminCaller } from '../../../webviews/admin/session';
import { parseAdminHostMessage, parseAdminWebviewMessage } from '../../../webviews/admin/protocol';
import { adminContextOf, adminRequestOf, AdminRouteError } from '../../../extension/ui/adminRouting';
import { BOB, id, member, ORG, who } from './adminFixtures';

/**
 * The admin view's state machine with a scripted caller (the host side is tested against the real
 * function in test/integration/ui/adminRouting.test.ts): where an error lands, what is loaded for
 * which caller, and that a stale answer never overwrites a newer session.
 */

type Script = Partial<Record<AdminOp, (params: unknown) => unknown>>;

function scripted(script: Script): { caller: AdminCaller; calls: AdminOp[] } {
  const calls: AdminOp[] = [];
  const caller = (async (op: AdminOp, params: unknown) => {
    calls.push(op);
    const answer = script[op];
    if (answer === undefined) throw new Error(`${op} is not scripted`);
    return answer(params);
  }) as AdminCaller;
  return { caller, calls };
}

describe('admin webview: session', () => {
  it('keeps a server error under the action that caused it and clears its busy flag', async () => {
    const { caller } = scripted({
      whoami: () => who(['members.invite', 'members.read']),
      'members.invite': () => {
        throw new Error('forbidden: members.invite is needed to invite people');
      },
    });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    const ok = await s.act('invite', 'members.invite', { email: 'a@b.test', roleId: id(1) }, undefined, [], 'Invited.');
    assert.equal(ok, false);
    assert.equal(s.errors.get('invite'), 'forbidden: members.invite is needed to invite people');
    assert.equal(s.notices.has('invite'), false);
    assert.equal(s.busy.size, 0);
    assert.equal(s.errors.size, 1, 'no other action shows the error');
  });

  it('a success shows its confirmation, applies the answer and reloads what it names', async () => {
    let listed = 0;
    const { caller, calls } = scripted({
      whoami: () => who(['members.read', 'roles.assign']),
      'members.setRole': () => ({ member: member(BOB, 'bob@x.test', []) }),
      'members.list': () => ({ members: [member(BOB, `bob${++listed}@x.test`, [])] }),
    });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    s.errors.set('role:b', 'an earlier failure');
    const ok = await s.act('role:b', 'members.setRole', { userId: BOB, roleId: id(1) }, (r) => (s.data.members = [r.member]), ['members'], 'Role changed.');
    assert.equal(ok, true);
    assert.equal(s.notices.get('role:b'), 'Role changed.');
    assert.equal(s.errors.has('role:b'), false);
    assert.deepEqual(calls, ['whoami', 'members.setRole', 'members.list']);
    assert.equal(s.data.members?.[0]?.email, 'bob1@x.test');
  });

  it('loads only the datasets the caller may read', async () => {
    const { caller, calls } = scripted({ whoami: () => who(['members.read', 'teams.read']), 'members.list': () => ({ members: [] }), 'teams.list': () => ({ teams: [] }) });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    await s.open('members');
    assert.deepEqual(calls.slice(1).sort(), ['members.list', 'teams.list']);
    assert.deepEqual(s.caps?.tabs(), ['members', 'teams']);
  });

  it('a failed load is shown at the top of the tab, keyed by its dataset', async () => {
    const { caller } = scripted({ whoami: () => who(['flags.read']), 'flags.list': () => Promise.reject(new Error('unavailable: try again')) });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    await s.open('flags');
    assert.equal(s.errors.get('load:flags'), 'unavailable: try again');
  });

  it('drops the answer of a request made before the session restarted (another user or organization)', async () => {
    let release: (() => void) | undefined;
    const { caller } = scripted({
      whoami: () => who(['members.read']),
      'members.list': () => new Promise((resolve) => (release = () => resolve({ members: [member(BOB, 'old-org@x.test', [])] }))),
    });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    const loading = s.reload('members');
    await s.start();
    release?.();
    await loading;
    assert.equal(s.data.members, undefined);
  });

  it('whoami failing is the start error (nothing else is asked)', async () => {
    const { caller, calls } = scripted({ whoami: () => Promise.reject(new Error('forbidden: not a member of this organization')) });
    const s = new AdminSession(caller, () => undefined);
    await s.start();
    await s.open('members');
    assert.equal(s.startError, 'forbidden: not a member of this organization');
    assert.deepEqual(calls, ['whoami']);
  });
});

describe('admin webview: protocol and host routing', () => {
  it('accepts an admin call, but never one that names the organization or an unknown op', () => {
    assert.equal(parseAdminWebviewMessage({ type: 'request', id: 1, method: 'members.invite', params: { email: 'a@b.test', roleId: id(1) } })?.type, 'request');
    assert.equal(parseAdminWebviewMessage({ type: 'request', id: 1, method: 'members.invite', params: { email: 'a@b.test', roleId: id(1), orgId: ORG } }), undefined);
    assert.equal(parseAdminWebviewMessage({ type: 'request', id: 1, method: 'members.drop', params: {} }), undefined);
    assert.equal(parseAdminWebviewMessage({ type: 'request', id: 1, method: 'exportAudit', params: { filter: { action: 'DROP' } } }), undefined);
    assert.equal(parseAdminWebviewMessage({ type: 'command', command: 'copy', text: '' }), undefined);
  });

  it('host messages: a context and responses with the method', () => {
    assert.equal(parseAdminHostMessage({ type: 'notify', event: 'context', context: { state: 'ready', orgId: ORG, orgLabel: 'Acme', signedInAs: 'me' } })?.type, 'notify');
    assert.equal(parseAdminHostMessage({ type: 'notify', event: 'context', context: { state: 'ready', orgId: 'acme', orgLabel: 'Acme', signedInAs: 'me' } }), undefined);
    assert.equal(parseAdminHostMessage({ type: 'response', id: 2, method: 'audit.query', ok: false, error: 'forbidden' })?.type, 'response');
  });

  it('the host adds the configured organization and checks the request against the contract', () => {
    const request = adminRequestOf({ type: 'request', id: 1, method: 'members.invite', params: { email: ' a@b.test ', roleId: id(1) } }, ORG);
    assert.deepEqual(request, { op: 'members.invite', orgId: ORG, email: 'a@b.test', roleId: id(1) });
    assert.throws(() => adminRequestOf({ type: 'request', id: 1, method: 'members.invite', params: { email: 'a@b.test', roleId: 'viewer' } }, ORG), (err: unknown) => err instanceof AdminRouteError && err.reason === 'bad-request' && /roleId/.test(err.message));
  });

  it('says why the panel cannot act yet, in order: project, sign-in, organization', () => {
    assert.equal(adminContextOf({ project: false, signedInAs: 'me', org: { id: ORG, name: 'Acme' } }).state, 'no-project');
    assert.equal(adminContextOf({ project: true, signedInAs: undefined, org: { id: ORG, name: 'Acme' } }).state, 'signed-out');
    assert.equal(adminContextOf({ project: true, signedInAs: 'me', org: undefined }).state, 'no-org');
    assert.deepEqual(adminContextOf({ project: true, signedInAs: 'me', org: { id: ORG, name: 'Acme' } }), { state: 'ready', orgId: ORG, orgLabel: 'Acme', signedInAs: 'me' });
  });
});

describe('admin webview: capabilities', () => {
  it('a team-scoped permission reaches sub-teams, not parents nor the organization', () => {
    const teams = [{ id: id(201), name: 'Data', parentId: null }, { id: id(202), name: 'Web', parentId: id(201) }];
    const capsOf = (teamId: string): Capabilities => new Capabilities(who(['teams.read'], [{ teamId, permission: 'teams.manage' }]), teams);
    assert.equal(capsOf(id(201)).can('teams.rename', id(202)), true);
    assert.equal(capsOf(id(202)).can('teams.rename', id(201)), false);
    assert.equal(capsOf(id(202)).can('teams.rename'), false);
    assert.equal(capsOf(id(202)).canSomewhere('teams.rename'), true);
  });

  it('shows a tab only to a caller who may load it', () => {
    assert.deepEqual(new Capabilities(who(['members.read', 'audit.view', 'keys.read'])).tabs(), ['members', 'llmKeys', 'audit']);
    assert.deepEqual(new Capabilities(who([])).tabs(), []);
  });
});
