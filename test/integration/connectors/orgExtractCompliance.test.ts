import assert from 'node:assert/strict';
import path from 'node:path';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import type { ConnectorSummary } from '../../../core/connectors/orgProtocol';
import { eventually } from '../../support/eventually';
import { ids } from '../../support/orgFixture';
import { startOrgGitHubStandIn } from '../../support/orgGitHubStandIn';
import type { OrgGitHubStandIn } from '../../support/orgGitHubStandIn';
import { startOrgWorld } from './orgWorld';
import type { OrgWorld } from './orgWorld';

/**
 * Compliance follows the org catalog (GitHub stand-in, real Deno + Postgres): when an org
 * extraction run finishes, `org-extract` asks the `compliance` function to evaluate the
 * organization, so the org's compliance events list the extracted models that break a rule
 * without anyone running the evaluation by hand.
 */
describe('org extraction → compliance events of the org catalog (GitHub stand-in, real Deno + Postgres)', function () {
  this.timeout(600_000);
  const corpus = path.resolve(__dirname, '../../../samples/jaffle_duck');
  const token = 'ghp_standin_compliance_token_0123456789';
  let world: OrgWorld;
  let github: OrgGitHubStandIn;

  before(async () => {
    github = await startOrgGitHubStandIn(corpus, { token });
    world = await startOrgWorld({});
  });
  after(async () => {
    await world?.stop();
    await github?.stop();
  });

  it('a finished run opens the events of the extracted models that have no test', async () => {
    // The fixture holds one hand-made event; the run's evaluation adds the cloud ones.
    assert.equal((await world.db.admin`select count(*)::int as n from public.compliance_events where details->>'origin' = 'cloud'`)[0]?.n, 0);
    const saved = await world.call('connectors', 'admin', {
      orgId: ids.orgA, action: 'save', type: 'github', name: 'analytics', config: { owner: github.owner, repo: github.repo, apiUrl: github.apiUrl }, secrets: { token },
    });
    assert.equal(saved.status, 200, saved.text);
    const connector = (saved.body as { connector: ConnectorSummary }).connector;
    const started = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
    assert.equal(started.status, 200, started.text);
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));

    const events = await eventually('compliance events of the org catalog', async () => {
      const rows = await world.db.admin<{ rule: string; entity_key: string; status: string; origin: string }[]>`
        select rule, entity_key, status, details->>'origin' as origin from public.compliance_events where org_id = ${ids.orgA} and rule = 'model-has-test' order by entity_key`;
      return rows.length > 0 ? rows : undefined;
    }, 60_000);
    const untested = events.filter((e) => e.rule === 'model-has-test');
    assert.ok(untested.length > 0, JSON.stringify(events));
    for (const e of untested) {
      assert.equal(e.status, 'open');
      assert.equal(e.origin, 'cloud');
      assert.match(e.entity_key, /^model\.jaffle_duck\./);
    }
    assert.equal((await world.db.admin`select count(*)::int as n from public.compliance_events where org_id = ${ids.orgB} and details->>'origin' = 'cloud'`)[0]?.n, 0, 'only the run\'s organization');
  });
});
