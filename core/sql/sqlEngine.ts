import type { Dialect } from '../pipeline/contracts';
import { missingImports, SqlParserInstance } from './wasmGlue';
import { isWasmModule, wasmApi, type WasmModule } from './wasmApi';

/**
 * The SQL parser engine: datafusion-sqlparser-rs compiled to WebAssembly. `core/` never reads
 * files, so the compiled module comes through this port: the host installs it once per thread
 * (`installSqlEngine`; in Node `extension/sqlEngineHost.ts` reads it from `dist/` or the package),
 * and `parseSql` reports every statement as not parsed while none is installed.
 */

/** A failure to install the engine: the host's WASM does not fit this glue (wrong package version). */
export class SqlEngineError extends Error {
  constructor(readonly reason: 'not-a-module' | 'glue-mismatch', message: string) {
    super(message);
    this.name = 'SqlEngineError';
  }
}

let engineModule: WasmModule | undefined;
let instance: SqlParserInstance | undefined;
/** Why the host could not install the engine, said in every statement's diagnostic. */
let unavailable: string | undefined;

/**
 * Installs the compiled parser (a `WebAssembly.Module`, or the `.wasm` bytes to compile). Throws a
 * `SqlEngineError` when the module's imports do not match the glue; a second call replaces the first.
 */
export function installSqlEngine(wasm: WasmModule | Uint8Array<ArrayBuffer>): void {
  let module: WasmModule;
  try {
    module = isWasmModule(wasm) ? wasm : new wasmApi.Module(wasm);
  } catch (err) {
    throw new SqlEngineError('not-a-module', `The SQL parser's WebAssembly could not be compiled: ${err instanceof Error ? err.message : String(err)}`);
  }
  const missing = missingImports(module);
  if (missing.length > 0) throw new SqlEngineError('glue-mismatch', `The SQL parser's WebAssembly does not match Mallard's glue (missing ${missing.join(', ')}); reinstall the pinned @guanmingchiu/sqlparser-ts version.`);
  engineModule = module;
  instance = undefined;
  unavailable = undefined;
}

/** Records why the host could not provide the engine; parses then say so instead of a generic message. */
export function reportSqlEngineUnavailable(reason: string): void {
  if (!engineModule) unavailable = reason;
}

/** The installed compiled module (to hand to worker threads), if any. */
export function installedSqlEngine(): WasmModule | undefined {
  return engineModule;
}

/** sqlparser-rs dialect names. */
export type EngineDialect = 'generic' | 'ansi' | 'mysql' | 'postgresql' | 'sqlite' | 'snowflake' | 'redshift' | 'mssql' | 'bigquery' | 'duckdb' | 'databricks' | 'hive' | 'spark' | 'oracle';

/**
 * sqlparser-rs dialects tried in order for a Mallard dialect: its own first, then close relatives,
 * then the generic dialect, which accepts the most (sqlparser-rs has no Trino, Athena, Db2 or Flink
 * dialect, and Mallard's dbt stand-in for `dbt_utils.star` writes `* except (…)` in every dialect).
 * Lineage is the goal, not validation: SQL that some dialect accepts is analysed. Error positions
 * come from the first.
 */
export const ENGINE_CHAIN: Record<Dialect, EngineDialect[]> = {
  postgresql: ['postgresql', 'duckdb', 'generic'],
  redshift: ['redshift', 'postgresql', 'generic'],
  snowflake: ['snowflake', 'generic'],
  bigquery: ['bigquery', 'generic'],
  mysql: ['mysql', 'generic'],
  mariadb: ['mysql', 'generic'],
  trino: ['generic', 'postgresql', 'hive'],
  athena: ['generic', 'hive', 'postgresql'],
  hive: ['hive', 'databricks', 'generic'],
  flinksql: ['hive', 'generic'],
  transactsql: ['mssql', 'generic'],
  sqlite: ['sqlite', 'generic'],
  db2: ['generic', 'ansi'],
  noql: ['generic', 'postgresql'],
};

/** An instance whose linear memory grew past this is replaced (its memory freed) after the call. */
const MAX_INSTANCE_MEMORY = 64 * 1024 * 1024;

/** One engine call's outcome: the statements' AST as JSON, or the parser's error text. */
export type EngineResult = { ast: unknown[] } | { error: string; trapped?: true };

/**
 * Parses `sql` with one sqlparser-rs dialect. Never throws: a trap inside the module (a Rust
 * panic) is reported as an error and the instance is replaced on the next call.
 */
export function engineParse(sql: string, dialect: EngineDialect): EngineResult {
  if (!engineModule) return { error: `the SQL parser is not loaded${unavailable ? ` (${unavailable})` : ''}` };
  try {
    instance ??= new SqlParserInstance(engineModule);
    const out = instance.parse(dialect, sql);
    // Linear memory only grows: after a huge statement the instance is dropped with its memory.
    if (instance.memoryBytes() > MAX_INSTANCE_MEMORY) instance = undefined;
    if ('error' in out) return { error: out.error };
    return { ast: Array.isArray(out.ast) ? out.ast : [out.ast] };
  } catch (err) {
    const panic = instance?.panicMessage;
    instance = undefined;
    const why = panic ? panic.split('\n')[0] : err instanceof Error ? err.message : String(err);
    return { error: `the SQL parser failed (${why})`, trapped: true };
  }
}

/** A parser error split into its position and its parts (`Expected: …, found: … at Line: L, Column: C`). */
export interface EngineError {
  line?: number;
  column?: number;
  expected?: string;
  found?: string;
  message: string;
}

/** Reads sqlparser-rs's error text. */
export function readEngineError(text: string): EngineError {
  const message = text.replace(/^sql parser error: /, '').replace(/^sql tokenizer error: /, '');
  const at = / at Line: (\d+), Column: (\d+)\s*$/.exec(message);
  const body = at ? message.slice(0, at.index) : message;
  const out: EngineError = { message: body };
  if (at) {
    out.line = Number(at[1]);
    out.column = Number(at[2]);
  }
  const parts = /^Expected:? (.*), found: (.*)$/s.exec(body);
  if (parts) {
    out.expected = parts[1];
    out.found = parts[2];
  }
  return out;
}
