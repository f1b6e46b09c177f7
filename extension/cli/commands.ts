import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EntityKind } from '../../core/model/entities';
import { ensureCatalogFolder } from '../catalog/catalogFolder';
import { CatalogStore } from '../catalog/catalogStore';
import { WorkspaceScanner } from '../scanner/scanner';
import type { Invocation } from './cliArgs';
import { UsageError, usageHint } from './cliArgs';
import type { CommandName } from './cliSpec';
import { catalogToRead, catalogToWrite, nearestCatalog } from './catalogLocation';
import { CliCancelled, CliError } from './cliErrors';
import { plural, table } from './cliFormat';
import { type CliIo, type CommandResult, openCatalog } from './cliIo';
import { diagnosticsCommand, SCAN_ROOT_KEY } from './diagnosticsCommand';
import { doctorCommand } from './doctorCommand';
import { lineageCommand } from './lineageCommand';
import { ScanProgressPrinter } from './scanProgress';
import { showCommand } from './showCommand';

/**
 * The CLI commands. Each returns the text for stdout (or a `CommandResult` with its own exit code);
 * errors are thrown as `CliError` (exit 1) or `UsageError` (exit 2) and printed by the entry point.
 */

/** `doctor`. */
export function doctorCommandOf(inv: Invocation, io: CliIo): CommandResult {
  const { file, how } = catalogToRead(inv, io.cwd);
  if (how === 'found' && !inv.quiet) io.err(`mallard: using catalog ${file}\n`);
  return doctorCommand(inv, file, (message) => new CliError(message));
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `scan <dir>`. */
export async function scanCommand(inv: Invocation, io: CliIo): Promise<string> {
  const dir = path.resolve(io.cwd, inv.positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir} is not a folder`);
  const { file, how } = catalogToWrite(inv, io.cwd);
  ensureCatalogFolder(file);
  const store = CatalogStore.open(file);
  const scanner = new WorkspaceScanner(store, { root: dir, git: inv.git, ...(inv.dialect ? { dialect: inv.dialect } : {}), ...(inv.workers !== undefined ? { workers: inv.workers } : {}) });
  const printer = new ScanProgressPrinter(io.err, io.errIsTty);
  let completed = false;
  try {
    const report = await scanner.scan({
      onProgress: (p) => {
        io.interruptible?.(p.phase !== 'plan');
        if (!inv.quiet) printer.update(p);
      },
      ...(io.signal ? { signal: io.signal } : {}),
    }).catch((err: unknown) => {
      // The scan writes in one transaction at its end, so a cancelled one changed nothing.
      if (io.signal?.aborted === true) throw new CliCancelled(`scan cancelled; ${file} was not changed`);
      throw err;
    });
    completed = true;
    if (!inv.quiet) printer.finish(true);
    // `diagnostics --file` takes paths relative to the scanned folder, which a `--db` file elsewhere cannot tell.
    if (store.getMeta(SCAN_ROOT_KEY) !== dir) store.setMeta(SCAN_ROOT_KEY, dir);
    if (how === 'scan' && !inv.quiet && nearestCatalog(io.cwd) !== file) {
      io.err(`mallard: commands run inside ${dir} use this catalog; from here, pass --db ${path.relative(io.cwd, file) || file}\n`);
    }
    const stats = store.stats();
    const result = { db: file, files: report.files, parsed: report.parsed, cacheHits: report.cacheHits, wrote: report.wrote, millis: Math.round(report.millis), stats };
    if (inv.json) return json(result);
    return [
      `Scanned ${dir} in ${(report.millis / 1000).toFixed(2)} s → ${file}`,
      report.wrote ? `${plural(report.parsed, 'file')} parsed, ${report.cacheHits} from cache` : 'catalog already up to date',
      table(['entities', 'columns', 'model edges', 'column edges', 'diagnostics'], [[stats.entities, stats.columns, stats.modelEdges, stats.columnEdges, stats.diagnostics].map(String)]),
    ].join('\n');
  } finally {
    if (!completed && !inv.quiet) printer.finish(false);
    io.interruptible?.(true);
    await scanner.dispose();
    store.close();
  }
}

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
/** Commands with handlers here; login, logout and sync live in `syncCommands.ts` (loaded only for them). */
export const COMMAND_HANDLERS: Record<Exclude<CommandName, 'login' | 'logout' | 'sync'>, (inv: Invocation, io: CliIo) => string | CommandResult | Promise<string | CommandResult>> = {
  scan: scanCommand, lineage: lineageCommand, search: searchCommand, show: showCommand,
  diagnostics: diagnosticsCommand, stats: statsCommand, export: exportCommand, doctor: doctorCommandOf,
};
