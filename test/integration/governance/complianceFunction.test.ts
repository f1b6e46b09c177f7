import assert from 'node:assert/strict';
import path from 'node:path';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import { AUTO_RESOLUTION } from '../../../core/governance/complianceProtocol';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { OrgCompliance } from '../../../extension/governance/orgCompliance';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { listResolutions, markResolutionSynced, resolveViolation } from '../../../extension/governance/complianceLocal';
import { tempStore } from '../catalog/catalogFixtures';
import { ids, users } from '../../support/orgFixture';
import { startOrgWorld, type OrgWorld } from '../connectors/orgWorld';
import { dirFileSource } from '../../unit/dbt/helpers';

const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');
const EMAIL = 'source.jaffle_duck.shop.customers#email';
const FIRST = 'source.jaffle_duck.shop.customers#first_name';

interface EventRow {
  id: string;
  rule: string;
  entity_key: string;
  severity: string;
  status: string;
  resolution: string | null;
  resolved_by: string | null;
  details: { origin?: string; path?: string[] };
}

describe('compliance edge function: the core rules on an org catalog (real Deno + Postgres)', function () {
  this.timeout(300_000);
  let world: OrgWorld;
  let publicModel = '';

  /** A team metadata row as a member's push leaves it (fields only; operators may write it directly). */
  const putMeta = async (kind: 'entity' | 'column', id: string, fields: Record<string, unknown>): Promise<void> => {
    await world.db.admin`insert into public.sync_rows (org_id, kind, row_id, fields, created_by) values (${ids.orgA}, ${kind}, ${id}, ${world.db.admin.json(fields as never)}, ${users.editor})
      on conflict (org_id, kind, row_id) do update set fields = excluded.fields`;
  };
  const events = async (): Promise<EventRow[]> =>
    await world.db.admin<EventRow[]>`select id, rule, entity_key, severity, status, resolution, resolved_by::text, details from public.compliance_events
      where org_id = ${ids.orgA} and rule in ('pii-owner-description', 'pii-not-public', 'model-has-test') order by rule, entity_key, created_at`;
  const evaluate = async (user: 'admin' | 'viewer' | 'service' | 'outsider' = 'admin') => await world.call('compliance', user, { orgId: ids.orgA, action: 'evaluate' });

  before(async () => {
    world = await startOrgWorld({});
    const { facts } = extractWorkspace(dirFileSource(SAMPLE), { workspaceName: 'jaffle_duck' });
    for (const row of orgCatalogRows(facts).rows) {
      await world.db.admin`select private.sync_put_catalog_row(${ids.orgA}, ${row.kind}, ${row.id}, null, ${world.db.admin.json(row.payload as never)})`;
    }
    publicModel = facts.entities.find((e) => e.kind === 'model' && e.name === 'customers')?.id ?? '';
    await putMeta('column', EMAIL, { classification: 'pii.email' });
    await putMeta('column', FIRST, { classification: 'pii.person_name' });
    await putMeta('entity', publicModel, { tags: ['public'] });
  });
  after(async () => await world?.stop());

  it('refuses callers without compliance.manage (403) and outsiders, writing nothing', async () => {
    const viewer = await evaluate('viewer');
    assert.equal(viewer.status, 403, viewer.text);
    assert.match(String(viewer.body.message), /compliance\.manage/);
    assert.equal((await evaluate('outsider')).status, 403);
    assert.equal((await world.call('compliance', 'outsider', { orgId: ids.orgA, action: 'list' })).status, 403);
    assert.equal((await events()).length, 0);
  });

  it('opens one event per violation with mapped severity and the lineage path; a second run opens nothing', async () => {
    const first = await evaluate();
    assert.equal(first.status, 200, first.text);
    assert.ok(Number(first.body.opened) > 0 && first.body.opened === first.body.violations, first.text);
    const list = await events();
    assert.equal(list.length, first.body.opened);
    const pii = list.filter((e) => e.rule === 'pii-owner-description').map((e) => e.entity_key).sort();
    assert.deepEqual(pii, [EMAIL, FIRST]);
    assert.ok(list.filter((e) => e.rule === 'pii-owner-description').every((e) => e.severity === 'medium' && e.status === 'open'));
    const flow = list.find((e) => e.rule === 'pii-not-public' && e.entity_key === `${publicModel}#email`);
    assert.ok(flow, JSON.stringify(list.filter((e) => e.rule === 'pii-not-public').map((e) => e.entity_key)));
    assert.equal(flow.severity, 'high');
    assert.equal(flow.details.path?.[0], EMAIL, 'the evidence path starts at the classified column');
    assert.ok(list.some((e) => e.rule === 'model-has-test'));
    const [audit] = await world.db.admin<{ n: number }[]>`select count(*)::int as n from public.audit_log where target_table = 'compliance_events' and org_id = ${ids.orgA} and actor_id = ${users.admin}`;
    assert.ok((audit?.n ?? 0) >= list.length, 'every opened event is audited with the admin as actor');
    const again = await evaluate();
    assert.deepEqual([again.body.opened, again.body.autoResolved], [0, 0], again.text);
    assert.equal((await events()).length, list.length);
  });

  it('auto-resolves events whose violation is gone, and the service role (a schedule) may evaluate', async () => {
    await putMeta('column', FIRST, { classification: 'pii.person_name', description: 'Given name' });
    await putMeta('entity', 'source.jaffle_duck.shop.customers', { owners: ['data-team'] });
    const answer = await evaluate('service');
    assert.equal(answer.status, 200, answer.text);
    assert.ok(Number(answer.body.autoResolved) >= 1, answer.text);
    const first = (await events()).find((e) => e.rule === 'pii-owner-description' && e.entity_key === FIRST);
    assert.deepEqual([first?.status, first?.resolution], ['resolved', AUTO_RESOLUTION]);
    const email = (await events()).find((e) => e.rule === 'pii-owner-description' && e.entity_key === EMAIL);
    assert.equal(email?.status, 'open', 'the e-mail column still has no description');
    // A service caller may not resolve by hand.
    assert.equal((await world.call('compliance', 'service', { orgId: ids.orgA, action: 'resolve', rule: 'x', entityKey: 'y', status: 'dismissed', reason: 'r' })).status, 403);
  });

  it('resolve with a reason: needs compliance.manage (403 for a viewer), stamps the resolver, and a dismissed violation is not reopened', async () => {
    const target = (await events()).find((e) => e.rule === 'model-has-test' && e.status === 'open');
    assert.ok(target);
    const body = { orgId: ids.orgA, action: 'resolve', rule: target.rule, entityKey: target.entity_key, status: 'dismissed', reason: 'Covered by the warehouse checks' };
    const denied = await world.call('compliance', 'viewer', body);
    assert.equal(denied.status, 403, denied.text);
    assert.equal((await world.call('compliance', 'admin', { ...body, reason: '  ' })).status, 400, 'a reason is required');
    const ok = await world.call('compliance', 'admin', body);
    assert.equal(ok.status, 200, ok.text);
    const row = (await events()).find((e) => e.id === target.id);
    assert.deepEqual([row?.status, row?.resolution, row?.resolved_by], ['dismissed', 'Covered by the warehouse checks', users.admin]);
    const [audit] = await world.db.admin<{ n: number }[]>`select count(*)::int as n from public.audit_log where target_table = 'compliance_events' and target_id = ${target.id} and after ->> 'status' = 'dismissed'`;
    assert.equal(audit?.n, 1, 'the resolution is audited');
    const again = await evaluate();
    assert.ok(Number(again.body.suppressed) >= 1, again.text);
    assert.equal((await events()).filter((e) => e.rule === target.rule && e.entity_key === target.entity_key && e.status === 'open').length, 0);
    // A violation found in the editor with no cloud event yet is recorded and resolved at once.
    const fromEditor = await world.call('compliance', 'admin', { orgId: ids.orgA, action: 'resolve', rule: 'pii-owner-description', entityKey: 'model.local.only#email', status: 'resolved', reason: 'Documented in the branch', severity: 'warning', message: 'x' });
    assert.equal(fromEditor.status, 200, fromEditor.text);
    assert.equal((fromEditor.body.event as { status?: string }).status, 'resolved');
    const listed = await world.call('compliance', 'viewer', { orgId: ids.orgA, action: 'list', status: 'all' });
    assert.equal(listed.status, 200, listed.text);
    assert.ok((listed.body.events as { entityKey: string }[]).some((e) => e.entityKey === 'model.local.only#email'), 'a viewer (compliance.read) lists events');
  });

  it('the extension client records a local resolution in the cloud and keeps the event id; a viewer gets the server\'s forbidden', async () => {
    const client = (user: 'admin' | 'viewer') => new OrgCompliance(ids.orgA, async () => ({ url: world.functions.url, apiKey: 'anon', accessToken: await world.keys.userToken(users[user], { email: `${user}@example.test` }) }));
    const env = tempStore();
    try {
      const v = { ruleId: 'pii-owner-description', targetId: EMAIL };
      resolveViolation(env.store, v, 'resolved', 'Owner assigned in the data contract');
      await assert.rejects(client('viewer').resolve({ rule: v.ruleId, entityKey: v.targetId, status: 'resolved', reason: 'x', severity: 'warning', message: '' }), (err: Error & { reason?: string }) => err.reason === 'forbidden');
      const event = await client('admin').resolve({ rule: v.ruleId, entityKey: v.targetId, status: 'resolved', reason: 'Owner assigned in the data contract', severity: 'warning', message: 'shop.customers.email' });
      markResolutionSynced(env.store, v, event.id);
      assert.deepEqual([event.status, event.resolution, event.entityKey], ['resolved', 'Owner assigned in the data contract', EMAIL]);
      const row = (await events()).find((e) => e.id === event.id);
      assert.equal(row?.resolved_by, users.admin);
      env.store.close();
      const reopened = CatalogStore.open(env.file);
      assert.equal(listResolutions(reopened)[0]?.cloudEventId, event.id);
      reopened.close();
      const evaluated = await client('admin').evaluate();
      assert.ok(evaluated.suppressed >= 1, JSON.stringify(evaluated));
    } finally {
      env.cleanup();
    }
  });
});
