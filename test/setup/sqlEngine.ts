import { ensureSqlEngine } from '../../extension/sqlEngineHost';

/**
 * Installs the SQL parser (sqlparser-rs WebAssembly, read from the npm package) in the test
 * process, as the scanner does in its threads. Loaded by `.mocharc.json` and imported by the test
 * helpers that parse, so single test files run with `--no-config` work too.
 */
ensureSqlEngine();
