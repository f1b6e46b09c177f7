/**
 * Child process of `killedScan.test.ts`: one full scan of a workspace into a catalog, then exit.
 * The test kills it with SIGKILL while its parse workers run. Usage: scanOnce.ts ROOT DB
 */
import { CatalogStore } from '../../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../../extension/scanner/scanner';

async function main(): Promise<void> {
  const [root, db] = process.argv.slice(2);
  if (!root || !db) throw new Error('usage: scanOnce.ts ROOT DB');
  const store = CatalogStore.open(db);
  const scanner = new WorkspaceScanner(store, { root, git: false, workers: 1, inlineBelow: 0 });
  await scanner.scan();
  await scanner.dispose();
  store.close();
  process.stdout.write('scan finished\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
