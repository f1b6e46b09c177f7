import { textApi } from '../sql/wasmApi';

/**
 * A small runtime-neutral reader of tar archives (POSIX ustar, with the pax extended headers `git
 * archive` and GitHub's tarballs write, and GNU long names), over bytes already in memory. Only
 * what a repository archive holds matters: regular files, folders, links. Malformed input (a bad
 * header checksum, a size running past the end) is a `TarError` naming the byte offset.
 */

/** One archive member. `data` is a view into the archive's bytes (no copy). */
export interface TarEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  data: Uint8Array;
}

/** What the archive holds; `comment` is the pax global `comment` (git archive: the commit sha). */
export interface TarArchive {
  entries: TarEntry[];
  comment?: string;
}

/** A malformed archive. */
export class TarError extends Error {
  override readonly name = 'TarError';
  readonly reason = 'malformed-tar';
}

const BLOCK = 512;
const utf8 = new textApi.TextDecoder('utf-8', { ignoreBOM: true, fatal: false });

function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** A numeric field: octal text, or base-256 when the high bit of the first byte is set (GNU, large sizes). */
function number(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[start + i] ?? 0);
    return value;
  }
  const text = field(block, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum === number(block, 148, 8);
}

/** Records of a pax header: `<length> <key>=<value>\n`. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(utf8.decode(data.subarray(at, space)), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = utf8.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/** Reads every member of a tar archive. */
export function readTar(bytes: Uint8Array): TarArchive {
  const archive: TarArchive = { entries: [] };
  let next: Map<string, string> | undefined;
  let longName: string | undefined;
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new TarError(`The archive has a damaged header at byte ${at}.`);
    const size = number(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = at + BLOCK;
    if (dataStart + size > bytes.length) throw new TarError(`The archive ends inside the member whose header is at byte ${at}.`);
    const data = bytes.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'g') {
      const comment = paxRecords(data).get('comment');
      if (comment !== undefined) archive.comment = comment;
      continue;
    }
    if (type === 'x') {
      next = paxRecords(data);
      continue;
    }
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    const magic = field(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? field(header, 345, 155) : '';
    const name = next?.get('path') ?? longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    next = undefined;
    longName = undefined;
    const kind: TarEntry['type'] = type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'directory' : type === '2' ? 'symlink' : 'other';
    archive.entries.push({ path: name, type: kind, data });
  }
  return archive;
}
