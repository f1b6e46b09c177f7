import { existsSync } from 'node:fs';
import path from 'node:path';
import { EntityKind } from '../../core/model/entities';
import { CatalogStore } from '../catalog/catalogStore';
import type { Invocation } from './cliArgs';
import { UsageError, usageHint } from './cliArgs';
import type { CommandName } from './cliSpec';
import { catalogToRead } from './catalogLocation';
import { CliError } from './cliErrors';
import { plural, table } from './cliFormat';
import { type CliIo, type CommandResult, openCatalog } from './cliIo';
import { diagnosticsCommand } from './diagnosticsCommand';
import { doctorCommand } from './doctorCommand';
import { lineageCommand } from './lineageCommand';
import { showCommand } from './showCommand';

/**
 * The CLI commands that read a catalog (`scan` is in `scanCommand.ts`). Each returns the text for
 * stdout (or a `CommandResult` with its own exit code);
 * errors are thrown as `CliError` (exit 1) or `UsageError` (exit 2) and printed by the entry point.
 */

/** `doctor`. */
export function doctorCommandOf(inv: Invocation, io: CliIo): CommandResult {
  const { file, how } = catalogToRead(inv, io.cwd);
  if (how === 'found' && !inv.quiet) io.err(`mallard: using catalog ${file}\n`);
  return doctorCommand(inv, file, (message) => new CliError(message));
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `search <query>`. */
export function searchCommand(inv: Invocation, io: CliIo): string {
  if (inv.kind !== undefined && !EntityKind.safeParse(inv.kind).success) throw new UsageError(`unknown kind "${inv.kind}" (one of ${EntityKind.options.join(', ')})`, usageHint('search'));
  const store = openCatalog(inv, io);
  try {
    const kind = inv.kind !== undefined ? EntityKind.parse(inv.kind) : undefined;
    const hits = store.search(inv.positionals.join(' '), { limit: inv.limit ?? 20, ...(kind ? { kind } : {}) });
    if (inv.json) return json(hits);
    if (hits.length === 0) return 'no matches';
    return table(['kind', 'name', 'project', 'path'], hits.map((h) => [h.kind, h.name, h.project, h.path]));
  } finally {
    store.close();
  }
}

/** `stats`. */
export function statsCommand(inv: Invocation, io: CliIo): string {
  const store = openCatalog(inv, io);
  try {
    const stats = store.stats();
    if (inv.json) return json(stats);
    const rows: string[][] = [['entities', String(stats.entities)]];
    for (const [kind, n] of Object.entries(stats.entitiesByKind)) rows.push([`  ${kind}`, String(n)]);
    rows.push(['columns', String(stats.columns)], ['model edges', String(stats.modelEdges)], ['column edges', String(stats.columnEdges)], ['unresolved', String(stats.unresolved)], ['files', String(stats.files)], ['diagnostics', String(stats.diagnostics)]);
    for (const d of stats.dialects) rows.push([`dialect of ${d.project}`, `${d.dialect} (${d.reason})`]);
    return table(['what', 'count'], rows);
  } finally {
    store.close();
  }
}

/** `export --format json`: streams `{"entities":[…],"edges":[…]}` to stdout. */
export function exportCommand(inv: Invocation, io: CliIo): string {
  const store = openCatalog(inv, io);
  try {
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length > 0) io.out(chunk.join(''));
      chunk = [];
    };
    const emit = (s: string): void => {
      chunk.push(s);
      if (chunk.length >= 2000) flush();
    };
    emit('{"entities":[');
    let first = true;
    for (const e of store.exportEntities()) {
      emit(`${first ? '' : ','}\n${JSON.stringify({ id: e.id, kind: e.kind, name: e.name, project: e.project, path: e.path })}`);
      first = false;
    }
    emit('\n],"edges":[');
    first = true;
    for (const e of store.exportEdges()) {
      emit(`${first ? '' : ','}\n${JSON.stringify(e)}`);
      first = false;
    }
    emit('\n]}\n');
    flush();
    return '';
  } finally {
    store.close();
  }
}

/** Every command's handler, by name. */
/**
 * Commands with handlers here. `scan` lives in `scanCommand.ts`, a bundle of its own (the read
 * commands start without the scanner and parsers); login, logout and sync in `syncCommands.ts`.
 */
export const COMMAND_HANDLERS: Record<Exclude<CommandName, 'scan' | 'login' | 'logout' | 'sync'>, (inv: Invocation, io: CliIo) => string | CommandResult | Promise<string | CommandResult>> = {
  lineage: lineageCommand, search: searchCommand, show: showCommand,
  diagnostics: diagnosticsCommand, stats: statsCommand, export: exportCommand, doctor: doctorCommandOf,
};
