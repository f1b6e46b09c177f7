import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { FileSource } from '../../../core/pipeline/contracts';

/** A FileSource over a real directory (workspace-relative, forward-slash paths). For tests only. */
export function dirFileSource(root: string): FileSource {
  const files: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === '.git' || name === 'node_modules') continue;
      const abs = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else files.push(r);
    }
  };
  walk(root, '');
  return {
    list: () => [...files],
    read: (p) => {
      try {
        return readFileSync(path.join(root, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** An in-memory FileSource. */
export function memFileSource(files: Record<string, string>): FileSource {
  return { list: () => Object.keys(files), read: (p) => files[p] };
}

export const fixturesDir = path.resolve(__dirname, '../../fixtures/dbt');

/** Mounts directories on top of a FileSource: `{ 'dbt_packages/x': '/abs/dir' }` (like `dbt deps`). */
export function overlayFileSource(base: FileSource, mounts: Record<string, string>): FileSource {
  const extra = new Map<string, FileSource>();
  for (const [at, dir] of Object.entries(mounts)) extra.set(at, dirFileSource(dir));
  return {
    list: () => [...base.list(), ...[...extra].flatMap(([at, fs]) => fs.list().map((p) => `${at}/${p}`))],
    read: (p) => {
      for (const [at, fs] of extra) if (p.startsWith(`${at}/`)) return fs.read(p.slice(at.length + 1));
      return base.read(p);
    },
  };
}
