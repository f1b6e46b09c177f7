import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BinaryFileSource } from '../../../core/connectors/biFiles';
import type { FileSource } from '../../../core/pipeline/contracts';

/**
 * Test helpers for the BI file connectors: a real folder on disk as the connector's FileSource
 * (as the workspace host supplies it), optionally able to read bytes for zip archives.
 */

/** Files under `root` (recursive), workspace-relative with forward slashes. */
function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(root, path, out);
    else out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

/** A text-only file source over a folder. */
export function folderFiles(root: string): FileSource {
  const list = walk(root);
  return {
    list: () => list,
    read: (path) => (list.includes(path) ? readFileSync(join(root, path), 'utf8') : undefined),
  };
}

/** A file source over a folder that can also read bytes. */
export function binaryFolderFiles(root: string): BinaryFileSource {
  const text = folderFiles(root);
  return { ...text, readBytes: (path) => (text.list().includes(path) ? new Uint8Array(readFileSync(join(root, path))) : undefined) };
}

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'bi');
