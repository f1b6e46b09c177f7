/**
 * Which files of a repository org extraction stages and reads: the ones the `core/` extractors can
 * use (SQL, YAML, Python models, docs blocks, seeds, JSON such as `.mallard.json` or a manifest).
 * The local test of "the org extraction equals the local one" lists files through the same rule.
 */

const EXTRACTABLE = /\.(sql|ya?ml|py|md|csv|json)$/i;

/**
 * The files of the BI connectors (Tableau `.twb`/`.tds`/`.twbx`/`.tdsx`, Looker `.lkml`/`.lookml`,
 * Power BI `.bim`/`.pbit`), which an org run of those connectors keeps from a repository archive
 * (text and, for the zip containers, bytes).
 */
const BI_FILE = /\.(twbx?|tdsx?|lkml|lookml|bim|pbit)$/i;

/** True when `path` is a file one of the BI connectors reads. */
export function isBiFile(path: string): boolean {
  return BI_FILE.test(path);
}

/** Largest file whose text is staged; a larger one is listed but reads as undefined (like an unreadable file locally). */
export const MAX_STAGED_FILE_BYTES = 2 * 1024 * 1024;

/** True when `path` (repository-relative, forward slashes) is a file the extractors may read. */
export function isExtractableFile(path: string): boolean {
  return EXTRACTABLE.test(path);
}

/** The path of `repoPath` inside the extracted folder `root` ('' = the whole repository), or undefined when outside it. */
export function underRoot(repoPath: string, root: string): string | undefined {
  const folder = root.replace(/^\/+|\/+$/g, '');
  if (folder === '') return repoPath;
  return repoPath.startsWith(`${folder}/`) ? repoPath.slice(folder.length + 1) : undefined;
}
