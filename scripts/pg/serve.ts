/**
 * Starts a Supabase-faithful local Postgres (embedded 17.x, or DATABASE_URL) with all migrations
 * applied (and supabase/seed.sql with --seed), prints connection strings for each login role, and
 * keeps it running until Ctrl-C. For poking at RLS by hand:
 *
 *   npx tsx scripts/pg/serve.ts --seed
 *   psql "<authenticator url>" -c "begin; select set_config('role','authenticated',true),
 *        set_config('request.jwt.claims','{\"sub\":\"a0000000-0000-4000-8000-000000000004\"}',true);
 *        select name from catalog_entities; commit;"
 */
import path from 'node:path';
import { freshDatabase, getServer, runSqlFile, stopServer } from '../../test/support/pgHarness';

async function main(): Promise<void> {
  const server = await getServer();
  const db = await freshDatabase('migrated');
  if (process.argv.includes('--seed')) await runSqlFile(db.owner, path.resolve(__dirname, '../../supabase/seed.sql'));
  const url = (user: string, password: string) => `postgres://${user}:${password}@${server.host}:${server.port}/${db.name}`;
  console.log(`superuser      ${url(server.superuser, server.superPassword)}`);
  console.log(`postgres       ${url('postgres', 'postgres')}   (migrations role: no superuser, BYPASSRLS)`);
  console.log(`authenticator  ${url('authenticator', 'authenticator')}   (switch to anon/authenticated/service_role per transaction)`);
  console.log('Ctrl-C stops the server and deletes its data.');
  const stop = async () => {
    await db.drop().catch(() => undefined);
    await stopServer();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopServer();
  process.exitCode = 1;
});
