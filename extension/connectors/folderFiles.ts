import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BinaryFileSource } from '../../core/connectors/biFiles';

/**
 * The `files` port of a local connector run: the workspace folder on disk, for connectors that
 * read files of a repository (Tableau, Looker, Power BI). Lists every file under the folder except
 * tool and dependency folders, as forward-slash relative paths; reads text (UTF-8) or bytes (zip
 * archives: `.twbx`, `.tdsx`, `.pbit`). A file that cannot be read reads as undefined.
 */

const SKIPPED = new Set(['.git', 'node_modules', '.mallard', 'target', 'dbt_packages', '.venv', 'venv', '__pycache__']);
/** Files larger than this are listed but not read (a BI file is far smaller). */
const MAX_BYTES = 64 * 1024 * 1024;
/** An upper bound on the walk, so a huge folder cannot stall a run. */
const MAX_FILES = 200_000;

/** A file source over `root`. */
export function folderFiles(root: string): BinaryFileSource {
  let listed: string[] | undefined;
  const list = (): string[] => {
    if (listed) return listed;
    const out: string[] = [];
    const walk = (dir: string, rel: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (out.length >= MAX_FILES) return;
        const r = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (!SKIPPED.has(e.name)) walk(path.join(dir, e.name), r);
        } else if (e.isFile()) out.push(r);
      }
    };
    walk(root, '');
    listed = out.sort();
    return listed;
  };
  const bytes = (p: string): Buffer | undefined => {
    try {
      const full = path.join(root, ...p.split('/'));
      return statSync(full).size > MAX_BYTES ? undefined : readFileSync(full);
    } catch {
      return undefined;
    }
  };
  return {
    list,
    read: (p) => bytes(p)?.toString('utf8'),
    readBytes: (p) => {
      const b = bytes(p);
      return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}
