import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FileSource } from '../../core/pipeline/contracts';
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
  /** sha1 of the bytes, hex. */
  hash: string;
  size: number;
  mtimeMs: number;
}

export type Snapshot = Map<string, SnapshotFile>;

/** sha1 of a text's UTF-8 bytes, hex. */
export function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Reads one file; undefined when it vanished or is unreadable. */
export async function readSnapshotFile(root: string, rel: string): Promise<SnapshotFile | undefined> {
  try {
    const abs = path.join(root, rel);
    const [bytes, s] = await Promise.all([readFile(abs), stat(abs)]);
    return { text: bytes.toString('utf8'), hash: sha1(bytes), size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
  } catch {
    return undefined;
  }
}

/** Reads and hashes walked files with bounded concurrency. */
export async function readSnapshot(root: string, files: readonly WalkedFile[], options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Snapshot> {
  const out: Snapshot = new Map();
  let next = 0;
  let done = 0;
  const reader = async (): Promise<void> => {
    while (next < files.length) {
      options.signal?.throwIfAborted();
      const f = files[next++];
      if (!f) break;
      const entry = await readSnapshotFile(root, f.path);
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
 * The text of a snapshot file: the one read with the snapshot, else read again from disk. If the
 * file changed since, the new text is returned; its watcher event is pending and will replace the
 * entry (and whatever was derived under the old hash).
 */
export function snapshotText(root: string, rel: string, entry: SnapshotFile): string | undefined {
  if (entry.text !== undefined) return entry.text;
  try {
    return readFileSync(path.join(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A `FileSource` over a snapshot. Files outside the snapshot (e.g. git-ignored `target/manifest.json`)
 * are read from disk on demand, because dbt's own output is usually git-ignored.
 */
export function snapshotFileSource(root: string, snapshot: Snapshot): FileSource {
  let list: string[] | undefined;
  return {
    list: () => (list ??= [...snapshot.keys()]),
    read: (rel) => {
      const hit = snapshot.get(rel);
      if (hit) return snapshotText(root, rel, hit);
      if (!rel.endsWith('manifest.json') && !rel.endsWith('profiles.yml')) return undefined;
      try {
        return readFileSync(path.join(root, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
