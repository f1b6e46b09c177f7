import { parseArgs } from 'node:util';
import { DIALECTS, type Dialect } from '../../core/pipeline/contracts';
import { dialectForAdapter, isDialect } from '../../core/pipeline/workspaceConfig';
import { didYouMean } from '../../core/text/didYouMean';
import { allOptions, COMMAND_SPECS, COMMANDS, COMMON_OPTIONS, usageOf, type CommandName } from './cliSpec';

/**
 * Command-line parsing for `mallard`. Every command accepts `--db`, `--json`, `--quiet` and
 * `--help`; other options are per command (`cliSpec.ts`). A mistake is a `UsageError` (exit code 2)
 * that says what is wrong in one line, with "did you mean" for a mistyped command or option, and
 * the usage line of the command, instead of the whole help.
 */

/** A parsed invocation. */
export interface Invocation {
  command: CommandName | 'help';
  positionals: string[];
  db?: string;
  json: boolean;
  dialect?: Dialect;
  columns: boolean;
  /** `lineage --indirect`: follow indirect column edges too. */
  indirect: boolean;
  direction: 'upstream' | 'downstream' | 'both';
  depth?: number;
  limit?: number;
  kind?: string;
  file?: string;
  format?: string;
  git: boolean;
  workers?: number;
  /** `doctor --export-edits FILE`. */
  exportEdits?: string;
  /** `doctor --rebuild`. */
  rebuild: boolean;
  /** `sync --org`, `login --org`: the organization synced. */
  org?: string;
  /** `sync --once`: one cycle, then exit. */
  once: boolean;
  /** `login --token`: an API token (`mlpat_…`). */
  token?: string;
  /** `login --email` / `--code`: e-mail one-time code sign-in. */
  email?: string;
  code?: string;
  /** `login --url` / `--key`: the Supabase project and its publishable key. */
  url?: string;
  key?: string;
  quiet: boolean;
  help: boolean;
}

/** A usage error: the CLI prints the message and `usage` (a usage line) and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly reason = 'usage' as const;
  constructor(
    message: string,
    /** What to print under the message: the command's usage line, or where to find the commands. */
    readonly usage = 'Usage: mallard <command> [options]; "mallard --help" lists the commands',
  ) {
    super(message);
  }
}

/** Whether `err` is a `UsageError`, also one thrown by `scan` (a bundle of its own, with its own copy of the class). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === 'UsageError' && (err as { reason?: unknown }).reason === 'usage';
}

/** The usage hint of a command, for `UsageError`. */
export function usageHint(command: CommandName): string {
  return `Usage: ${usageOf(command)}`;
}

/** Common names of SQL dialects that are not dbt adapter types. */
const DIALECT_ALIASES: Record<string, Dialect> = { pg: 'postgresql', postgre: 'postgresql', tsql: 'transactsql', mssql: 'transactsql', 'sql-server': 'transactsql' };

/** The dialect a user's `--dialect` names: a dialect, a dbt adapter type (`postgres`) or a common alias; case-insensitive. */
export function dialectNamed(value: string): Dialect | undefined {
  const v = value.trim().toLowerCase();
  if (isDialect(v)) return v;
  return dialectForAdapter(v) ?? DIALECT_ALIASES[v];
}

function unknownDialect(value: string): UsageError {
  const known = [...DIALECTS, 'postgres', 'duckdb', 'databricks', 'spark', 'sqlserver', 'fabric', 'synapse', 'starburst', 'tsql', 'mssql'];
  const guess = didYouMean(value.toLowerCase(), known);
  return new UsageError(
    `unknown dialect "${value}"${guess !== undefined ? `; did you mean "${guess}"?` : ''}\n` +
      `Dialects: ${DIALECTS.join(', ')}; dbt adapter names (postgres, duckdb, databricks, spark, sqlserver, fabric, …) work too.`,
    usageHint('scan'),
  );
}

function nonNegativeInt(command: CommandName, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name} expects a whole number of 0 or more, got "${value}"`, usageHint(command));
  return n;
}

function unknownOption(raw: string, command: CommandName | undefined): UsageError {
  const all = allOptions();
  const name = raw.replace(/^-+/, '');
  const owner = all.get(name);
  if (command !== undefined && owner !== undefined) {
    return new UsageError(`--${name} is not an option of "${command}" (it is an option of ${owner.commands.map((c) => `"${c}"`).join(', ')})`, usageHint(command));
  }
  const valid = command !== undefined ? [...Object.keys(COMMON_OPTIONS), ...Object.keys(COMMAND_SPECS[command].options)] : [...all.keys()];
  const guess = didYouMean(name, valid);
  const message = `unknown option ${raw}${command !== undefined ? ` for "${command}"` : ''}${guess !== undefined ? `; did you mean --${guess}?` : ''}`;
  return new UsageError(message, command !== undefined ? usageHint(command) : undefined);
}

type Values = Record<string, string | boolean | undefined>;

/** Reads argv into option values and positionals, refusing unknown options and missing values. */
function readTokens(argv: readonly string[]): { values: Values; positionals: string[] } {
  const options = Object.fromEntries([...allOptions()].map(([name, { spec }]) => [name, { type: spec.type, ...(spec.short !== undefined ? { short: spec.short } : {}) }]));
  const { tokens } = parseArgs({ args: [...argv], allowPositionals: true, strict: false, tokens: true, options });
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  const first = positionals[0];
  const command = (COMMANDS as readonly string[]).includes(first ?? '') ? (first as CommandName) : undefined;
  const all = allOptions();
  const values: Values = {};
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = all.get(t.name)?.spec;
    if (spec === undefined) throw unknownOption(t.rawName, command);
    if (spec.type === 'boolean' && t.inlineValue === true) throw new UsageError(`option --${t.name} takes no value (got "${t.rawName}=${t.value ?? ''}")`, command ? usageHint(command) : undefined);
    // `--db --json`: a string option followed by another option lacks its value (as in strict mode).
    if (spec.type === 'string' && (t.value === undefined || (t.inlineValue !== true && t.value.startsWith('-')))) {
      throw new UsageError(`option --${t.name} needs a value (--${t.name} ${spec.value ?? 'VALUE'})`, command ? usageHint(command) : undefined);
    }
    values[t.name] = spec.type === 'boolean' ? true : t.value;
  }
  return { values, positionals };
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parses argv (without node and script). Throws `UsageError`. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const { values, positionals } = readTokens(argv);
  const [first, ...rest] = positionals;
  const base = {
    json: values.json === true, columns: values.columns === true, indirect: values.indirect === true, direction: 'both' as const,
    git: values['no-git'] !== true, rebuild: values.rebuild === true, once: values.once === true, quiet: values.quiet === true, help: values.help === true,
  };
  if (first === undefined || first === 'help') {
    if (values.help === true || first === 'help') {
      const about = rest[0];
      if (about !== undefined && (COMMANDS as readonly string[]).includes(about)) return { command: about as CommandName, positionals: [], ...base, help: true };
      return { command: 'help', positionals: [], ...base };
    }
    throw new UsageError(`missing command (one of ${COMMANDS.join(', ')})`);
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const guess = didYouMean(first, COMMANDS);
    throw new UsageError(`unknown command "${first}"${guess !== undefined ? `; did you mean "${guess}"?` : ` (one of ${COMMANDS.join(', ')})`}`);
  }
  const command = first as CommandName;
  const spec = COMMAND_SPECS[command];
  if (values.help === true) return { command, positionals: rest, ...base };
  for (const key of Object.keys(values)) {
    if (!(key in COMMON_OPTIONS) && !(key in spec.options)) throw unknownOption(`--${key}`, command);
  }
  if (rest.length < spec.args[0]) throw new UsageError(`"${command}" needs ${spec.argsUsage}`, usageHint(command));
  if (rest.length > spec.args[1]) {
    const extra = rest.slice(spec.args[1]).map((a) => `"${a}"`).join(' ');
    throw new UsageError(spec.args[1] === 0 ? `"${command}" takes no arguments, got ${extra}` : `too many arguments for "${command}": ${extra}`, usageHint(command));
  }
  if (values.upstream === true && values.downstream === true) throw new UsageError('--upstream and --downstream are exclusive (omit both for both directions)', usageHint(command));
  const dialectValue = str(values.dialect);
  const dialect = dialectValue === undefined ? undefined : dialectNamed(dialectValue);
  if (dialectValue !== undefined && dialect === undefined) throw unknownDialect(dialectValue);
  if (command === 'export' && values.format !== 'json') throw new UsageError(values.format === undefined ? 'export needs --format json' : `unknown format "${String(values.format)}" (only json)`, usageHint(command));
  const inv: Invocation = { ...base, command, positionals: rest, direction: values.upstream === true ? 'upstream' : values.downstream === true ? 'downstream' : 'both' };
  const db = str(values.db);
  if (db !== undefined) inv.db = db;
  if (dialect !== undefined) inv.dialect = dialect;
  const depth = nonNegativeInt(command, 'depth', str(values.depth));
  if (depth !== undefined) inv.depth = depth;
  const limit = nonNegativeInt(command, 'limit', str(values.limit));
  if (limit !== undefined) inv.limit = limit;
  const workers = nonNegativeInt(command, 'workers', str(values.workers));
  if (workers !== undefined) inv.workers = workers;
  for (const key of ['kind', 'file', 'format'] as const) {
    const v = str(values[key]);
    if (v !== undefined) inv[key] = v;
  }
  const exportEdits = str(values['export-edits']);
  if (exportEdits !== undefined) inv.exportEdits = exportEdits;
  for (const key of ['org', 'token', 'email', 'code', 'url', 'key'] as const) {
    const v = str(values[key]);
    if (v !== undefined) inv[key] = v;
  }
  if (inv.org !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(inv.org)) throw new UsageError(`--org expects an organization id (a uuid), got "${inv.org}"`, usageHint(command));
  if (inv.org !== undefined) inv.org = inv.org.toLowerCase();
  return inv;
}
