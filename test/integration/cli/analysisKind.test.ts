import assert from 'node:assert/strict';
import { parseInvocation } from '../../../extension/cli/cliArgs';
import type { CliIo } from '../../../extension/cli/cliIo';
import { exportCommand, searchCommand, statsCommand } from '../../../extension/cli/commands';
import { scanCommand } from '../../../extension/cli/scanCommand';
import { showCommand } from '../../../extension/cli/showCommand';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * dbt analyses (`analyses/`) are their own entity kind end to end: the scanner stores them as
 * `analysis`, FTS finds them with a kind filter, and the CLI's export, search, show and stats
 * print the kind (commands run in-process against a real SQLite catalog).
 */

describe('analysis entity kind (scanner → SQLite → FTS → CLI)', function () {
  this.timeout(60_000);
  let root = '';
  let out: string[] = [];
  const io = (): CliIo => ({ out: (t) => void out.push(t), err: () => undefined, errIsTty: false, cwd: root });
  const run = async (argv: string[]): Promise<string> => {
    out = [];
    const inv = parseInvocation(argv);
    const handlers = { scan: scanCommand, search: searchCommand, show: showCommand, stats: statsCommand, export: exportCommand } as const;
    const text = await handlers[inv.command as keyof typeof handlers](inv, io());
    return out.join('') + text;
  };

  before(() => {
    root = makeWorkspace({
      'dbt_project.yml': "name: shop\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\nanalysis-paths: ['analyses']\n",
      'models/orders.sql': 'select 1 as order_id, 10 as amount\n',
      'analyses/revenue_check.sql': "select sum(amount) as total from {{ ref('orders') }}\n",
    }, 'mallard-analysis-');
  });
  after(() => removeDir(root));

  it('export, search, show and stats carry the analysis kind', async () => {
    await run(['scan', '.', '--no-git', '--quiet', '--json']);
    const exported = JSON.parse(await run(['export', '--format', 'json'])) as { entities: { id: string; kind: string }[]; edges: { from: string; to: string; level: string }[] };
    assert.deepEqual(exported.entities.find((e) => e.id === 'analysis.shop.revenue_check')?.kind, 'analysis');
    assert.ok(exported.edges.some((e) => e.level === 'model' && e.from === 'model.shop.orders' && e.to === 'analysis.shop.revenue_check'));
    assert.ok(exported.edges.some((e) => e.level === 'column' && e.to === 'analysis.shop.revenue_check#total'), 'column lineage of the analysis');

    const hits = JSON.parse(await run(['search', 'revenue', '--kind', 'analysis', '--json'])) as { id: string; kind: string }[];
    assert.deepEqual(hits.map((h) => [h.id, h.kind]), [['analysis.shop.revenue_check', 'analysis']]);
    const none = JSON.parse(await run(['search', 'revenue', '--kind', 'model', '--json'])) as unknown[];
    assert.deepEqual(none, []);

    assert.match(await run(['show', 'revenue_check']), /kind\s+analysis/);
    const stats = JSON.parse(await run(['stats', '--json'])) as { entitiesByKind: Record<string, number> };
    assert.equal(stats.entitiesByKind['analysis'], 1);
  });
});
