/**
 * A reader of (uncompressed) tar archives as GitHub's `tarball` endpoint serves them: ustar headers,
 * pax extended headers (`x`: per-file path; `g`: global, GitHub's commit comment) and GNU long names
 * (`L`). Yields regular files only, with the archive's top folder (`<owner>-<repo>-<sha>/`) removed.
 */

/** One regular file of an archive. */
export interface TarFile {
  /** Path inside the repository (top folder removed), forward slashes. */
  path: string;
  bytes: Uint8Array;
}

const decoder = new TextDecoder();

function text(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return decoder.decode(end < 0 ? slice : slice.subarray(0, end));
}

function octal(block: Uint8Array, offset: number, length: number): number {
  const raw = text(block, offset, length).trim();
  return raw === '' ? 0 : parseInt(raw, 8);
}

/** Reads the `path` record of a pax header block. */
function paxPath(data: Uint8Array): string | undefined {
  const body = decoder.decode(data);
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(' ', at);
    if (space < 0) break;
    const length = Number(body.slice(at, space));
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.slice(space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    at += length;
  }
  return undefined;
}

/** The regular files of `archive`; stops at the end marker or at a truncated entry. */
export function readTar(archive: Uint8Array): TarFile[] {
  const files: TarFile[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + 512;
    if (dataStart + size > archive.length) break;
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
    longName = undefined;
    if (type !== '0' && type !== '\0') continue;
    const slash = name.indexOf('/');
    const path = slash < 0 ? name : name.slice(slash + 1);
    if (path !== '') files.push({ path, bytes: data });
  }
  return files;
}
