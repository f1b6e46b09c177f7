import { strFromU8, unzipSync } from 'fflate';
import type { FileSource } from '../pipeline/contracts';
import { canReadBytes, type FactsBuilder } from './biFiles';

/**
 * Zip containers of BI files (`.twbx`/`.tdsx` hold a `.twb`/`.tds`; `.pbit` holds `DataModelSchema`
 * as UTF-16LE JSON). Read with fflate (pure JavaScript, runs in Node and Deno). A zip needs the
 * host's file source to read bytes (`BinaryFileSource.readBytes`); without it, or when the archive
 * is damaged or lacks the entry, the file gets a diagnostic saying so and nothing else is lost.
 */

/** The matching entry's decoded text and name. */
export interface ZipText {
  entry: string;
  text: string;
}

/** Reads the first entry accepted by `want` from the zip at `path`, decoded (UTF-16 when it has a BOM or `utf16le` is set, else UTF-8); a missing entry is a diagnostic unless `optional`. */
export function readZipText(b: FactsBuilder, files: FileSource, path: string, want: (entry: string) => boolean, options: { utf16le?: boolean; optional?: boolean } = {}): ZipText | undefined {
  const start = { line: 0, column: 0 };
  if (!canReadBytes(files)) {
    b.diagnostic(path, start, 'bi-zip-unsupported', 'This is a zip archive, and the host\'s file source reads text only; add the unpacked file (.twb, .tds, .bim) to the repository, or run the connector where files can be read as bytes.', 'warning');
    return undefined;
  }
  const bytes = files.readBytes(path);
  if (bytes === undefined) {
    b.diagnostic(path, start, 'file-unreadable', 'The file is listed but could not be read.');
    return undefined;
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => want(f.name) });
  } catch (e) {
    b.diagnostic(path, start, 'zip-corrupt', `Not a readable zip archive: ${e instanceof Error ? e.message : String(e)}.`);
    return undefined;
  }
  const entry = Object.keys(entries).sort()[0];
  if (entry === undefined) {
    if (options.optional === true) return undefined;
    b.diagnostic(path, start, 'zip-entry-missing', 'The archive holds no entry this connector reads.');
    return undefined;
  }
  const data = entries[entry] as Uint8Array;
  const bomLe = data[0] === 0xff && data[1] === 0xfe;
  return { entry, text: options.utf16le === true || bomLe ? decodeUtf16le(data) : strFromU8(data).replace(/^\uFEFF/, '') };
}

/** UTF-16LE bytes → string, without a leading BOM. */
export function decodeUtf16le(data: Uint8Array): string {
  const start = data[0] === 0xff && data[1] === 0xfe ? 2 : 0;
  const parts: string[] = [];
  for (let i = start; i + 1 < data.length; i += 8192) {
    const codes: number[] = [];
    for (let j = i; j + 1 < data.length && j < i + 8192; j += 2) codes.push((data[j] as number) | ((data[j + 1] as number) << 8));
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}
