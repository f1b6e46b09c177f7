import { parseArgs } from 'node:util';
import { isDialect } from '../../core/pipeline/workspaceConfig';
import type { Dialect } from '../../core/pipeline/contracts';

/**
 * Command-line parsing for `mallard`. Every command accepts `--db`, `--json` and `--help`; other
 * flags are per command, and an unknown command or flag is a usage error (exit code 2).
 */

export const COMMANDS = ['scan', 'lineage', 'search', 'show', 'diagnostics', 'stats', 'export', 'doctor', 'login', 'logout', 'sync'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** A parsed invocation. */
export interface Invocation {
  command: CommandName | 'help';
  positionals: string[];
  db?: string;
  json: boolean;
  dialect?: Dialect;
  columns: boolean;
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

/** A usage error: the CLI prints the message and the help text and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON = ['db', 'json', 'help', 'quiet'];
const FLAGS: Record<CommandName, { flags: string[]; args: [min: number, max: number]; usage: string }> = {
  scan: { flags: ['dialect', 'no-git', 'workers'], args: [1, 1], usage: 'scan <dir> [--db FILE] [--dialect D] [--no-git] [--workers N]' },
  lineage: { flags: ['columns', 'upstream', 'downstream', 'depth'], args: [1, 1], usage: 'lineage <entity>[.<column>] [--columns] [--upstream|--downstream] [--depth N]' },
  search: { flags: ['limit', 'kind'], args: [1, Infinity], usage: 'search <query> [--limit N] [--kind K]' },
  show: { flags: [], args: [1, 1], usage: 'show <entity>' },
  diagnostics: { flags: ['file', 'limit'], args: [0, 0], usage: 'diagnostics [--file PATH] [--limit N]' },
  stats: { flags: [], args: [0, 0], usage: 'stats' },
  export: { flags: ['format'], args: [0, 0], usage: 'export --format json' },
  doctor: { flags: ['export-edits', 'rebuild'], args: [0, 0], usage: 'doctor [--export-edits FILE] [--rebuild]' },
  login: { flags: ['email', 'code', 'token', 'url', 'key', 'org'], args: [0, 0], usage: 'login --email ADDRESS [--code CODE] | --token mlpat_… [--url URL --key KEY] [--org ID]' },
  logout: { flags: [], args: [0, 0], usage: 'logout' },
  sync: { flags: ['org', 'once'], args: [0, 1], usage: 'sync [status] [--org ID] [--once]' },
};

/** Help text. */
export function helpText(): string {
  return [
    'mallard — local-first data catalog for SQL and dbt',
    '',
    'Usage: mallard <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${FLAGS[c].usage}`),
    '',
    'Options for every command:',
    '  --db FILE   catalog file (default: .mallard/catalog.db under the current folder; for scan, under <dir>)',
    '  --json      machine-readable output on stdout',
    '  --quiet     no progress on stderr',
    '  --help      this text',
    '',
    'Exit codes: 0 ok, 1 error, 2 usage error, 3 sync server unreachable or busy (retry later), 4 not signed in,',
    '130 cancelled (Ctrl-C; a second Ctrl-C quits at once).',
  ].join('\n');
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} expects a non-negative integer, got "${value}"`);
  return n;
}

/** Parses argv (without node and script). Throws `UsageError`. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean' },
        dialect: { type: 'string' }, 'no-git': { type: 'boolean' }, workers: { type: 'string' },
        columns: { type: 'boolean' }, upstream: { type: 'boolean' }, downstream: { type: 'boolean' }, depth: { type: 'string' },
        limit: { type: 'string' }, kind: { type: 'string' }, file: { type: 'string' }, format: { type: 'string' },
        'export-edits': { type: 'string' }, rebuild: { type: 'boolean' },
        org: { type: 'string' }, once: { type: 'boolean' }, token: { type: 'string' }, email: { type: 'string' }, code: { type: 'string' },
        url: { type: 'string' }, key: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  const base = { json: values.json === true, columns: values.columns === true, direction: 'both' as const, git: values['no-git'] !== true, rebuild: values.rebuild === true, once: values.once === true, quiet: values.quiet === true, help: values.help === true };
  if (first === undefined || first === 'help') {
    if (values.help === true || first === 'help') return { command: 'help', positionals: [], ...base };
    throw new UsageError('missing command');
  }
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command "${first}"`);
  const command = first as CommandName;
  const spec = FLAGS[command];
  if (values.help === true) return { command, positionals: rest, ...base };
  for (const key of Object.keys(values)) {
    if (!COMMON.includes(key) && !spec.flags.includes(key)) throw new UsageError(`option --${key} is not valid for "${command}" (usage: mallard ${spec.usage})`);
  }
  if (rest.length < spec.args[0] || rest.length > spec.args[1]) throw new UsageError(`wrong number of arguments for "${command}" (usage: mallard ${spec.usage})`);
  if (values.upstream === true && values.downstream === true) throw new UsageError('--upstream and --downstream are exclusive (omit both for both directions)');
  if (values.dialect !== undefined && !isDialect(values.dialect)) throw new UsageError(`unknown dialect "${values.dialect}"`);
  if (command === 'export' && values.format !== 'json') throw new UsageError('export needs --format json');
  const inv: Invocation = {
    ...base,
    command,
    positionals: rest,
    direction: values.upstream === true ? 'upstream' : values.downstream === true ? 'downstream' : 'both',
  };
  if (values.db !== undefined) inv.db = values.db;
  if (values.dialect !== undefined && isDialect(values.dialect)) inv.dialect = values.dialect;
  const depth = positiveInt('depth', values.depth);
  if (depth !== undefined) inv.depth = depth;
  const limit = positiveInt('limit', values.limit);
  if (limit !== undefined) inv.limit = limit;
  const workers = positiveInt('workers', values.workers);
  if (workers !== undefined) inv.workers = workers;
  if (values.kind !== undefined) inv.kind = values.kind;
  if (values.file !== undefined) inv.file = values.file;
  if (values.format !== undefined) inv.format = values.format;
  if (values['export-edits'] !== undefined) inv.exportEdits = values['export-edits'];
  for (const key of ['org', 'token', 'email', 'code', 'url', 'key'] as const) {
    const value = values[key];
    if (value !== undefined) inv[key] = value;
  }
  if (inv.org !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(inv.org)) throw new UsageError(`--org expects an organization id (a uuid), got "${inv.org}"`);
  if (inv.org !== undefined) inv.org = inv.org.toLowerCase();
  return inv;
}
