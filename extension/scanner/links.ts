import { type Dirent } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../core/pipeline/discover';
import { realRoot } from './fileReader';
import { ALWAYS_SKIPPED } from './ignoreRules';

/**
 * The symbolic links of a workspace, and the targets of those the walk follows (inside the
 * workspace folder, not a folder that contains the link), for the watcher: removing any link
 * changes what the walk lists, and chokidar does not follow links, so a change
 * under a link's target is reported at the target's path only, and the watcher adds the paths the
 * walk lists through the link (`aliasesOf`).
 */

/** Link path → target path, both workspace-relative; undefined for a link the walk does not follow. */
export type LinkMap = Map<string, string | undefined>;

/** Finds the links of `root` (folders are listed, links are not entered). */
export async function findLinks(root: string): Promise<LinkMap> {
  const rootReal = await realRoot(root);
  const out: LinkMap = new Map();
  const visit = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      if (ALWAYS_SKIPPED.has(e.name)) continue;
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) subdirs.push(visit(rel));
      else if (e.isSymbolicLink()) {
        subdirs.push(realpath(path.join(root, rel)).then(
          (real) => {
            const target = path.relative(rootReal, real).split(path.sep).join('/');
            const outside = real !== rootReal && !real.startsWith(`${rootReal}${path.sep}`);
            // A link to a folder that holds it is a loop: not followed.
            out.set(rel, outside || isInside(rel, target) ? undefined : target);
          },
          () => void out.set(rel, undefined), // Broken or looping: nothing to follow.
        ));
      }
    }
    await Promise.all(subdirs);
  };
  await visit('');
  return out;
}

/** Paths that `rel` (a path under a link's target) also has through followed links. */
export function aliasesOf(links: LinkMap, rel: string): string[] {
  const out: string[] = [];
  for (const [link, target] of links) if (target !== undefined && isInside(rel, target)) out.push(`${link}${rel.slice(target.length)}`);
  return out;
}
