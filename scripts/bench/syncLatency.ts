/**
 * Sync latency benchmark (printed, no assertions): commit on one replica → visible on another.
 * The real stack end to end: embedded Postgres with every migration, the bundled edge functions in
 * real Deno behind the gateway stand-in, and two replicas, each its own SQLite catalog file with the
 * real `SyncEngine` and the production supabase-js transport. The reader runs the engine's own
 * scheduler (`nodeClock`) polling every `--poll` ms (default 250); the writer edits a description
 * through the catalog's mutation API and pushes at once (`syncNow`). For each of `--commits` edits
 * (default 50) it records the time from the local edit and from the server's acknowledgement of the
 * push (the commit) to the moment the reader's replica file holds the new value, and prints
 * p50/p95/max. Target: commit → visible p95 ≤ 1 s. Then, for a fifth as many edits, the writer's
 * engine runs as the extension runs it (its scheduler: the `edit` trigger pushes after the default
 * delay of 300 ms, so edits of a burst share one push): edit → visible as a user sees it.
 * Writes bench-results/syncLatency.json.
 *
 *   npx tsx scripts/bench/syncLatency.ts [--commits 50] [--poll 250]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { nodeClock } from '../../extension/sync/nodeClock';
import { createSupabaseTransport } from '../../extension/sync/supabaseTransport';
import { ManualClock } from '../../sync/memory/manualClock';
import type { SyncClock } from '../../sync/ports';
import { SyncEngine } from '../../sync/syncEngine';
import { column, entity, facts } from '../../test/integration/catalog/catalogFixtures';
import { createConvergeOrg } from '../../test/support/syncConverge/convergeOrg';
import { stopServer } from '../../test/support/pgHarness';
import { startSyncWorld } from '../../test/support/syncWorld';
import type { SyncWorld } from '../../test/support/syncWorld';

const ENTITY = 'model.p.orders';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const round = (v: number) => Math.round(v);
function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const summary = (xs: readonly number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), max: round(Math.max(...xs)) });

/** One replica: a catalog file with the edited entity, and the engine on it for `userId`. */
function replica(world: SyncWorld, dir: string, name: string, orgId: string, userId: string, clock: SyncClock, intervalMs: number) {
  const store = CatalogStore.open(path.join(dir, `${name}.db`));
  store.replaceAll(facts({ entities: [entity(ENTITY)], columns: [column(ENTITY, 'id', 0)] }));
  const engineWith = (engineClock: SyncClock, engineInterval: number): SyncEngine => new SyncEngine({
    orgId,
    store: store.syncStore(),
    transport: createSupabaseTransport(),
    credentials: { getCredentials: async () => ({ url: world.functions.url, apiKey: world.anonKey, accessToken: await world.keys.userToken(userId, { email: `${name}@example.test` }), principal: userId }) },
    clock: engineClock,
    intervalMs: engineInterval,
  });
  const engine = engineWith(clock, intervalMs);
  /** The description the replica's synced row of the entity holds now. */
  const description = (): unknown => {
    const row = store.db.prepare("SELECT fields FROM sync_rows WHERE kind = 'entity' AND id = ?").get(ENTITY) as { fields: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.fields) as Record<string, unknown>).description;
  };
  return { store, engine, engineWith, description };
}

async function main(): Promise<void> {
  const commits = arg('commits', 50);
  const pollMs = arg('poll', 250);
  const world = await startSyncWorld();
  const dir = mkdtempSync(path.join(tmpdir(), 'mallard-bench-latency-'));
  try {
    const org = await createConvergeOrg(world.db.admin, 1);
    // The writer is driven by hand (ManualClock: its scheduler never fires); the reader polls.
    const writer = replica(world, dir, 'writer', org.orgId, org.users[2], new ManualClock(), 3_600_000);
    const reader = replica(world, dir, 'reader', org.orgId, org.users[1], nodeClock, pollMs);
    await writer.engine.syncNow();
    await reader.engine.syncNow();

    let waiting: { value: string; resolve: (at: number) => void } | undefined;
    const cycles = { count: 0, ms: [] as number[] };
    let cycleStart = 0;
    reader.engine.onStatus((status) => {
      if (status.state === 'syncing') { cycleStart = performance.now(); return; }
      cycles.count += 1;
      if (cycleStart > 0) cycles.ms.push(performance.now() - cycleStart);
      if (waiting !== undefined && reader.description() === waiting.value) {
        const done = waiting;
        waiting = undefined;
        done.resolve(performance.now());
      }
    });
    reader.engine.start();

    /** Waits until the reader's replica shows `value` (checked after each of its cycles). */
    const visibleAt = async (value: string, i: number): Promise<number> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const visible = new Promise<number>((resolve) => { waiting = { value, resolve }; });
      const seen = await Promise.race([visible, new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error(`edit ${i} not visible after 30 s`)), 30_000); })]);
      clearTimeout(timer);
      return seen;
    };
    // A pause of a random fraction of the poll interval, so commits land at every phase of it.
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * pollMs));

    // 1. The writer pushes at once after each edit: commit (acknowledged push) → visible.
    const fromEdit: number[] = [];
    const fromCommit: number[] = [];
    const pushMs: number[] = [];
    for (let i = 0; i < commits; i++) {
      const value = `latency run edit ${i}`;
      const seen = visibleAt(value, i);
      const edited = performance.now();
      writer.store.mutate({ entityId: ENTITY }, { description: value });
      const status = await writer.engine.syncNow();
      const committed = performance.now();
      if (status.state !== 'idle' || status.pendingOps > 0) throw new Error(`push failed: ${JSON.stringify(status)}`);
      const at = await seen;
      fromEdit.push(at - edited);
      fromCommit.push(at - committed);
      pushMs.push(committed - edited);
      await pause();
    }
    await writer.engine.stop();

    // 2. The writer's engine as the extension runs it: the edit trigger (default delay, 300 ms) pushes.
    const scheduled = writer.engineWith(nodeClock, 3_600_000);
    scheduled.start();
    await scheduled.syncNow();
    const fromScheduledEdit: number[] = [];
    const scheduledCommits = Math.max(1, Math.round(commits / 5));
    for (let i = 0; i < scheduledCommits; i++) {
      const value = `latency run scheduled edit ${i}`;
      const seen = visibleAt(value, i);
      const edited = performance.now();
      writer.store.mutate({ entityId: ENTITY }, { description: value });
      scheduled.notify('edit');
      fromScheduledEdit.push((await seen) - edited);
      await pause();
    }
    await scheduled.stop();
    await reader.engine.stop();
    const result = {
      commits,
      pollMs,
      commitToVisibleMs: summary(fromCommit),
      editToVisibleMs: summary(fromEdit),
      writerPushMs: summary(pushMs),
      scheduledEdits: scheduledCommits,
      scheduledEditToVisibleMs: summary(fromScheduledEdit),
      readerCycleMs: summary(cycles.ms),
      readerCycles: cycles.count,
    };
    process.stderr.write(`commit → visible over ${commits} commits, poll ${pollMs} ms: p50 ${result.commitToVisibleMs.p50} ms, p95 ${result.commitToVisibleMs.p95} ms, max ${result.commitToVisibleMs.max} ms (edit → visible p95 ${result.editToVisibleMs.p95} ms; push p50 ${result.writerPushMs.p50} ms; reader cycle p50 ${result.readerCycleMs.p50} ms); with the edit trigger's delay, edit → visible p95 ${result.scheduledEditToVisibleMs.p95} ms\n`);
    console.log(JSON.stringify(result, null, 2));
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(path.join('bench-results', 'syncLatency.json'), JSON.stringify(result, null, 2));
    writer.store.close();
    reader.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await world.stop().catch(() => undefined);
    await stopServer();
  }
}

main().catch(async (err) => {
  console.error(err);
  await stopServer().catch(() => undefined);
  process.exit(1);
});
