import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../support/mochaPg';
import { AdminError } from '../../../extension/admin/adminClient';
import { exportAuditCsv, routeAdminCall } from '../../../extension/ui/adminRouting';
import { ADMIN_RESPONSES } from '../../../core/admin/responses';
import { parseAdminWebviewMessage, type AdminCall, type ExportAudit } from '../../../webviews/admin/protocol';
import { builtinRoles } from '../../support/orgFixture';
import { ids, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';

/**
 * The Manage Team panel's host routing (extension/ui/adminRouting.ts) against the real `admin`
 * function in Deno and Postgres with RLS: a message as the webview posts it, parsed by the
 * protocol, becomes a call for the window's organization with the signed-in user's token; the
 * answer is what the webview validates; a refusal carries the server's message (the text the view
 * shows inline); the audit export writes the server's CSV where the user chose.
 */
describe('Manage Team host routing (real admin function)', function () {
  this.timeout(180_000);
  let world: AdminWorld;
  let dir: string;

  /** A webview message, through the protocol parser the host uses. */
  const message = (method: string, params: Record<string, unknown>): AdminCall => {
    const parsed = parseAdminWebviewMessage({ type: 'request', id: 1, method, params });
    assert.ok(parsed?.type === 'request' && parsed.method !== 'exportAudit', `${method} is a valid webview call`);
    return parsed as AdminCall;
  };

  before(async () => {
    world = await startAdminWorld();
    dir = await mkdtemp(path.join(tmpdir(), 'mallard-admin-routing-'));
  });
  after(async () => {
    await world?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('an invitation from the view lands in the configured organization, with an answer the view accepts', async () => {
    const answer = await routeAdminCall(message('members.invite', { email: 'routed@example.test', roleId: builtinRoles.editor }), ids.orgA, world.as('admin'));
    assert.ok(ADMIN_RESPONSES['members.invite'].safeParse(answer).success);
    const rows = await world.db.admin<{ org_id: string; role_id: string }[]>`select org_id::text, role_id::text from public.invitations where email = 'routed@example.test'`;
    assert.deepEqual([...rows], [{ org_id: ids.orgA, role_id: builtinRoles.editor }]);
  });

  it('the organization comes from the host: the same call for another organization is refused for this user', async () => {
    await assert.rejects(routeAdminCall(message('members.list', {}), ids.orgB, world.as('admin')), (err: unknown) => err instanceof AdminError && err.reason === 'forbidden');
  });

  it("a refusal reaches the view as the server's message (what the view shows next to the action)", async () => {
    const call = message('members.setRole', { userId: users.editor, roleId: builtinRoles.admin });
    await assert.rejects(routeAdminCall(call, ids.orgA, world.as('viewer')), (err: unknown) => err instanceof AdminError && err.reason === 'forbidden' && /roles\.assign/.test(err.message));
    const [still] = await world.db.admin<{ role_id: string }[]>`select role_id::text from public.role_assignments where org_id = ${ids.orgA} and user_id = ${users.editor} and team_id is null`;
    assert.equal(still?.role_id, builtinRoles.editor, 'nothing changed');
  });

  it('exports the filtered audit log as the server wrote it, and asks nothing of the server when the dialog is closed', async () => {
    await routeAdminCall(message('members.setRole', { userId: users.viewer, roleId: builtinRoles.editor }), ids.orgA, world.as('admin'));
    const request = parseAdminWebviewMessage({ type: 'request', id: 2, method: 'exportAudit', params: { filter: { action: 'role_assignments' } } }) as ExportAudit;
    const target = path.join(dir, 'audit.csv');
    let asked = '';
    const outcome = await exportAuditCsv(request, ids.orgA, world.as('admin'), { pick: async (name) => ((asked = name), target), write: (p, text) => writeFile(p, text) }, new Date('2026-12-03T10:00:00Z'));
    assert.equal(asked, 'mallard-audit-2026-12-03.csv');
    assert.ok(outcome.saved && outcome.rows > 0 && outcome.path === target);
    const csv = await readFile(target, 'utf8');
    assert.match(csv, /role_assignments\./);
    assert.doesNotMatch(csv, /invitations\.insert/, 'the filter applies');

    let called = false;
    const cancelled = await exportAuditCsv(request, ids.orgA, { call: async () => ((called = true), Promise.reject(new Error('not expected'))) }, { pick: async () => undefined, write: async () => undefined });
    assert.deepEqual([cancelled, called], [{ saved: false }, false]);
  });
});
