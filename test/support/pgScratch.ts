import type { Sql } from 'postgres';
import { connect, getServer } from './pgHarness';
import type { PgServer } from './embeddedServer';

/**
 * A plain scratch database on the shared test server (no Supabase bootstrap), for connectors that
 * read a warehouse's catalog: the Postgres connector's tests and benchmark create their own schemas
 * in it and drop it at the end.
 */

export interface ScratchDatabase {
  server: PgServer;
  name: string;
  /** A superuser pool on the scratch database. */
  sql: Sql;
  drop(): Promise<void>;
}

let counter = 0;

/** Creates an empty database named `<prefix>_<label>_<pid>_<n>`. */
export async function scratchDatabase(label: string): Promise<ScratchDatabase> {
  const server = await getServer();
  counter += 1;
  const name = `${server.prefix}_${label}_${process.pid}_${counter}`.toLowerCase();
  const root = connect(server, 'postgres', 'super', 1);
  try {
    await root.unsafe(`drop database if exists "${name}" with (force)`);
    await root.unsafe(`create database "${name}"`);
  } finally {
    await root.end();
  }
  const sql = connect(server, name, 'super');
  return {
    server,
    name,
    sql,
    drop: async () => {
      await sql.end();
      const r = connect(server, 'postgres', 'super', 1);
      try {
        await r.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await r.end();
      }
    },
  };
}
