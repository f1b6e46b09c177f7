/**
 * What a user reads when a catalog file cannot be used: which file, why, and exactly what to do.
 * The same sentences reach the CLI (`mallard: error: …`) and VS Code ("Mallard could not open the
 * catalog: …"). A catalog is never deleted or rewritten to get past such a problem: it holds the
 * user's edits and the changes not yet sent to the cloud (tables `user_edits` and `outbox`).
 */

/** Quotes a path for a shell command line. */
function quoted(file: string): string {
  return /^[\w./:@+-]+$/.test(file) ? file : `"${file.replaceAll('"', '\\"')}"`;
}

const KEEP = 'The file is left as it is: it holds your edits and the changes not yet synced.';

function rebuildAdvice(file: string): string {
  return `\`mallard doctor --rebuild --db ${quoted(file)}\` saves your edits to a JSON file next to it and moves the catalog aside (nothing is deleted); the next scan then builds a new one.`;
}

/** A file written by a newer Mallard (its schema version is above the one this code knows). */
export function schemaTooNewMessage(file: string, found: number, known: number): string {
  return `Catalog ${file} was written by a newer Mallard (schema version ${found}; this Mallard knows versions up to ${known}). Update Mallard (the VS Code extension and the CLI) to use it; a rescan with this version cannot upgrade it. ${KEEP} To start over with this version instead: ${rebuildAdvice(file)}`;
}

/** A read-only open of a file at an older schema version (a read-write open upgrades it). */
export function schemaTooOldMessage(file: string, found: number, known: number): string {
  return `Catalog ${file} has schema version ${found}; this Mallard uses version ${known}. Run \`mallard scan\` on its folder once (or open the folder in VS Code): it upgrades the file in place and keeps your edits.`;
}

/** A file that is not a SQLite database, or whose pages are damaged. */
export function corruptMessage(file: string, detail: string): string {
  return `Catalog ${file} is damaged and cannot be read (${detail}). ${KEEP} Run \`mallard doctor --db ${quoted(file)}\` to see what is wrong; ${rebuildAdvice(file)}`;
}

/** SQLite result codes that mean the file itself is broken (not busy, not missing). */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}

/** SQLite's own wording for a damaged file, as it reaches the host in a worker's error text. */
const CORRUPTION_TEXT = /database disk image is malformed|file is not a database/;

/** A worker's error text, with the damaged-file advice when SQLite found the file damaged. */
export function explainWorkerError(file: string, text: string): string {
  return CORRUPTION_TEXT.test(text) && !text.startsWith('Catalog ') ? corruptMessage(file, text) : text;
}
