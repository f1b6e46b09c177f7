import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { catalogPage } from './syncPages';

/**
 * Child process of `sqliteSyncStore.test.ts`: applies a 10,000-row page to the catalog at argv[2]
 * and is killed (SIGKILL, no cleanup) by a trigger when row `argv[3]` is written — a real crash in
 * the middle of the page's transaction, between rows and cursor.
 */
const [file = '', crashAt = ''] = process.argv.slice(2);
const store = CatalogStore.open(file);
store.db.function('crash_now', () => {
  process.kill(process.pid, 'SIGKILL');
  return 0;
});
store.db.exec(`CREATE TEMP TRIGGER crash AFTER INSERT ON sync_rows WHEN NEW.id = '${crashAt.replace(/'/g, "''")}' BEGIN SELECT crash_now(); END`);
store.syncStore().applyPage(catalogPage(0, 10_000), 'main', true);
process.stdout.write('not crashed\n');
