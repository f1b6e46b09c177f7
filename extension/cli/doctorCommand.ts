import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { examineCatalog, readUserEdits, type DoctorReport, type EditsExport } from '../catalog/catalogDoctor';
import type { Invocation } from './cliArgs';
import { plural, table } from './cliFormat';
import type { CommandResult } from './cliIo';

/**
 * `mallard doctor`: checks a catalog file (integrity, schema version, foreign keys, search index),
 * saves the user's edits and unsent changes to JSON (`--export-edits FILE`), and with `--rebuild`
 * saves them and moves the file aside so the next scan builds a new one. Nothing is ever deleted.
 */

/** The CLI's failure type, passed in to avoid an import cycle with `commands.ts`. */
type Fail = (message: string) => Error;

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function advice(report: DoctorReport, file: string): string[] {
  const out: string[] = [];
  const quoted = /^[\w./:@+-]+$/.test(file) ? file : `"${file}"`;
  if (!report.healthy) out.push(`The catalog is damaged. Run \`mallard doctor --rebuild --db ${quoted}\`: it saves your edits to JSON and moves the file aside (nothing is deleted); the next scan builds a new catalog.`);
  else if (report.schemaVersion !== undefined && report.checks.some((c) => c.check === 'schema version' && c.status === 'warning')) {
    out.push(report.checks.find((c) => c.check === 'schema version')?.detail.includes('newer')
      ? `Update Mallard to use this catalog, or start over with this version: \`mallard doctor --rebuild --db ${quoted}\`.`
      : 'Run `mallard scan` on its folder to upgrade it.');
  }
  return out;
}

function writeExport(target: string, edits: EditsExport): void {
  writeFileSync(target, `${JSON.stringify(edits, null, 2)}\n`);
}

function exportLine(target: string, edits: EditsExport): string {
  const partial = edits.errors.length > 0 ? ` (incomplete: ${edits.errors.join('; ')})` : '';
  return `Saved ${plural(edits.userEdits.length, 'edit')} and ${plural(edits.outbox.length, 'unsent change')} to ${target}${partial}`;
}

/** Runs `doctor` on the catalog file `file`. */
export function doctorCommand(inv: Invocation, file: string, fail: Fail, now = new Date()): CommandResult {
  if (!existsSync(file)) throw fail(`no catalog at ${file}; pass --db FILE`);
  const report = examineCatalog(file);
  const lines: string[] = [];
  let exported: { target: string; edits: EditsExport } | undefined;
  const exportTarget = inv.exportEdits !== undefined ? path.resolve(inv.exportEdits) : inv.rebuild ? `${file}.edits-${stamp(now)}.json` : undefined;
  if (exportTarget !== undefined) {
    const edits = readUserEdits(file, now);
    writeExport(exportTarget, edits);
    exported = { target: exportTarget, edits };
  }
  let moved: string[] = [];
  if (inv.rebuild) {
    // The database and its WAL/shared-memory files move together: the WAL may hold committed pages.
    const suffix = `.moved-${stamp(now)}`;
    moved = ['', '-wal', '-shm'].filter((s) => existsSync(file + s)).map((s) => {
      renameSync(file + s, `${file}${s}${suffix}`);
      return `${file}${s}${suffix}`;
    });
  }
  if (inv.json) {
    return { text: JSON.stringify({ ...report, ...(exported ? { exported: { file: exported.target, userEdits: exported.edits.userEdits.length, outbox: exported.edits.outbox.length, errors: exported.edits.errors } } : {}), ...(inv.rebuild ? { movedTo: moved } : {}) }, null, 2), exitCode: report.healthy ? 0 : 1 };
  }
  lines.push(`Catalog ${file}`, table(['check', 'status', 'detail'], report.checks.map((c) => [c.check, c.status, c.detail])));
  if (exported) lines.push('', exportLine(exported.target, exported.edits));
  if (inv.rebuild) {
    lines.push(`Moved the catalog aside: ${moved.join(', ')}`, 'Run `mallard scan <dir>` (or open the folder in VS Code) to build a new catalog; the saved JSON keeps your edits.');
  } else {
    const todo = advice(report, file);
    if (todo.length > 0) lines.push('', ...todo);
  }
  // After a rebuild the damage is dealt with: exit 0 so scripts can go on with the scan.
  return { text: lines.join('\n'), exitCode: report.healthy || inv.rebuild ? 0 : 1 };
}
