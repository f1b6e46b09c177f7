import type { Diagnostic } from '../model/entities';
import type { FileSource } from '../pipeline/contracts';
import { textApi } from '../sql/wasmApi';
import { ConnectorError } from './connector';
import { gunzip } from './gunzip';
import { readTar, TarError } from './tarReader';

/**
 * A repository archive (GitHub's tarball: one top folder `<owner>-<repo>-<sha>/`) as an in-memory
 * `FileSource` for the existing extractors. Files are kept as byte views into the inflated archive
 * and decoded when read, so a repository of images costs nothing beyond its bytes. As in the
 * scanner, a file that cannot be read as text (binary, over the size limit, a symbolic link) stays
 * listed and reads as undefined, and the files the extractors did read that way get a warning.
 */

/** The scanner's default size limit of one file (`DEFAULT_MAX_FILE_BYTES`). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Files of one or more archives, by workspace-relative path; `null` for a member that is not a regular file. */
export type ArchiveFiles = Map<string, Uint8Array | null>;

/**
 * Inflates and reads one archive and adds its files under `prefix` (`''` or `<repo>/`), keeping the
 * repository-relative paths `keep` accepts. Returns the pax comment (git archive's commit sha).
 */
export async function addArchive(files: ArchiveFiles, gzipped: Uint8Array, prefix: string, keep: (path: string) => boolean, what: string): Promise<{ added: number; comment?: string }> {
  const tar = await gunzip(gzipped, what);
  let archive;
  try {
    archive = readTar(tar);
  } catch (err) {
    if (err instanceof TarError) throw new ConnectorError('source-error', `${what} is not a valid tar archive: ${err.message}`);
    throw err;
  }
  let added = 0;
  for (const entry of archive.entries) {
    if (entry.type === 'directory') continue;
    // Drop the archive's top folder (`owner-repo-sha/`).
    const slash = entry.path.indexOf('/');
    const path = slash < 0 ? '' : entry.path.slice(slash + 1);
    if (path === '' || !keep(path)) continue;
    files.set(`${prefix}${path}`, entry.type === 'file' ? entry.data : null);
    added += 1;
  }
  return { added, ...(archive.comment !== undefined ? { comment: archive.comment } : {}) };
}

const utf8 = new textApi.TextDecoder('utf-8', { ignoreBOM: true, fatal: true });

/** A FileSource over archive files, and the warnings for files read that were not text. */
export function archiveFileSource(files: ArchiveFiles): { source: FileSource; diagnostics: () => Diagnostic[] } {
  const issues = new Map<string, string>();
  const warn = (path: string, message: string): undefined => {
    issues.set(path, message);
    return undefined;
  };
  const paths = [...files.keys()].sort();
  const source: FileSource = {
    list: () => [...paths],
    read: (path) => {
      const bytes = files.get(path);
      if (bytes === undefined) return undefined;
      if (bytes === null) return warn(path, 'skipped: not a regular file in the repository archive (a symbolic link or a submodule).');
      if (bytes.length > MAX_FILE_BYTES) return warn(path, `skipped: ${bytes.length} bytes, over the ${MAX_FILE_BYTES}-byte limit of one file.`);
      const nul = bytes.subarray(0, 8000).indexOf(0);
      if (nul >= 0) return warn(path, `skipped: binary content (a NUL byte at byte ${nul}), not text.`);
      try {
        return utf8.decode(bytes);
      } catch {
        return warn(path, 'skipped: not valid UTF-8 text.');
      }
    },
  };
  const diagnostics = (): Diagnostic[] =>
    [...issues].map(([file, message]) => ({ file, line: 1, column: 1, severity: 'warning', code: 'file-unreadable', message, extractor: 'github' }));
  return { source, diagnostics };
}
