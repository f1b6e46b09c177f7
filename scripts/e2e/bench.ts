// Extension benchmarks in a real VS Code (code-server + Chromium): activation time; on a generated
// workspace of N models (default 5,000) the time from window open to lineage visible, cold (no
// catalog) and warm (catalog from the previous session); time to render a ~500-node lineage graph;
// extension host memory. Prints numbers and writes bench-results/extension.json; asserts nothing.
// Prerequisites: bash scripts/e2e/setup.sh && npm run package.
// Usage: npx tsx scripts/e2e/bench.ts [--models 5000]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { REPO, VsCodeSession, eventually } from '../../test/e2e/harness';

const modelsArg = process.argv.indexOf('--models');
const models = modelsArg >= 0 ? Number(process.argv[modelsArg + 1]) : 5000;
const workspace = path.join(REPO, `.cache/bench/synth${models}`);

function generate(): void {
  if (existsSync(path.join(workspace, 'dbt_project.yml'))) return;
  execFileSync(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), path.join(REPO, 'scripts/generateProject.ts'), '--models', String(models), '--out', workspace], { stdio: 'inherit' });
}

/** RSS in MB of the extension host: the code-server descendant whose command line names it. */
function extensionHostRssMb(serverPid: number | undefined): number | undefined {
  if (!serverPid) return undefined;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('extensionHost') && !cmd.includes('type=extensionHost')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (rss) return Math.round(Number(rss) / 1024);
    } catch {
      // The process went away.
    }
  }
  return undefined;
}

/** Opens the workbench, waits for the catalog, opens a model and shows its lineage; returns timings. */
async function lineageRun(label: string, model: string, settings: Record<string, unknown> = {}, waitForScan = true): Promise<Record<string, number | undefined>> {
  const session = await VsCodeSession.start({ workspace, inPlace: true, settings });
  try {
    const activation = await eventually('activation', () => /activated in ([\d.]+) ms/.exec(session.mallardLog())?.[1], 120_000);
    // Warm runs do not wait: the views read the catalog of the previous session while it rescans.
    if (waitForScan) await eventually('the scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 600_000);
    const scanned = waitForScan ? Date.now() : undefined;
    await session.openFile(model);
    await session.runCommand('Mallard: Show Lineage');
    const frame = await session.webview('Mallard Lineage', 120_000);
    const commandAt = Date.now();
    await frame.locator('g.node').first().waitFor({ timeout: 120_000 });
    const visible = Date.now();
    const nodes = await frame.locator('g.node').count();
    // Layout + DOM time of the webview's last draw (the host's paging time is in commandToGraphMs).
    const webviewRenderMs = Number(await frame.locator('#canvas').getAttribute('data-render-ms'));
    await session.screenshot(`bench-${label}`);
    return {
      activationMs: Number(activation),
      openToScanDoneMs: scanned === undefined ? undefined : scanned - session.openedAt,
      openToLineageVisibleMs: visible - session.openedAt,
      commandToGraphMs: visible - commandAt,
      nodes,
      webviewRenderMs,
      extensionHostRssMb: extensionHostRssMb(session.serverPid),
    };
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  generate();
  rmSync(path.join(workspace, '.mallard'), { recursive: true, force: true });
  // The model with the largest lineage closure makes the render benchmark meaningful; found after the cold run.
  const firstModel = readdirSync(path.join(workspace, 'models'), { recursive: true })
    .map(String)
    .find((f) => f.endsWith('.sql'));
  if (!firstModel) throw new Error('the generated project has no models');
  const cold = await lineageRun('cold', `models/${firstModel}`);
  const warm = await lineageRun('warm', `models/${firstModel}`, {}, false);

  const store = CatalogStore.open(path.join(workspace, '.mallard/catalog.db'), { readonly: true });
  let big = { id: '', path: '', size: 0 };
  const page = store.listEntities({ kind: 'model', limit: 10_000 });
  for (const e of page.items.filter((_, i) => i % 25 === 0)) {
    const size = store.modelLineage(e.id, { direction: 'both' }).nodes.length;
    if (size > big.size) big = { id: e.id, path: e.path, size };
  }
  store.close();
  const render = await lineageRun('render500', big.path, { 'mallard.maxGraphNodes': 500 }, false);

  const result = {
    models,
    activationMs: cold.activationMs,
    cold,
    warm,
    render500: { model: big.id, closure: big.size, ...render },
  };
  mkdirSync(path.join(REPO, 'bench-results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench-results/extension.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
