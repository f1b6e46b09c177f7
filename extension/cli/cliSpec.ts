/**
 * What `mallard` accepts: its commands, their options and arguments, and the help texts built from
 * them. One table drives both the parser (`cliArgs.ts`) and the help, so they cannot disagree.
 */

export const COMMANDS = ['scan', 'lineage', 'search', 'show', 'diagnostics', 'stats', 'export', 'doctor', 'login', 'logout', 'sync'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** An option: its value type, the placeholder shown in usage lines, and what it does. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder of the value in usage lines (`FILE`, `N`). */
  value?: string;
  short?: string;
  /** Shown without brackets in usage lines (the command refuses to run without it). */
  required?: boolean;
  help: string;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', value: 'FILE', help: 'catalog file (default: the nearest .mallard/catalog.db here or above; scan: in <dir>)' },
  json: { type: 'boolean', help: 'machine-readable output on stdout' },
  quiet: { type: 'boolean', help: 'nothing on stderr but errors (no progress, no "using catalog")' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
};

/** A command: its own options, how many positional arguments it takes, and a one-line summary. */
export interface CommandSpec {
  options: Record<string, OptionSpec>;
  /** Minimum and maximum number of positional arguments. */
  args: [min: number, max: number];
  /** Placeholder of the positional arguments in usage lines. */
  argsUsage: string;
  summary: string;
}

export const COMMAND_SPECS: Record<CommandName, CommandSpec> = {
  scan: {
    args: [1, 1],
    argsUsage: '<dir>',
    summary: 'extract <dir> into the catalog (unchanged files are skipped)',
    options: {
      dialect: { type: 'string', value: 'D', help: 'SQL dialect where no dbt profile says (postgresql, bigquery, …, or postgres, duckdb, …)' },
      'no-git': { type: 'boolean', help: 'do not read owners from git history' },
      workers: { type: 'string', value: 'N', help: 'parse worker threads (0 parses on the main thread)' },
    },
  },
  lineage: {
    args: [1, 1],
    argsUsage: '<entity>[.<column>]',
    summary: 'model or column lineage (orders, customers.v2, orders.customer_id)',
    options: {
      columns: { type: 'boolean', help: 'column-level lineage of every column of the entity' },
      indirect: { type: 'boolean', help: 'also follow indirect column edges (join, filter, group, sort, window, conditional)' },
      upstream: { type: 'boolean', help: 'only what the entity reads from' },
      downstream: { type: 'boolean', help: 'only what reads from the entity' },
      depth: { type: 'string', value: 'N', help: 'at most N hops' },
    },
  },
  search: {
    args: [1, Infinity],
    argsUsage: '<query>',
    summary: 'full-text search over names, descriptions and columns',
    options: {
      limit: { type: 'string', value: 'N', help: 'at most N hits (default 20)' },
      kind: { type: 'string', value: 'K', help: 'only entities of this kind (model, source, seed, …)' },
    },
  },
  show: { args: [1, 1], argsUsage: '<entity>', summary: 'an entity: description, columns, tests, owners, neighbours', options: {} },
  diagnostics: {
    args: [0, 0],
    argsUsage: '',
    summary: 'problems found by the scan, located; exit 1 if one is an error',
    options: {
      file: { type: 'string', value: 'PATH', help: 'only this file (relative to the current folder or the scanned one, or absolute)' },
      limit: { type: 'string', value: 'N', help: 'print at most N' },
    },
  },
  stats: { args: [0, 0], argsUsage: '', summary: 'counts of entities, columns, edges, files, diagnostics', options: {} },
  export: {
    args: [0, 0],
    argsUsage: '',
    summary: 'the whole catalog as {"entities":[…],"edges":[…]}',
    options: { format: { type: 'string', value: 'json', required: true, help: 'output format (only json)' } },
  },
  doctor: {
    args: [0, 0],
    argsUsage: '',
    summary: 'check the catalog file; save edits; move a damaged one aside',
    options: {
      'export-edits': { type: 'string', value: 'FILE', help: 'save your edits and unsent changes as JSON' },
      rebuild: { type: 'boolean', help: 'save the edits next to the catalog and move the catalog aside (nothing is deleted)' },
    },
  },
  login: {
    args: [0, 0],
    argsUsage: '',
    summary: 'sign in to the team cloud (e-mail one-time code, or an API token for CI)',
    options: {
      email: { type: 'string', value: 'ADDRESS', help: 'send a one-time code to this address' },
      code: { type: 'string', value: 'CODE', help: 'the one-time code (asked on stdin when omitted)' },
      token: { type: 'string', value: 'mlpat_…', help: 'an API token instead of an e-mail sign-in' },
      url: { type: 'string', value: 'URL', help: 'the Supabase project URL' },
      key: { type: 'string', value: 'KEY', help: "the project's publishable key" },
      org: { type: 'string', value: 'ID', help: 'the organization to sync (a uuid)' },
    },
  },
  logout: { args: [0, 0], argsUsage: '', summary: 'forget the stored credentials', options: {} },
  sync: {
    args: [0, 1],
    argsUsage: '[status]',
    summary: 'push and pull catalog edits with the team cloud (status: what is pending)',
    options: {
      org: { type: 'string', value: 'ID', help: 'the organization to sync (a uuid)' },
      once: { type: 'boolean', help: 'one cycle, then exit' },
    },
  },
};

/** Every option of any command, with the commands that accept it. */
export function allOptions(): Map<string, { spec: OptionSpec; commands: CommandName[] }> {
  const all = new Map<string, { spec: OptionSpec; commands: CommandName[] }>();
  for (const [name, spec] of Object.entries(COMMON_OPTIONS)) all.set(name, { spec, commands: [...COMMANDS] });
  for (const command of COMMANDS) {
    for (const [name, spec] of Object.entries(COMMAND_SPECS[command].options)) {
      const entry = all.get(name) ?? { spec, commands: [] };
      entry.commands.push(command);
      all.set(name, entry);
    }
  }
  return all;
}

const flag = (name: string, spec: OptionSpec): string => `--${name}${spec.value !== undefined ? ` ${spec.value}` : ''}`;

/** The usage line of one command, e.g. `mallard lineage <entity>[.<column>] [--columns] …`. */
export function usageOf(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  const options = Object.entries(spec.options).map(([name, o]) => (o.required === true ? flag(name, o) : `[${flag(name, o)}]`));
  return ['mallard', command, spec.argsUsage, ...options].filter((s) => s !== '').join(' ');
}

/** A command with its arguments and required options, as the command list shows it. */
function synopsis(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  const required = Object.entries(spec.options).filter(([, o]) => o.required === true).map(([name, o]) => flag(name, o));
  return [command, spec.argsUsage, ...required].filter((s) => s !== '').join(' ');
}

/** Help text of the whole program. */
export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => synopsis(c).length));
  return [
    'mallard — local-first data catalog for SQL and dbt',
    '',
    'Usage: mallard <command> [options]      mallard <command> --help for its options',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}  ${COMMAND_SPECS[c].summary}`),
    '',
    'Options for every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 error (for diagnostics: an error was listed), 2 usage error,',
    '3 sync server unreachable or busy (retry later), 4 not signed in,',
    '130 cancelled (Ctrl-C; a second Ctrl-C quits at once).',
  ].join('\n');
}

/** Help text of one command: its usage line, summary, its own options and the common ones. */
export function commandHelpText(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  const own = Object.keys(spec.options).length > 0 ? ['', 'Options:', ...optionLines(spec.options)] : [];
  return [`Usage: ${usageOf(command)}`, '', spec.summary, ...own, '', 'Options for every command:', ...optionLines(COMMON_OPTIONS)].join('\n');
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).map(([name, o]) => [`${o.short !== undefined ? `-${o.short}, ` : ''}${flag(name, o)}`, o.help] as const);
  const width = Math.max(...entries.map(([f]) => f.length));
  return entries.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`);
}
