import assert from 'node:assert/strict';
import type { ConnectorDefinition } from '../../../core/connectors/connector';
import { lookerConnector } from '../../../core/connectors/looker';
import { runConnectorFlow, type Answer, type FlowPort, type FlowResult } from '../../../extension/connectors/connectorFlow';

/**
 * "Add Connector" for a BI file connector: the cloud has no workspace folder, so an organization's
 * Looker connector is asked for the GitHub repository, branch and token its files are read from;
 * a workspace connector is not (it reads the workspace folder), and its steps stay as they were.
 */

/** Runs the flow for Looker in `scope`, answering inputs from `typed` by field label; the titles asked, and the result. */
async function addLooker(scope: 'This workspace' | 'Organization', typed: Record<string, string>): Promise<{ titles: string[]; result: FlowResult | undefined }> {
  const titles: string[] = [];
  const port: FlowPort = {
    pick: async (s) => {
      titles.push(s.title);
      const wanted = s.title.endsWith(': Scope') ? scope : s.title.endsWith(': Type') ? 'Looker' : s.title.endsWith(': Test connection') ? 'Save' : '(none)';
      const item = s.items.find((i) => i.label.startsWith(wanted)) ?? s.items[0];
      return { kind: 'value', value: item!.value } as Answer<never>;
    },
    input: async (s) => {
      titles.push(s.title);
      const label = s.title.slice(s.title.lastIndexOf(': ') + 2);
      const text = typed[label] ?? s.value;
      const problem = s.validate(text);
      if (problem !== undefined) throw new Error(`${label}: ${problem}`);
      return { kind: 'value', value: text };
    },
    progress: async (_s, run) => await run(new AbortController().signal),
  };
  const result = await runConnectorFlow(port, {
    definitions: [lookerConnector as unknown as ConnectorDefinition],
    org: { name: 'acme' },
    takenNames: () => [],
    test: async () => ({ ok: true, detail: 'ok' }),
  });
  return { titles: titles.map((t) => t.slice(t.lastIndexOf(': ') + 2)), result };
}

describe('connector flow: the repository of an organization’s BI connector', () => {
  it('asks an organization’s Looker connector for repository, branch and token, the token as a secret', async () => {
    const { titles, result } = await addLooker('Organization', { Folder: 'bi/looker', 'GitHub repository': 'acme/bi', Branch: 'main', 'GitHub token': 'ghp_flow_token' });
    assert.deepEqual(titles.slice(-5), ['GitHub repository', 'Branch', 'GitHub API URL', 'GitHub token', 'Connection works']);
    assert.equal(result?.scope, 'org');
    assert.deepEqual([result?.config.repository, result?.config.branch, result?.config.folder], ['acme/bi', 'main', 'bi/looker']);
    assert.deepEqual(result?.secrets, { token: 'ghp_flow_token' });
  });

  it('refuses an organization’s BI connector without a repository, under the input', async () => {
    await assert.rejects(addLooker('Organization', { 'GitHub repository': '' }), /GitHub repository: /);
  });

  it('does not ask a workspace connector for a repository (it reads the workspace folder)', async () => {
    const { titles, result } = await addLooker('This workspace', { Folder: 'bi/looker' });
    assert.ok(!titles.includes('GitHub repository') && !titles.includes('GitHub API URL') && !titles.includes('GitHub token'), titles.join(', '));
    assert.equal(result?.scope, 'workspace');
    assert.equal(result?.config.repository, undefined);
  });
});
