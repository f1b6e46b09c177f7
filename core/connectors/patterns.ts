import { z } from 'zod';

/**
 * Name and path patterns of connector settings: schema include/exclude lists (Postgres) and path
 * filters (GitHub). A pattern is a glob: `*` matches within one path segment, `**` across segments,
 * `?` one character; a schema name has no `/`, so `*` matches any part of it.
 */

/** A list of patterns, given as an array or as one comma-separated string (as the input box gives it). */
export const patternList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((p) => p.trim()).filter((p) => p !== ''))
  .default([]);

/** The regular expression of one glob, anchored at both ends. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches no folder at all (`a/**/b` matches `a/b`).
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * A predicate keeping the names that match an include pattern (every name when there is none) and
 * no exclude pattern. A path also matches a pattern that names one of its folders (`models` keeps
 * `models/a.sql`), as path filters usually do.
 */
export function patternFilter(include: readonly string[], exclude: readonly string[]): (name: string) => boolean {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  const matches = (res: RegExp[], name: string): boolean => {
    if (res.some((re) => re.test(name))) return true;
    for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) {
      const folder = name.slice(0, at);
      if (res.some((re) => re.test(folder))) return true;
    }
    return false;
  };
  return (name) => (inc.length === 0 || matches(inc, name)) && !matches(exc, name);
}
