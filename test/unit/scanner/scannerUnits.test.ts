import assert from 'node:assert/strict';
import { emptyFacts, type Facts } from '../../../core/model/entities';
import { parseInvocation, UsageError } from '../../../extension/cli/cliArgs';
import { helpText } from '../../../extension/cli/cliSpec';
import { buildTree, table, tree } from '../../../extension/cli/cliFormat';
import { diffGroups, groupByOwner } from '../../../extension/scanner/factsDiff';
import { parseGitLog } from '../../../extension/scanner/gitOwnership';
import { globFilter } from '../../../extension/scanner/walker';

const prov = { file: 'm.sql', line: 1, column: 0, extractor: 't', confidence: 1 };
function facts(entities: string[], columns: [string, string][], edges: [string, string][]): Facts {
  const f = emptyFacts();
  for (const id of entities) f.entities.push({ id, kind: 'model', name: id, project: 'p', path: `${id}.sql`, description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, provenance: prov });
  columns.forEach(([e, c], i) => f.columns.push({ id: `${e}#${c}`, entityId: e, name: c, description: '', tags: [], tests: [], meta: {}, position: i, origin: 'inferred', provenance: prov }));
  for (const [from, to] of edges) f.columnEdges.push({ from, to, level: 'column', transform: 'identity', provenance: prov });
  return f;
}

describe('scanner units', () => {
  it('git log parsing keeps the newest commit per file', () => {
    const out = '\x1eGrace\x1fg@x.io\x1f2024-05-02T10:00:00+00:00\n\nmodels/a.sql\n\x1eAda\x1fa@x.io\x1f2024-01-01T10:00:00+00:00\n\nmodels/a.sql\nmodels/b.sql\n';
    const map = parseGitLog(out);
    assert.equal(map.get('models/a.sql')?.author, 'Grace');
    assert.equal(map.get('models/b.sql')?.email, 'a@x.io');
    assert.equal(map.size, 2);
    assert.equal(parseGitLog('').size, 0);
  });

  it('include/exclude globs', () => {
    const f = globFilter(['models/**', '*.yml'], ['models/legacy/**']);
    assert.equal(f('models/a.sql'), true);
    assert.equal(f('models/legacy/a.sql'), false);
    assert.equal(f('dbt_project.yml'), true);
    assert.equal(f('warehouse/x.sql'), false);
    assert.equal(globFilter()('anything/at/all.sql'), true);
  });

  it('owner-group diff replaces exactly the owners whose facts changed', () => {
    const before = facts(['a', 'b', 'c'], [['a', 'x'], ['b', 'y'], ['c', 'z']], [['a#x', 'b#y'], ['b#y', 'c#z']]);
    const after = facts(['a', 'b', 'd'], [['a', 'x'], ['b', 'y2'], ['d', 'w']], [['a#x', 'b#y2']]);
    const keys = new Set([...groupByOwner(before).keys(), ...groupByOwner(after).keys()]);
    const delta = diffGroups(groupByOwner(before), groupByOwner(after), keys);
    assert.deepEqual(delta.entityIds.sort(), ['b', 'c', 'd']);
    assert.deepEqual(delta.facts.entities.map((e) => e.id).sort(), ['b', 'd']);
    assert.deepEqual(delta.facts.columnEdges.map((e) => e.to), ['b#y2']);
    // The same facts again (copies, in another order) are no change.
    const copy = (f: Facts): Facts => JSON.parse(JSON.stringify({ ...f, columns: [...f.columns].reverse() })) as Facts;
    assert.deepEqual(diffGroups(groupByOwner(after), groupByOwner(copy(after)), keys).entityIds, []);
  });

  it('CLI arguments: commands, flags, usage errors', () => {
    const inv = parseInvocation(['lineage', 'orders', '--columns', '--upstream', '--depth', '2', '--json']);
    assert.equal(inv.command, 'lineage');
    assert.deepEqual(inv.positionals, ['orders']);
    assert.equal(inv.direction, 'upstream');
    assert.equal(inv.depth, 2);
    assert.equal(inv.json, true);
    assert.equal(parseInvocation(['scan', '.', '--dialect', 'bigquery']).dialect, 'bigquery');
    for (const bad of [[], ['nope'], ['scan'], ['scan', '.', '--dialect', 'cobol'], ['stats', '--columns'], ['lineage', 'x', '--depth', '-1'], ['export', '--format', 'csv'], ['stats', '--what']]) {
      assert.throws(() => parseInvocation(bad), UsageError, bad.join(' '));
    }
    assert.equal(parseInvocation(['--help']).command, 'help');
    assert.match(helpText(), /export --format json/);
  });

  it('tables align and trees mark repeated nodes', () => {
    assert.equal(table(['a', 'bb'], [['xxx', 'y']]), 'a    bb\n---  --\nxxx  y');
    const edges: Record<string, string[]> = { r: ['a', 'b'], a: ['c'], b: ['c'] };
    const text = tree(buildTree('r', (id) => id, (id) => (edges[id] ?? []).map((n) => ({ id: n, via: 'ref' }))));
    assert.equal(text, 'r\n├─ a  [ref]\n│  └─ c  [ref]\n└─ b  [ref]\n   └─ c  [ref] (see above)');
  });
});
