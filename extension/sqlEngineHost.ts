import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { installedSqlEngine, installSqlEngine, reportSqlEngineUnavailable } from '../core/sql/sqlEngine';
import type { WasmModule } from '../core/sql/wasmApi';

/**
 * The Node side of the SQL engine port (`core/sql/sqlEngine.ts`): finds the parser's WebAssembly
 * file and installs it in this thread. Bundled, the file is `dist/sqlparser.wasm` (copied by
 * `esbuild.mjs`, shipped in the VSIX); from sources (tests under tsx) it is read from the
 * `@guanmingchiu/sqlparser-ts` package. Every thread that parses calls `ensureSqlEngine` first.
 */

/** File name of the parser's WebAssembly in `dist/`. */
export const SQL_ENGINE_FILE = 'sqlparser.wasm';

let tried = false;

/** Where the parser's WebAssembly may be, in order: next to the bundle, in `dist/`, in the package. */
export function sqlEngineCandidates(): string[] {
  const candidates = [path.join(__dirname, SQL_ENGINE_FILE), path.join(__dirname, '..', SQL_ENGINE_FILE)];
  try {
    // The package exports only its entry (dist/index.cjs); the WebAssembly is in its wasm/ folder.
    candidates.push(path.join(path.dirname(require.resolve('@guanmingchiu/sqlparser-ts')), '..', 'wasm', 'sqlparser_rs_wasm_bg.wasm'));
  } catch {
    // Bundled without node_modules: only the dist/ copies exist.
  }
  return candidates;
}

/**
 * Installs the SQL parser in this thread once (later calls return at once). Never throws: when the
 * file is missing or does not fit, every parse reports why in its diagnostic.
 */
export function ensureSqlEngine(module?: WasmModule): void {
  if (installedSqlEngine() || tried) return;
  tried = true;
  try {
    if (module) {
      installSqlEngine(module);
      return;
    }
    const file = sqlEngineCandidates().find((c) => existsSync(c));
    if (!file) {
      reportSqlEngineUnavailable(`${SQL_ENGINE_FILE} not found next to ${__dirname}`);
      return;
    }
    installSqlEngine(new Uint8Array(readFileSync(file)));
  } catch (err) {
    reportSqlEngineUnavailable(err instanceof Error ? err.message : String(err));
  }
}
