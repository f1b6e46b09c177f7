/**
 * Connector benchmark: the PostgreSQL connector on 10,000 tables (~10 columns each, keys and
 * comments on some) plus views joining them, generated in a scratch database on the shared
 * embedded Postgres (or DATABASE_URL), read through the real Node driver. Prints the time of a full
 * extraction (with its phases: the five catalog queries, then facts and view lineage), of an
 * unchanged (incremental) run, and the rows produced. Writes bench-results/connectors.json.
 *
 *   npx tsx scripts/bench/connectors.ts [--tables 10000] [--views 1000] [--schemas 20]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import '../../test/setup/sqlEngine';
import { validateInput } from '../../core/connectors/connector';
import { postgresConnector } from '../../core/connectors/postgres';
import { openSqlSession } from '../../extension/connectors/sqlDrivers';
import { stopServer } from '../../test/support/pgHarness';
import { scratchDatabase } from '../../test/support/pgScratch';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const round = (ms: number) => Math.round(ms);

async function main(): Promise<void> {
  const tables = arg('tables', 10_000);
  const views = arg('views', 1_000);
  const schemas = arg('schemas', 20);
  const db = await scratchDatabase('bench_conn');
  try {
    const t0 = Date.now();
    // Generated server-side, 500 relations per statement (one transaction each, under the lock table's
    // size): 10,000 client round trips would measure the network, not the connector.
    await db.sql.unsafe(`do $$ begin for s in 0..${schemas - 1} loop execute format('create schema s%s', s); end loop; end $$`);
    for (let from = 0; from < tables; from += 500) {
      await db.sql.unsafe(`do $$ begin
        for i in ${from}..${Math.min(tables, from + 500) - 1} loop
          execute format('create table s%s.t%s (id bigint primary key, parent_id bigint, code text not null, name text, amount numeric(12,2), qty int, created_at timestamptz, updated_at timestamptz, status varchar(20), note text)', i % ${schemas}, i);
          if i % 10 = 0 then
            execute format('comment on table s%s.t%s is %L', i % ${schemas}, i, 'Generated table ' || i);
            execute format('comment on column s%s.t%s.amount is %L', i % ${schemas}, i, 'Amount in cents');
          end if;
        end loop;
      end $$`);
    }
    for (let from = 0; from < views; from += 500) {
      await db.sql.unsafe(`do $$ begin
        for v in ${from}..${Math.min(views, from + 500) - 1} loop
          execute format('create view s%s.v%s as select a.id, a.code, a.amount + coalesce(b.amount, 0) as amount, b.status from s%s.t%s a left join s%s.t%s b on b.id = a.parent_id where a.qty > 0',
            v % ${schemas}, v, (2 * v) % ${schemas}, (2 * v) % ${tables}, (2 * v + 1) % ${schemas}, (2 * v + 1) % ${tables});
        end loop;
      end $$`);
    }
    // A real catalog is not read straight after 11,000 CREATEs: vacuum sets the catalog rows' hint
    // bits and statistics, which the first read would otherwise do (and be timed for).
    await db.sql.unsafe('vacuum analyze');
    const generateMs = Date.now() - t0;
    const server = db.server;
    const { config, secrets } = validateInput(postgresConnector, { host: server.host, port: server.port, database: db.name, user: server.superuser, sslmode: 'disable' }, { password: server.superPassword });
    const phases: { message: string; at: number }[] = [];
    const ports = { openSql: (c: unknown, s: unknown) => openSqlSession('postgres', c, s), progress: (message: string) => phases.push({ message, at: Date.now() }) };
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const cpuBefore = process.cpuUsage();
    const full = await postgresConnector.extract({ config, secrets }, ports);
    const fullMs = Date.now() - started;
    // This process's CPU (the connector's share; the server's is not counted): less noisy than wall time on a shared machine.
    const cpu = process.cpuUsage(cpuBefore);
    const fullCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const rssAfter = process.memoryUsage().rss;
    // Each progress message starts a phase; the last one is the result line, after the facts are built.
    const phaseMs: Record<string, number> = {};
    let label = 'connect and list schemas';
    let prev = started;
    for (const p of phases) {
      phaseMs[label] = p.at - prev;
      label = p.message.replace(/ of \d+ relations/, '').replace(/ \d+ views/, ' views');
      prev = p.at;
    }
    const incStarted = Date.now();
    const again = await postgresConnector.extract({ config, secrets, state: full.state ?? null }, { openSql: ports.openSql });
    const unchangedMs = Date.now() - incStarted;
    const result = {
      tables,
      views,
      schemas,
      generateSeconds: Math.round(generateMs / 100) / 10,
      fullExtractMs: fullMs,
      fullExtractClientCpuMs: fullCpuMs,
      phasesMs: Object.fromEntries(Object.entries(phaseMs).map(([k, v]) => [k, round(v)])),
      unchangedRunMs: unchangedMs,
      unchangedAnswered: again.unchanged === true,
      rows: { entities: full.facts.entities.length, columns: full.facts.columns.length, modelEdges: full.facts.modelEdges.length, columnEdges: full.facts.columnEdges.length, unresolved: full.facts.unresolved.length, diagnostics: full.facts.diagnostics.length },
      stats: full.stats,
      rssGrowthMb: Math.round((rssAfter - rssBefore) / 1024 / 1024),
    };
    console.log(`Postgres connector: ${tables} tables + ${views} views in ${schemas} schemas (generated in ${result.generateSeconds} s)`);
    console.log(`full extraction ${fullMs} ms (client CPU ${fullCpuMs} ms); unchanged run ${unchangedMs} ms (unchanged=${String(result.unchangedAnswered)})`);
    for (const [k, v] of Object.entries(result.phasesMs)) console.log(`  ${k.padEnd(32)} ${String(v).padStart(7)} ms`);
    console.log(`rows: ${Object.entries(result.rows).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const outDir = path.resolve(__dirname, '../../bench-results');
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, 'connectors.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result));
  } finally {
    await db.drop();
    await stopServer();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
