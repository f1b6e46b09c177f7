import { createHash } from 'node:crypto';
import { open, lstat, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeText } from './decodeText';
import { DEFAULT_MAX_FILE_BYTES, formatBytes, skippedIssue, unreadableIssue, type FileIssue } from './fileIssues';
import type { SnapshotFile } from './snapshot';
import { isManifestPath } from './walker';

/**
 * Reads one workspace file for the snapshot: follows a symbolic link only when its target is inside
 * the workspace folder, skips files over the size limit (a large seed CSV is read up to its header,
 * the only part the catalog uses) and files it may not read, and decodes the bytes
 * (`decodeText`). Every file that exists yields an entry: a file that could not be read carries an
 * issue instead of text, so the file stays listed and the reason reaches the user.
 */

/** Options of `readWorkspaceFile`. */
export interface ReadOptions {
  /** Largest file read (default `DEFAULT_MAX_FILE_BYTES`). */
  maxBytes?: number;
  /** Real path of the workspace root (computed when absent). */
  rootReal?: string;
  /** An issue the walker found (a folder link it did not follow): the entry is skipped unread. */
  issue?: FileIssue;
}

/** How much of an oversized CSV is read for its header. */
const CSV_HEAD_BYTES = 64 * 1024;

function hashOf(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** The `code` of a system error (EACCES, ENOENT, …). */
export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** True for errors that mean the file is not there (any more). */
function gone(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * An entry without text. Its hash stands for what is known (why, size, time), so a fix or a
 * change of the file changes the workspace signature and the file is read again.
 */
function skippedEntry(issue: FileIssue, size: number, mtimeMs: number): SnapshotFile {
  return { hash: hashOf(`mallard-skipped\0${issue.code}\0${size}\0${Math.floor(mtimeMs)}`), size, mtimeMs: Math.floor(mtimeMs), issue };
}

/** True when absolute `child` is `parent` or inside it. */
function insideAbs(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);
}

/** Real path of a workspace root (the root itself when it cannot be resolved). */
export async function realRoot(root: string): Promise<string> {
  return realpath(root).catch(() => path.resolve(root));
}

/** The issue of a symbolic link that is not followed, or undefined when its target is inside the workspace. */
async function symlinkIssue(abs: string, rootReal: string): Promise<FileIssue | undefined> {
  const target = await readlink(abs).catch(() => '?');
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ELOOP') return skippedIssue('symlink-loop', `not followed: a symbolic link loop (\`${target}\` leads back to this link). Point the link at a file.`);
    if (code === 'ENOENT' || code === 'ENOTDIR') return skippedIssue('symlink-broken', `a symbolic link to \`${target}\`, which does not exist. Fix or remove the link.`);
    return unreadableIssue(code);
  }
  if (insideAbs(real, rootReal)) return undefined;
  return skippedIssue('symlink-outside-workspace', `not followed: a symbolic link to \`${target}\`, outside the workspace folder. Move or copy the target into the workspace folder to catalog it.`);
}

/** The first lines of an oversized CSV: enough for a seed's header. */
async function csvHead(abs: string, size: number, mtimeMs: number): Promise<SnapshotFile> {
  const handle = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(CSV_HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, CSV_HEAD_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    const lastNewline = head.lastIndexOf(0x0a);
    const decoded = decodeText(lastNewline > 0 ? head.subarray(0, lastNewline + 1) : head);
    return { text: decoded.text, hash: hashOf(`${decoded.text}\0${size}\0${Math.floor(mtimeMs)}`), size, mtimeMs: Math.floor(mtimeMs), ...(decoded.issue ? { issue: decoded.issue } : {}) };
  } finally {
    await handle.close();
  }
}

/** Reads one file; undefined only when it does not exist (or is a folder). */
export async function readWorkspaceFile(root: string, rel: string, options: ReadOptions = {}): Promise<SnapshotFile | undefined> {
  if (options.issue) return skippedEntry(options.issue, 0, 0);
  const abs = path.join(root, rel);
  try {
    // lstat tells a link from a file; only a link costs a second stat (of its target).
    let s = await lstat(abs);
    if (s.isSymbolicLink()) {
      const issue = await symlinkIssue(abs, options.rootReal ?? (await realRoot(root)));
      if (issue) return skippedEntry(issue, s.size, s.mtimeMs);
      s = await stat(abs);
    }
    if (!s.isFile()) return undefined;
    const limit = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (s.size > limit && !isManifestPath(rel)) {
      if (/\.csv$/i.test(rel)) return await csvHead(abs, s.size, s.mtimeMs);
      return skippedEntry(skippedIssue('file-too-large', `skipped: ${formatBytes(s.size)} is over the ${formatBytes(limit)} limit for one file. Raise "maxFileBytes" in .mallard.json to read it.`), s.size, s.mtimeMs);
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(abs);
    } catch (err) {
      if (gone(err)) return undefined;
      return skippedEntry(unreadableIssue(errorCode(err)), s.size, s.mtimeMs);
    }
    const decoded = decodeText(bytes);
    const entry: SnapshotFile = { hash: hashOf(bytes), size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
    if (!decoded.issue?.skipped) entry.text = decoded.text;
    if (decoded.issue) entry.issue = decoded.issue;
    return entry;
  } catch (err) {
    if (gone(err)) return undefined;
    return skippedEntry(unreadableIssue(errorCode(err)), 0, 0);
  }
}

/** Text of a file read again after the snapshot dropped it, decoded like the first read; undefined when unreadable. */
export function decodedFile(bytes: Uint8Array): string | undefined {
  const decoded = decodeText(bytes);
  return decoded.issue?.skipped ? undefined : decoded.text;
}
