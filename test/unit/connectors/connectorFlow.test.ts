import assert from 'node:assert/strict';
import type { ConnectorDefinition, TestResult } from '../../../core/connectors/connector';
import { runConnectorFlow, type Answer, type FlowDraft, type FlowOptions, type FlowPort, type StepInfo } from '../../../extension/connectors/connectorFlow';
import { testConnector } from '../../support/testConnector';

/** A step the scripted port was asked, with what the flow offered. */
interface Asked {
  kind: 'pick' | 'input' | 'progress';
  title: string;
  step: number;
  totalSteps: number;
  value?: string;
  password?: boolean;
  placeholder?: string;
  labels?: string[];
  validate?: (text: string) => string | undefined;
}

/** A port that answers from a script, one entry per step, and records every step. */
function scriptedPort(script: readonly ((asked: Asked) => Answer<unknown>)[]): { port: FlowPort; asked: Asked[] } {
  const asked: Asked[] = [];
  let next = 0;
  const answer = <T>(a: Asked): Answer<T> => {
    asked.push(a);
    const handler = script[next++];
    if (!handler) throw new Error(`The script ended before step "${a.title}" (${a.step}/${a.totalSteps})`);
    return handler(a) as Answer<T>;
  };
  const info = (s: StepInfo): Pick<Asked, 'title' | 'step' | 'totalSteps'> => ({ title: s.title, step: s.step, totalSteps: s.totalSteps });
  const port: FlowPort = {
    pick: async (s) => {
      const a: Asked = { kind: 'pick', ...info(s), placeholder: s.placeholder, labels: s.items.map((i) => i.label) };
      const result = answer<string>(a);
      // Scripts pick by label; the flow gets the item's value.
      if (result.kind !== 'value') return result;
      const item = s.items.find((i) => i.label === result.value || i.label.includes(result.value));
      if (!item) throw new Error(`No item "${result.value}" in ${a.labels?.join(', ')}`);
      return { kind: 'value', value: item.value };
    },
    input: async (s) => answer<string>({ kind: 'input', ...info(s), value: s.value, password: s.password, validate: s.validate }),
    progress: async (s, run) => {
      asked.push({ kind: 'progress', ...info(s) });
      return await run(new AbortController().signal);
    },
  };
  return { port, asked };
}

const value = (v: string) => (): Answer<unknown> => ({ kind: 'value', value: v });
const back = (): Answer<unknown> => ({ kind: 'back' });

function options(tests: FlowDraft[], extra: Partial<FlowOptions> = {}): FlowOptions {
  return {
    definitions: [testConnector as unknown as ConnectorDefinition],
    takenNames: () => ['Taken'],
    test: async (draft): Promise<TestResult> => {
      tests.push(structuredClone(draft));
      return await (testConnector as unknown as ConnectorDefinition).test({ config: draft.config, secrets: draft.secrets }, {});
    },
    ...extra,
  };
}

describe('connector flow: the Add Connector step machine', () => {
  it('walks type → scope → name → fields → test → save, with n/m steps and secrets kept out of the config', async () => {
    const tests: FlowDraft[] = [];
    const { port, asked } = scriptedPort([value('Test Source'), value('Organization'), value('Warehouse'), value('good.example'), value('5432'), value('orders, customers'), value('right'), value('fast'), value('Save connector')]);
    const result = await runConnectorFlow(port, options(tests, { org: { name: 'acme' } }));
    assert.ok(result);
    assert.deepEqual(
      asked.map((a) => `${a.kind} ${a.step}/${a.totalSteps}`),
      ['pick 1/9', 'pick 2/9', 'input 3/9', 'input 4/9', 'input 5/9', 'input 6/9', 'input 7/9', 'pick 8/9', 'progress 9/9', 'pick 9/9'],
    );
    assert.equal(result.scope, 'org');
    assert.equal(result.name, 'Warehouse');
    // The definition's own `name` field is not asked again: it is the connector's name.
    assert.deepEqual(result.config, { name: 'Warehouse', host: 'good.example', port: 5432, tables: ['orders', 'customers'], mode: 'fast' });
    assert.deepEqual(result.secrets, { password: 'right' });
    assert.equal(result.tested.ok, true);
    // The password step is a password input; no other is.
    assert.deepEqual(asked.filter((a) => a.password).map((a) => a.title), ['Add Test Source Connector: Password']);
    assert.ok(!JSON.stringify(result.config).includes('right'));
  });

  it('goes back one step at a time and keeps what was typed', async () => {
    const tests: FlowDraft[] = [];
    const { port, asked } = scriptedPort([
      value('Test Source'),
      value('Mine'),
      value('good.example'),
      back, // port → host
      back, // host → name
      (a) => {
        assert.equal(a.value, 'Mine', 'the name typed before is shown again');
        return { kind: 'value', value: 'Mine 2' };
      },
      (a) => {
        assert.equal(a.value, 'good.example', 'the host typed before is shown again');
        return { kind: 'value', value: 'good.example' };
      },
      value('6543'),
      value('t1'),
      value('right'),
      value('(none)'),
      value('Save connector'),
    ]);
    const result = await runConnectorFlow(port, options(tests));
    assert.equal(result?.name, 'Mine 2');
    assert.equal(result?.config.port, 6543);
    // Without an organization there is no scope step.
    assert.equal(asked[0]?.totalSteps, 8);
    assert.deepEqual(asked.slice(2, 6).map((a) => a.step), [3, 4, 3, 2]);
  });

  it('validates each field with the definition’s zod schema and shows the message', async () => {
    const seen: Record<string, string | undefined> = {};
    const { port } = scriptedPort([
      value('Test Source'),
      (a) => {
        seen.takenName = a.validate?.('Taken');
        return { kind: 'value', value: 'ok' };
      },
      (a) => {
        seen.badHost = a.validate?.('Not A Host!');
        seen.emptyHost = a.validate?.('  ');
        return { kind: 'value', value: 'good.example' };
      },
      (a) => {
        seen.bigPort = a.validate?.('70000');
        seen.wordPort = a.validate?.('abc');
        seen.goodPort = a.validate?.('5432');
        return { kind: 'value', value: '5432' };
      },
      (a) => {
        seen.noTables = a.validate?.(' , ');
        return { kind: 'value', value: 'a' };
      },
      (a) => {
        seen.shortPassword = a.validate?.('ab');
        return { kind: 'cancel' };
      },
    ]);
    assert.equal(await runConnectorFlow(port, options([])), undefined, 'cancel ends the flow without a result');
    assert.equal(seen.takenName, 'A connector named "Taken" exists already.');
    assert.equal(seen.badHost, 'Use a host name like db.example.com.');
    assert.equal(seen.emptyHost, 'Enter host.');
    assert.equal(seen.bigPort, 'A port is at most 65535.');
    assert.match(seen.wordPort ?? '', /expected number/);
    assert.equal(seen.goodPort, undefined);
    assert.equal(seen.noTables, 'Name at least one table.');
    assert.equal(seen.shortPassword, 'The password has at least 3 characters.');
  });

  it('on a failed test offers back-to-fix, then saves once the connection works', async () => {
    const tests: FlowDraft[] = [];
    const { port, asked } = scriptedPort([
      value('Test Source'),
      value('Db'),
      value('good.example'),
      value('5432'),
      value('t1'),
      value('wrong'),
      value('(none)'),
      (a) => {
        assert.match(a.placeholder ?? '', /^Connection failed \(auth-failed\): password authentication failed/);
        assert.deepEqual(a.labels, ['$(arrow-left) Back to fix the settings', '$(warning) Save anyway', 'Cancel']);
        return { kind: 'value', value: 'Back to fix' };
      },
      back, // on the mode step, back to the password
      value('right'),
      value('(none)'),
      value('Save connector'),
    ]);
    const result = await runConnectorFlow(port, options(tests));
    assert.equal(result?.tested.ok, true);
    assert.deepEqual(result?.secrets, { password: 'right' });
    assert.equal(tests.length, 2);
    assert.equal(asked.filter((a) => a.kind === 'progress').length, 2);
  });

  it('"Save anyway" after a failed test returns the failure with the result', async () => {
    const { port } = scriptedPort([value('Test Source'), value('Db'), value('bad.example'), value('1'), value('t'), value('right'), value('(none)'), value('Save anyway')]);
    const result = await runConnectorFlow(port, options([]));
    assert.equal(result?.tested.ok, false);
    assert.equal(result?.config.host, 'bad.example');
  });

  it('editing starts at the name, prefilled, never shows a secret, and a blank secret keeps the stored one', async () => {
    const { port, asked } = scriptedPort([
      (a) => {
        assert.equal(a.value, 'Db');
        return { kind: 'value', value: 'Db' };
      },
      (a) => {
        assert.equal(a.value, 'good.example');
        return { kind: 'value', value: 'good.example' };
      },
      value('5432'),
      (a) => {
        assert.equal(a.value, 'orders, items');
        return { kind: 'value', value: 'orders' };
      },
      (a) => {
        assert.equal(a.value, '', 'a stored secret is never prefilled');
        assert.equal(a.validate?.(''), undefined, 'blank is allowed while editing');
        return { kind: 'value', value: '' };
      },
      value('(none)'),
      value('Save anyway'),
    ]);
    const result = await runConnectorFlow(port, {
      ...options([]),
      editing: { id: 'c1', type: 'postgres', scope: 'workspace', name: 'Db', config: { host: 'good.example', port: 5432, tables: ['orders', 'items'] }, storedSecrets: ['password'] },
    });
    assert.equal(asked[0]?.title, 'Edit Db: Name');
    assert.equal(asked[0]?.totalSteps, 7);
    assert.deepEqual(result?.secrets, {});
    assert.deepEqual(result?.keptSecrets, ['password']);
    assert.deepEqual(result?.config.tables, ['orders']);
  });
});
