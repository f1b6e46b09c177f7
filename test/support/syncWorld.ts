import type { SupabaseClient } from '@supabase/supabase-js';
import { startFunctions } from './functionsServer';
import type { FunctionsServer } from './functionsServer';
import { makeTestKeys } from './jwtKeys';
import type { TestKeys } from './jwtKeys';
import { ids, seedOrgFixture, users } from './orgFixture';
import { freshDatabase, getServer } from './pgHarness';
import type { TestDatabase } from './pgHarness';
import { clientFor, TestReplica } from './syncClient';

/**
 * One sync test world per test file: a fresh fully migrated database with the two-organization
 * fixture (orgFixture.ts), real Deno serving the bundled functions behind the gateway stand-in, and
 * ES256 keys whose JWKS the functions trust. Replicas talk through supabase-js.
 */
export interface SyncWorld {
  db: TestDatabase;
  functions: FunctionsServer;
  keys: TestKeys;
  anonKey: string;
  /** `SUPABASE_DB_URL` of the world's database. */
  dbUrl: string;
  /** A supabase-js client for a fixture user (ES256 access token). */
  clientOf(user: keyof typeof users): SupabaseClient;
  /** A supabase-js client for any bearer token. */
  clientWith(token: string): SupabaseClient;
  /** A new replica of org A (or `orgId`) for a fixture user. */
  replica(user: keyof typeof users, orgId?: string): TestReplica;
  stop(): Promise<void>;
}

/** Starts a world (database, fixture, Deno). */
export async function startSyncWorld(options: { secretKeys?: string[]; env?: Record<string, string> } = {}): Promise<SyncWorld> {
  const db = await freshDatabase('migrated');
  await seedOrgFixture(db.admin);
  const server = await getServer();
  const dbUrl = `postgres://postgres:postgres@${server.host}:${server.port}/${db.name}`;
  const keys = await makeTestKeys();
  const functions = await startFunctions({ dbUrl, keys, secretKeys: options.secretKeys ?? [], ...(options.env ? { env: options.env } : {}) });
  const anonKey = await keys.anonKey();
  const clientWith = (token: string) => clientFor(functions.url, anonKey, () => token);
  const clientOf = (user: keyof typeof users) =>
    clientFor(functions.url, anonKey, () => keys.userToken(users[user], { email: `${user}@example.test` }));
  return {
    db,
    functions,
    keys,
    anonKey,
    dbUrl,
    clientOf,
    clientWith,
    replica: (user, orgId = ids.orgA) => new TestReplica(clientOf(user), orgId),
    stop: async () => {
      await functions.stop();
      await db.drop();
    },
  };
}
