import { installedSqlEngine, installSqlEngine, reportSqlEngineUnavailable } from '../../core/sql/sqlEngine';

/**
 * The Deno side of the SQL engine port (`core/sql/sqlEngine.ts`): installs the sqlparser-rs
 * WebAssembly that the build copies next to the `org-extract` bundle (`sqlparser.wasm`, a
 * `static_files` entry of supabase/config.toml), once per worker, so SQL in the cloud is parsed
 * exactly as the scanner parses it. Never throws: when the file is missing, every parse says why
 * in its diagnostic.
 */

let tried = false;

/** Installs the parser once per worker. */
export async function ensureDenoSqlEngine(): Promise<void> {
  if (installedSqlEngine() || tried) return;
  tried = true;
  try {
    const bytes = await Deno.readFile(new URL('./sqlparser.wasm', import.meta.url));
    installSqlEngine(new Uint8Array(bytes));
  } catch (err) {
    reportSqlEngineUnavailable(`sqlparser.wasm could not be loaded next to the function: ${err instanceof Error ? err.message : String(err)}`);
  }
}
