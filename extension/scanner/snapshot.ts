import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FileSource } from '../../core/pipeline/contracts';
import { decodedFile, readWorkspaceFile, realRoot } from './fileReader';
import type { FileIssue } from './fileIssues';
import type { WalkedFile } from './walker';

/**
 * The text and content hash of every relevant workspace file, read once per scan. The pipeline reads
 * files through a `FileSource` over this snapshot, so a scan sees one consistent state of the disk.
 */

/** One file of the snapshot. */
export interface SnapshotFile {
  /**
   * The text as read. Dropped (`releaseTexts`) once a pass is done: a warm scanner keeps only hashes,
   * and the few files a later update needs are read again (`snapshotText`).
   */
  text?: string;
  /** sha1 of the bytes, hex (for a skipped file: of why it was skipped, its size and time). */
  hash: string;
  size: number;
  mtimeMs: number;
  /** Why the file could not be read normally (see `fileIssues.ts`). */
  issue?: FileIssue;
}

export type Snapshot = Map<string, SnapshotFile>;

/** sha1 of a text's UTF-8 bytes, hex. */
export function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Options of `readSnapshotFile` / `readSnapshot`. */
export interface SnapshotReadOptions {
  /** Largest file read (`maxFileBytes` of `.mallard.json`). */
  maxBytes?: number;
}

/** Reads one file; undefined when it does not exist. A file that exists but cannot be read has an `issue`. */
export async function readSnapshotFile(root: string, rel: string, options: SnapshotReadOptions = {}): Promise<SnapshotFile | undefined> {
  return readWorkspaceFile(root, rel, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
}

/** Reads and hashes walked files with bounded concurrency. */
export async function readSnapshot(root: string, files: readonly WalkedFile[], options: SnapshotReadOptions & { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const rootReal = await realRoot(root);
  let next = 0;
  let done = 0;
  const reader = async (): Promise<void> => {
    while (next < files.length) {
      options.signal?.throwIfAborted();
      const f = files[next++];
      if (!f) break;
      const entry = await readWorkspaceFile(root, f.path, { rootReal, ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(f.issue ? { issue: f.issue } : {}) });
      if (entry) out.set(f.path, entry);
      if (++done % 250 === 0) options.onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: 32 }, reader));
  options.onProgress?.(files.length, files.length);
  // Map order = path order, so everything derived from the snapshot is deterministic.
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Drops the texts of a snapshot's files (5,000 models: ~10 MB of strings nobody reads again). */
export function releaseTexts(snapshot: Snapshot): void {
  for (const f of snapshot.values()) delete f.text;
}

/**
 * The text of a snapshot file for its per-file step: the one read with the snapshot, else read
 * again from disk (decoded the same way). If the file changed since, the new text is returned; its
 * watcher event is pending and will replace the entry (and whatever was derived under the old hash).
 * A skipped file (unreadable, binary, too large, a link not followed) is empty text: a model that
 * exists still becomes a node without SQL, so refs to it resolve; its issue says why.
 */
export function snapshotText(root: string, rel: string, entry: SnapshotFile): string | undefined {
  if (entry.issue?.skipped) return '';
  if (entry.text !== undefined) return entry.text;
  try {
    return decodedFile(readFileSync(path.join(root, rel)));
  } catch {
    return undefined;
  }
}

/**
 * A `FileSource` over a snapshot. Skipped files are listed but read as absent. Files outside the
 * snapshot (e.g. git-ignored `target/manifest.json`) are read from disk on demand, because dbt's own
 * output is usually git-ignored.
 */
export function snapshotFileSource(root: string, snapshot: Snapshot): FileSource {
  let list: string[] | undefined;
  return {
    list: () => (list ??= [...snapshot.keys()]),
    read: (rel) => {
      const hit = snapshot.get(rel);
      if (hit) return hit.issue?.skipped ? undefined : snapshotText(root, rel, hit);
      if (!rel.endsWith('manifest.json') && !rel.endsWith('profiles.yml')) return undefined;
      try {
        return readFileSync(path.join(root, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
