import { CatalogStore } from '../../../extension/catalog/catalogStore';

/**
 * Child process of `openRace.test.ts`: waits until the shared start time, opens the catalog file
 * (creating and migrating it) and prints its replica id, or the error, as one JSON line.
 */
const [file, startAtText] = process.argv.slice(2);
const startAt = Number(startAtText);
// Busy-wait rather than sleep: the point is that every child opens at the same instant.
while (Date.now() < startAt) {
  // spin
}
try {
  const store = CatalogStore.open(file ?? '');
  const replicaId = store.replicaId;
  store.close();
  process.stdout.write(`${JSON.stringify({ ok: true, replicaId })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err) })}\n`);
}
