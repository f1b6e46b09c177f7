import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ExternalProfiles } from '../../core/pipeline/dbtDialect';

/**
 * Reads the dbt `profiles.yml` files that live outside the workspace, where dbt looks for them:
 * the folder named by `DBT_PROFILES_DIR`, then `~/.dbt/`. Only the target's adapter type, name,
 * schema and database are used (`core/pipeline/dbtDialect.ts`); the text, which may hold
 * credentials, stays in memory and is never logged or stored.
 */

/** Where to look; tests pass their own folders instead of the real environment. */
export interface ProfileDirs {
  /** Value of `DBT_PROFILES_DIR`, if set. */
  env?: string;
  /** The home folder whose `.dbt/profiles.yml` is read. */
  home?: string;
}

/** The profile locations of the current process environment. */
export function processProfileDirs(): ProfileDirs {
  const env = process.env.DBT_PROFILES_DIR;
  let home: string | undefined;
  try {
    home = homedir();
  } catch {
    home = undefined;
  }
  return { ...(env ? { env } : {}), ...(home ? { home } : {}) };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads the external profiles that exist, in dbt's order. */
export function readExternalProfiles(dirs: ProfileDirs): ExternalProfiles[] {
  const out: ExternalProfiles[] = [];
  if (dirs.env) {
    const file = path.join(dirs.env, 'profiles.yml');
    const text = readText(file);
    if (text !== undefined) out.push({ path: file, text, kind: 'env' });
  }
  if (dirs.home) {
    const text = readText(path.join(dirs.home, '.dbt', 'profiles.yml'));
    if (text !== undefined) out.push({ path: '~/.dbt/profiles.yml', text, kind: 'home' });
  }
  return out;
}
