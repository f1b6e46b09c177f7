import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { builtinRoles } from '../../support/orgFixture';
import { ids, refused, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';

/**
 * The `admin` function's roles, API tokens, LLM provider keys and feature flags through the typed
 * client, real Deno and real Postgres: a token's secret appears in its create answer only, an LLM
 * key's plaintext in no answer, no database column and no audit row.
 */
describe('admin function: roles, API tokens, LLM keys, flags (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: AdminWorld;

  before(async () => {
    world = await startAdminWorld();
  });
  after(async () => {
    await world?.stop();
  });

  /** Everything the log holds for org A, as text. */
  const auditText = async () => (await world.db.admin<{ t: string }[]>`
    select coalesce(string_agg(to_jsonb(l)::text, E'\n'), '') as t from mallard_audit.log l`)[0]?.t ?? '';

  it('roles.list: built-ins with inherited permissions and the custom role; permissions.list has descriptions', async () => {
    const { roles } = await world.as('viewer').call({ op: 'roles.list', orgId: ids.orgA });
    const byKey = new Map(roles.map((r) => [r.key, r]));
    assert.deepEqual(['viewer', 'editor', 'admin', 'owner', 'steward'].map((k) => byKey.get(k)?.builtin), [true, true, true, true, false]);
    assert.ok(byKey.get('owner')?.effectivePermissions.includes('catalog.read'), 'owner inherits viewer');
    assert.ok(!byKey.get('owner')?.permissions.includes('catalog.read'), 'but does not hold it itself');
    assert.deepEqual(byKey.get('steward')?.permissions, ['classification.manage', 'docs.approve']);
    const { permissions } = await world.as('viewer').call({ op: 'permissions.list', orgId: ids.orgA });
    assert.equal(permissions.find((p) => p.key === 'members.manage')?.description, 'Add, suspend and remove members');
    assert.equal(permissions.length, 39);
  });

  it('custom roles: create, update the permission set, refuse deleting one in use (409), delete', async () => {
    const admin = world.as('admin');
    const { role } = await admin.call({ op: 'roles.create', orgId: ids.orgA, key: 'auditor', name: 'Auditor', permissions: ['audit.view', 'catalog.read'] });
    assert.deepEqual([role.builtin, role.permissions], [false, ['audit.view', 'catalog.read']]);
    const updated = await admin.call({ op: 'roles.update', orgId: ids.orgA, roleId: role.id, name: 'Log auditor', permissions: ['audit.view', 'usage.view'] });
    assert.deepEqual([updated.role.name, updated.role.permissions], ['Log auditor', ['audit.view', 'usage.view']]);
    await refused(admin, { op: 'roles.create', orgId: ids.orgA, key: 'auditor', name: 'Again', permissions: [] }, 'conflict', 409);
    await refused(admin, { op: 'roles.create', orgId: ids.orgA, key: 'nonsense', name: 'N', permissions: ['nothing.here'] }, 'bad-request', 400, /nothing\.here/);
    await admin.call({ op: 'members.grant', orgId: ids.orgA, userId: users.editor, roleId: role.id });
    await refused(admin, { op: 'roles.delete', orgId: ids.orgA, roleId: role.id }, 'conflict', 409, /in use/);
    const grant = (await admin.call({ op: 'members.list', orgId: ids.orgA })).members.find((m) => m.userId === users.editor)?.grants.find((g) => g.roleId === role.id);
    await admin.call({ op: 'members.revokeGrant', orgId: ids.orgA, assignmentId: grant!.assignmentId });
    await admin.call({ op: 'roles.delete', orgId: ids.orgA, roleId: role.id });
    assert.equal((await world.db.admin`select 1 from public.roles where id = ${role.id}`).length, 0);
    await refused(admin, { op: 'roles.update', orgId: ids.orgA, roleId: builtinRoles.viewer, name: 'Reader' }, 'forbidden', 403, /read-only/);
  });

  it('API tokens: the secret is in the create answer only; it works as a bearer; revoked it is refused', async () => {
    const admin = world.as('admin');
    const made = await admin.call({ op: 'tokens.create', orgId: ids.orgA, name: 'ci-flags', scopes: ['flags.read', 'flags.manage'] });
    assert.match(made.secret, /^mlpat_[0-9a-f]{48}$/);
    assert.equal(made.token.prefix, made.secret.slice(0, 12));
    const listed = await admin.call({ op: 'tokens.list', orgId: ids.orgA });
    assert.ok(listed.tokens.some((t) => t.id === made.token.id));
    assert.equal(JSON.stringify(listed).includes(made.secret), false, 'no secret in the list');
    assert.equal((await auditText()).includes(made.secret), false, 'no secret in the audit log');
    const [stored] = await world.db.admin<{ t: string }[]>`select to_jsonb(t)::text as t from public.api_tokens t where id = ${made.token.id}`;
    assert.equal(stored?.t.includes(made.secret), false, 'only the hash is stored');

    const bot = world.withToken(made.secret);
    const me = await bot.call({ op: 'whoami', orgId: ids.orgA });
    assert.deepEqual([me.tokenId, me.userId, me.permissions.sort(), me.grants], [made.token.id, users.admin, ['flags.manage', 'flags.read'], []]);
    const flag = await bot.call({ op: 'flags.set', orgId: ids.orgA, key: 'bot.flag', enabled: true });
    assert.equal(flag.flag.updatedBy, users.admin, 'a token acts as its creator');
    await refused(bot, { op: 'members.list', orgId: ids.orgA }, 'forbidden', 403, /members\.read/);
    await refused(bot, { op: 'flags.list', orgId: ids.orgB }, 'forbidden', 403, /another organization/);

    const revoked = await admin.call({ op: 'tokens.revoke', orgId: ids.orgA, tokenId: made.token.id });
    assert.ok(revoked.token.revokedAt !== null);
    assert.equal(JSON.stringify(revoked).includes(made.secret), false);
    await refused(bot, { op: 'whoami', orgId: ids.orgA }, 'unauthorized', 401);
  });

  it('LLM keys: add, list masked, rotate, delete; the plaintext is in no answer, column or audit row', async () => {
    const admin = world.as('admin');
    const first = 'sk-ant-api03-PLAINTEXT-first-4f2a9c';
    const second = 'sk-ant-api03-PLAINTEXT-second-77b1e0';
    const seen: string[] = [];
    const added = await admin.call({ op: 'llmKeys.add', orgId: ids.orgA, provider: 'anthropic', label: 'team', secret: first, isDefault: true });
    seen.push(JSON.stringify(added));
    assert.deepEqual([added.key.masked, added.key.isDefault, added.key.provider, added.key.label], [`••••${first.slice(-4)}`, true, 'anthropic', 'team']);
    const list = await admin.call({ op: 'llmKeys.list', orgId: ids.orgA });
    seen.push(JSON.stringify(list));
    assert.equal(list.keys.filter((k) => k.provider === 'anthropic' && k.isDefault).length, 1, 'the new default replaced the fixture\'s');
    const rotated = await admin.call({ op: 'llmKeys.rotate', orgId: ids.orgA, keyId: added.key.id, secret: second });
    seen.push(JSON.stringify(rotated));
    assert.equal(rotated.key.masked, `••••${second.slice(-4)}`);
    const [row] = await world.db.admin<{ c: Buffer; t: string }[]>`select ciphertext as c, to_jsonb(k)::text as t from public.org_llm_keys k where id = ${added.key.id}`;
    assert.ok(row !== undefined && row.c.length >= 12 + second.length + 16, 'iv + ciphertext + tag');
    assert.equal(row.c.includes(Buffer.from(second)), false, 'the stored bytes are not the plaintext');
    await admin.call({ op: 'llmKeys.delete', orgId: ids.orgA, keyId: added.key.id });
    seen.push(JSON.stringify(await admin.call({ op: 'llmKeys.list', orgId: ids.orgA })));
    seen.push(JSON.stringify(await admin.call({ op: 'audit.export', orgId: ids.orgA })));
    seen.push(JSON.stringify(await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { targetTable: 'org_llm_keys' } })));
    const log = await auditText();
    assert.ok(log.includes(added.key.id), 'the key\'s changes are audited');
    for (const plain of [first, second]) {
      assert.equal(seen.some((s) => s.includes(plain)), false, 'no answer holds the plaintext');
      assert.equal(log.includes(plain), false, 'the audit log does not hold the plaintext');
    }
    await refused(admin, { op: 'llmKeys.rotate', orgId: ids.orgA, keyId: added.key.id, secret: second }, 'not-found', 404);
  });

  it('feature flags: list and set (payload kept when not given)', async () => {
    const admin = world.as('admin');
    await admin.call({ op: 'flags.set', orgId: ids.orgA, key: 'ai.docs', enabled: false, payload: { model: 'small' } });
    const again = await admin.call({ op: 'flags.set', orgId: ids.orgA, key: 'ai.docs', enabled: true });
    assert.deepEqual([again.flag.enabled, again.flag.payload, again.flag.updatedBy], [true, { model: 'small' }, users.admin]);
    const { flags } = await world.as('viewer').call({ op: 'flags.list', orgId: ids.orgA });
    assert.deepEqual(flags.find((f) => f.key === 'ai.docs')?.enabled, true);
    await refused(world.as('viewer'), { op: 'flags.set', orgId: ids.orgA, key: 'ai.docs', enabled: false }, 'forbidden', 403, /flags\.manage/);
  });
});
