/**
 * Sync server benchmark (printed, no assertions): the bundled edge functions in real Deno against
 * embedded Postgres with every migration, called through supabase-js as the extension does.
 *   - push of 10k ops (10 requests of 1,000, then 50 of 200) — target ≤ 5 s — and where one 1,000-row
 *     write's time goes, per trigger;
 *   - initial pull of 100k org-catalog entity rows page by page (5,000 per page): server time as the
 *     client sees it, JSON bytes, and the time to parse the pages (the client engine's apply is
 *     measured by its own benchmark) — target ≤ 15 s including the client's apply; then the same pull
 *     end to end into an empty SQLite replica through the engine's pull loop and the supabase-js
 *     transport, with 5,000 rows per page and with the engine's default 1,000;
 *   - an idle pull's database cost: top-level statements (pg_stat_statements) and time;
 *   - clock metadata (vectors, provenance, replica dictionary) bytes against row bytes — target
 *     ≤ 10 % — of the same rows pulled as a version 1 client (full uuid-keyed clocks, "before") and
 *     as this version (compact clocks, "after"), and of a push of edits in both forms (`clockShare.ts`).
 * Writes bench-results/sync.json. `--clock-only` skips the timings that do not feed the clock figures.
 *
 *   npx tsx scripts/bench/sync.ts [--rows 100000] [--ops 10000] [--clock-only]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { createSupabaseTransport } from '../../extension/sync/supabaseTransport';
import { pullAll } from '../../sync/syncCycle';
import type { PullResponse } from '../../core/sync/pullMessages';
import { encodePushRequest } from '../../core/sync/pushMessages';
import type { PushRequest } from '../../core/sync/pushMessages';
import { pageClockShare, pushClockShare } from './clockShare';
import { ids, users } from '../../test/support/orgFixture';
import { stopServer } from '../../test/support/pgHarness';
import { startSyncWorld } from '../../test/support/syncWorld';
import type { SyncWorld } from '../../test/support/syncWorld';

process.env.MALLARD_PG_STAT_STATEMENTS = '1';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A realistic org-catalog entity (~1 KB of JSON): a model with its columns. */
function entityPayload(n: number): string {
  const columns = Array.from({ length: 8 }, (_, c) => ({ name: `column_${c}`, dataType: c % 2 ? 'varchar' : 'bigint', description: `Column ${c} of model ${n}.` }));
  return JSON.stringify({
    id: `model.bench.model_${n}`, kind: 'model', name: `model_${n}`, project: 'bench', path: `models/marts/model_${n}.sql`,
    description: `Model ${n}: one row per order line, joined to customers and payments.`, materialized: 'table', columns,
  });
}

/** Raw pages (as sent) of a whole pull of `orgId` by `user`, speaking wire version `schemaVersion`. */
async function rawPull(world: SyncWorld, orgId: string, user: string, schemaVersion: number, maxPages = Infinity): Promise<unknown[]> {
  const started = performance.now();
  const pages: unknown[] = [];
  const replicaId = crypto.randomUUID();
  let cursor: PullResponse['cursor'] | null = null;
  while (pages.length < maxPages) {
    const response = await fetch(`${world.functions.url}/functions/v1/sync-pull`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await world.keys.userToken(user)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ schemaVersion, orgId, replicaId, cursor, limit: 5000 }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`pull failed: ${response.status} ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as { cursor: PullResponse['cursor']; hasMore: boolean };
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  rawPullSeconds.set(`${orgId}/${schemaVersion}`, round((performance.now() - started) / 1000, 2));
  return pages;
}

/** Seconds of each `rawPull` (organization/version): the server's cost of either clock encoding. */
const rawPullSeconds = new Map<string, number>();

/**
 * Where a push's time goes: EXPLAIN ANALYZE of sync-push's row upsert of `count` new rows under an
 * editor's claims (as the function runs it), rolled back. Returns the statement's time and each
 * trigger's (stamp, guard and foreign-key triggers fire once per row; the audit triggers once per statement and event).
 */
async function pushProfile(world: SyncWorld, count: number): Promise<Record<string, number>> {
  const replica = crypto.randomUUID();
  const payload = Array.from({ length: count }, (_, i) => ({
    kind: i % 2 ? 'entity' : 'column', id: i % 2 ? `model.profile.m${i}` : `model.profile.m${i + 1}#c${i}`,
    fields: { description: `Edited description ${i}`, tags: ['bench'], 'meta.owner_team': 'team-1' },
    provenance: { description: { [replica]: i + 1 }, tags: { [replica]: i + 1 }, 'meta.owner_team': { [replica]: i + 1 } },
    vector: { [replica]: i + 1 }, deleted: null,
  }));
  const out: Record<string, number> = {};
  const rollback = new Error('rollback');
  await world.db.owner.begin(async (tx) => {
    const claims = { role: 'authenticated', sub: users.editor, aud: 'authenticated' };
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('mallard.sync_writer', 'on', true)`;
    const plan = await tx.unsafe<Record<string, string>[]>(`explain (analyze) insert into public.sync_rows as r (org_id, kind, row_id, fields, provenance, vector, deleted)
      select $1::uuid, x.kind, x.id, x.fields, x.provenance, x.vector, x.deleted
      from jsonb_to_recordset($2::text::jsonb) as x(kind text, id text, fields jsonb, provenance jsonb, vector jsonb, deleted jsonb)
      on conflict (org_id, kind, row_id) do update
        set fields = excluded.fields, provenance = excluded.provenance, vector = excluded.vector, deleted = excluded.deleted`, [ids.orgA, JSON.stringify(payload)]);
    for (const line of plan.map((r) => Object.values(r)[0] ?? '')) {
      const trigger = /^Trigger (?:for constraint )?(\S+): time=([\d.]+)/.exec(line);
      if (trigger) {
        const key = trigger[1]!.endsWith('_fkey') ? 'foreignKeys' : trigger[1]!;
        out[key] = round((out[key] ?? 0) + Number(trigger[2]), 1);
      }
      const total = /^Execution Time: ([\d.]+)/.exec(line);
      if (total) out.statement = round(Number(total[1]), 1);
    }
    throw rollback;
  }).catch((err: unknown) => { if (err !== rollback) throw err; });
  return out;
}

/**
 * The whole initial pull as a user gets it: an empty SQLite replica pulls the organization through
 * the engine's pull loop (`pullAll`) and the production supabase-js transport, `pageSize` rows per
 * page — server, transfer, decode, validation and apply together.
 */
async function endToEndPull(world: SyncWorld, pageSize: number): Promise<{ rows: number; seconds: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mallard-bench-pull-'));
  const store = CatalogStore.open(path.join(dir, 'replica.db'));
  try {
    const sync = store.syncStore();
    const user = 'f0000000-0000-4000-8000-000000000008';
    sync.bindOrg(ids.orgB, user);
    let rows = 0;
    const started = performance.now();
    await pullAll({
      orgId: ids.orgB, store: sync, transport: createSupabaseTransport(), pushBatch: 1000, pageSize,
      credentials: { url: world.functions.url, apiKey: world.anonKey, accessToken: await world.keys.userToken(user), principal: user },
      progress: (event) => { if ('pulledRows' in event) rows += event.pulledRows; },
    });
    return { rows, seconds: round((performance.now() - started) / 1000, 2) };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = arg('rows', 100_000);
  const opsTotal = arg('ops', 10_000);
  const clockOnly = process.argv.includes('--clock-only');
  const world = await startSyncWorld();
  try {
    await world.db.admin`create extension if not exists pg_stat_statements`;

    // 1. Push 10k ops, distinct rows, several fields: in requests of 1,000 ops (the contract's
    // maximum) and of 200. Every written row is audited (hash chain, issue 12) in the same transaction.
    const pushRun = async (user: 'editor' | 'admin', batch: number, prefix: string) => {
      const pusher = world.replica(user);
      const ops = Array.from({ length: opsTotal }, (_, i) =>
        pusher.patch(i % 2 ? 'entity' : 'column', i % 2 ? `model.${prefix}.m${i}` : `model.${prefix}.m${i + 1}#c${i}`,
          { description: `Edited description ${i}`, tags: ['bench', `t${i % 7}`], 'meta.owner_team': `team-${i % 5}` }));
      const times: number[] = [];
      const started = performance.now();
      for (let i = 0; i < ops.length; i += batch) {
        const t = performance.now();
        const answer = await pusher.push(ops.slice(i, i + batch));
        if (!answer.ok || answer.data.acks.some((a) => a.status !== 'applied')) throw new Error(`push failed: ${JSON.stringify(answer).slice(0, 300)}`);
        times.push(performance.now() - t);
      }
      const seconds = (performance.now() - started) / 1000;
      return { ops: opsTotal, opsPerRequest: batch, seconds: round(seconds, 2), opsPerSecond: Math.round(opsTotal / seconds), requestMsMedian: round(median(times)) };
    };
    const push1000 = await pushRun('editor', 1000, 'push1000');
    const push200 = await pushRun('admin', 200, 'push200');
    const pushMsOf1000Rows = clockOnly ? {} : await pushProfile(world, 1000);

    // 2. Initial pull of `rows` org-catalog entities into an empty replica.
    // Set-up, not measured: the rows are loaded directly (as the org-catalog writer's rows would be),
    // audited like every write (statement-level audit: one chain-head update per statement).
    const tl = performance.now();
    for (let from = 1; from <= rows; from += 10_000) {
      await world.db.owner.unsafe(`
        insert into public.sync_rows (org_id, kind, row_id, fields, provenance, vector)
        select '${ids.orgB}', 'catalogEntity', 'model.bench.model_' || g,
               jsonb_build_object('payload', p), jsonb_build_object('payload', jsonb_build_object('00000000-0000-4000-8000-00000000ca7a', 1)),
               jsonb_build_object('00000000-0000-4000-8000-00000000ca7a', 1)
        from generate_series(${from}, ${Math.min(rows, from + 9_999)}) g,
             lateral (select replace($p$${entityPayload(0)}$p$, 'model_0', 'model_' || g)::jsonb as p) x`);
    }
    await world.db.admin`analyze public.sync_rows`;
    const loadSeconds = (performance.now() - tl) / 1000;
    const puller = world.replica('otherOwner', ids.orgB);
    let bytes = 0;
    let pages = 0;
    let parseMs = 0;
    let pulledRows = 0;
    const tp = performance.now();
    let cursor: PullResponse['cursor'] | null = null;
    for (;;) {
      const response = await fetch(`${world.functions.url}/functions/v1/sync-pull`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await world.keys.userToken('f0000000-0000-4000-8000-000000000008')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ schemaVersion: SYNC_SCHEMA_VERSION, orgId: ids.orgB, replicaId: puller.replicaId, cursor, limit: 5000 }),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`pull failed: ${response.status} ${text.slice(0, 300)}`);
      bytes += Buffer.byteLength(text);
      pages += 1;
      const tParse = performance.now();
      const page = JSON.parse(text) as PullResponse;
      parseMs += performance.now() - tParse;
      pulledRows += page.rows.length;
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const pullSeconds = (performance.now() - tp) / 1000;

    // The same pull end to end into a SQLite replica: the contract's page maximum and the engine's default.
    const endToEnd = clockOnly ? {} : { pages5000: await endToEndPull(world, 5000), pages1000: await endToEndPull(world, 1000) };

    // 3. An idle pull (nothing new): top-level statements and database time per request.
    const idle = world.replica('otherOwner', ids.orgB);
    await idle.pullAll(5000);
    await world.db.admin`select pg_stat_statements_reset()`;
    const idleWall: number[] = [];
    const idleCount = clockOnly ? 1 : 30;
    for (let i = 0; i < idleCount; i++) {
      const t = performance.now();
      const answer = await idle.pullPage();
      if (!answer.ok || answer.data.rows.length > 0) throw new Error('idle pull served rows');
      idleWall.push(performance.now() - t);
    }
    const [stmt] = await world.db.admin<{ calls: string; ms: string }[]>`
      select coalesce(sum(calls), 0)::text as calls, coalesce(sum(total_exec_time), 0)::text as ms
      from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        and query not ilike '%pg_stat_statements%'`;

    // 4. Clock metadata against row bytes, the same rows as a version 1 client (before compact
    // clocks) and as this version gets them: the org catalog, and the metadata rows pushed above
    // (the first page of 5,000). Then a push of 1,000 edits of rows another replica wrote (their
    // vectors are not empty), as version 1 and as this version would send it; the compact one is sent.
    const otherOwner = 'f0000000-0000-4000-8000-000000000008';
    const metadataUser = users.editor;
    const catalogV1 = await rawPull(world, ids.orgB, otherOwner, 1);
    const catalogNow = await rawPull(world, ids.orgB, otherOwner, SYNC_SCHEMA_VERSION);
    const metadataV1 = await rawPull(world, ids.orgA, metadataUser, 1, 1);
    const metadataNow = await rawPull(world, ids.orgA, metadataUser, SYNC_SCHEMA_VERSION, 1);
    const editor2 = world.replica('admin');
    await editor2.pullPage(5000);
    const edited = [...editor2.rows.values()].filter((r) => r.target.kind === 'entity' || r.target.kind === 'column').slice(0, 1000);
    const editOps = edited.map((r, i) => editor2.patch(r.target.kind, r.target.id, { description: `Second edit ${i}` }));
    const editRequest: PushRequest = { schemaVersion: SYNC_SCHEMA_VERSION, orgId: ids.orgA, replicaId: editor2.replicaId, ops: editOps };
    const editPush = await editor2.push(editOps);
    if (!editPush.ok || editPush.data.acks.some((a) => a.status !== 'applied')) throw new Error(`edit push failed: ${JSON.stringify(editPush).slice(0, 300)}`);
    const share = (v1: unknown[], now: unknown[]) => ({ version1: pageClockShare(v1), [`version${SYNC_SCHEMA_VERSION}`]: pageClockShare(now) });
    const clockBytes = {
      orgCatalog: share(catalogV1, catalogNow),
      pushedMetadata: share(metadataV1, metadataNow),
      orgCatalogPullSeconds: { version1: rawPullSeconds.get(`${ids.orgB}/1`), [`version${SYNC_SCHEMA_VERSION}`]: rawPullSeconds.get(`${ids.orgB}/${SYNC_SCHEMA_VERSION}`) },
      pushOfEdits: { version1: pushClockShare([{ ...editRequest, schemaVersion: 1 }]), [`version${SYNC_SCHEMA_VERSION}`]: pushClockShare([encodePushRequest(editRequest)]) },
    };

    const result = {
      push: push1000,
      pushSmallRequests: push200,
      pushMsOf1000Rows,
      initialPull: {
        rows: pulledRows, pages, seconds: round(pullSeconds, 2), rowsPerSecond: Math.round(pulledRows / pullSeconds),
        megabytes: round(bytes / 1e6, 1), clientParseSeconds: round(parseMs / 1000, 2), loadSeconds: round(loadSeconds, 1),
      },
      initialPullIntoReplica: endToEnd,
      idlePull: {
        msMedian: round(median(idleWall), 2),
        statementsPerPull: round(Number(stmt?.calls ?? 0) / idleCount, 1),
        dbMsPerPull: round(Number(stmt?.ms ?? 0) / idleCount, 3),
      },
      clockBytes,
    };
    console.log(JSON.stringify(result, null, 2));
    await mkdir('bench-results', { recursive: true });
    await writeFile(path.join('bench-results', 'sync.json'), JSON.stringify(result, null, 2));
  } finally {
    await world.stop().catch(() => undefined);
    await stopServer();
  }
}

main().catch(async (err) => {
  console.error(err);
  await stopServer().catch(() => undefined);
  process.exit(1);
});
