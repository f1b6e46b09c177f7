import { stopServer } from './pgHarness';

/**
 * Importing this module from a spec file registers one root-level `after` hook that stops the
 * shared Postgres when the whole mocha run ends (the server is shared by all files, so no single
 * file may stop it). Module caching makes the registration happen once.
 */
after(async function stopSharedPostgres() {
  this.timeout(30_000);
  await stopServer();
});

/** Marker export so spec files can import this module for its side effect explicitly. */
export const sharedPostgresLifecycle = true;
