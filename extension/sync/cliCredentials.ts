import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { CredentialsProvider, SyncCredentials } from '../../sync/ports';

/**
 * Credentials of the CLI (the VS Code layer keeps its session in SecretStorage instead). In order:
 * 1. `MALLARD_TOKEN` — an API token (`mlpat_…`) for CI, with `MALLARD_SUPABASE_URL` and
 *    `MALLARD_SUPABASE_KEY` (or the project saved by `mallard login`);
 * 2. `MALLARD_TOKEN_FILE` — a file holding such a token, readable by its owner only (0600);
 * 3. the file `mallard login` writes (`credentials.json` under the user's config folder, 0600): an
 *    API token, or a user session from an e-mail one-time code, refreshed here when it expires.
 * A file that others may read is refused with a message saying how to fix it.
 */

/** What `mallard login` stores. */
export const StoredCredentials = z.object({
  url: z.string().min(1),
  apiKey: z.string(),
  /** Organization chosen at login (`--org`), used when `mallard sync` gets none. */
  orgId: z.string().optional(),
  token: z.string().optional(),
  session: z
    .object({
      accessToken: z.string(),
      refreshToken: z.string(),
      /** Seconds since the epoch. */
      expiresAt: z.number(),
      email: z.string().optional(),
      /** The user's id (JWT `sub`): the principal the server ties this replica to. */
      userId: z.string().optional(),
    })
    .optional(),
});
export type StoredCredentials = z.infer<typeof StoredCredentials>;

/** A credential problem the CLI reports as it is (`reason` for callers). */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';

  constructor(
    readonly reason: 'insecure-file' | 'unreadable' | 'missing-project' | 'refresh-failed',
    message: string,
  ) {
    super(message);
  }
}

/** The folder of the CLI's credentials: `MALLARD_CONFIG_DIR`, else the platform's user config folder. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MALLARD_CONFIG_DIR) return env.MALLARD_CONFIG_DIR;
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(homedir(), 'AppData', 'Roaming'), 'mallard');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config'), 'mallard');
}

/** The credentials file `mallard login` writes. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'credentials.json');
}

/** Reads a secret file, refusing one that group or others may read (POSIX). */
export function readSecretFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new CredentialsError('unreadable', `Cannot read ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CredentialsError('insecure-file', `${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  return readFileSync(file, 'utf8');
}

/** The stored credentials, or undefined when nobody logged in. */
export function loadStored(env: NodeJS.ProcessEnv = process.env): StoredCredentials | undefined {
  const file = credentialsFile(env);
  if (!existsSync(file)) return undefined;
  const parsed = StoredCredentials.safeParse(safeJson(readSecretFile(file)));
  if (!parsed.success) throw new CredentialsError('unreadable', `${file} is not a Mallard credentials file; run mallard logout, then mallard login.`);
  return parsed.data;
}

/** Writes the credentials file, readable by its owner only. */
export function saveStored(stored: StoredCredentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  // An existing file keeps its mode on write; make sure it is 0600.
  chmodSync(file, 0o600);
  return file;
}

/** Deletes the credentials file; returns whether there was one. */
export function removeStored(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = credentialsFile(env);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

/** The CLI's `CredentialsProvider` (see the module comment for the order). */
export function cliCredentials(env: NodeJS.ProcessEnv = process.env, options: { fetch?: typeof fetch; now?: () => number } = {}): CredentialsProvider {
  const now = options.now ?? Date.now;
  return {
    async getCredentials(): Promise<SyncCredentials | undefined> {
      const stored = loadStored(env);
      // An empty variable counts as unset (CI systems often define secrets as empty strings).
      const token = env.MALLARD_TOKEN || (env.MALLARD_TOKEN_FILE ? readSecretFile(env.MALLARD_TOKEN_FILE).trim() : undefined);
      if (token !== undefined && token !== '') {
        const url = env.MALLARD_SUPABASE_URL || stored?.url;
        const apiKey = env.MALLARD_SUPABASE_KEY || stored?.apiKey;
        if (url === undefined || apiKey === undefined) throw new CredentialsError('missing-project', 'An API token needs the project: set MALLARD_SUPABASE_URL and MALLARD_SUPABASE_KEY (or run mallard login --url … --key … once).');
        return { url, apiKey, accessToken: token, label: 'API token', principal: tokenPrincipal(token) };
      }
      if (stored === undefined) return undefined;
      if (stored.token !== undefined) return { url: stored.url, apiKey: stored.apiKey, accessToken: stored.token, label: 'API token', principal: tokenPrincipal(stored.token) };
      let session = stored.session;
      if (session === undefined) return undefined;
      // Refresh a minute early: a cycle may take a while.
      if (session.expiresAt * 1000 - 60_000 <= now()) {
        session = await refresh(stored, session.refreshToken, options.fetch);
        saveStored({ ...stored, session }, env);
      }
      return sessionCredentials(stored, session);
    },
  };
}

/** The credentials a stored Supabase session gives (the CLI and VS Code share the shape). */
export function sessionCredentials(stored: StoredCredentials, session: NonNullable<StoredCredentials['session']>): SyncCredentials {
  return {
    url: stored.url,
    apiKey: stored.apiKey,
    accessToken: session.accessToken,
    ...(session.email ? { label: session.email } : {}),
    ...(session.userId ? { principal: `user:${session.userId}` } : {}),
  };
}

/** A Supabase client for the CLI's auth calls (no persisted session, no timers). */
export function authClient(url: string, apiKey: string, fetchImpl?: typeof fetch): ReturnType<typeof createClient> {
  return createClient(url, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}),
  });
}

/** A session in the stored shape. */
export function storedSession(session: { access_token: string; refresh_token: string; expires_at?: number; expires_in: number; user?: { id?: string; email?: string } | null }): NonNullable<StoredCredentials['session']> {
  const email = session.user?.email;
  const userId = session.user?.id;
  return {
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    expiresAt: session.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
    ...(email ? { email } : {}),
    ...(userId ? { userId } : {}),
  };
}

/** An API token's principal: a fingerprint, never the token (VS Code computes the same). */
export function tokenPrincipal(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

async function refresh(stored: StoredCredentials, refreshToken: string, fetchImpl?: typeof fetch): Promise<NonNullable<StoredCredentials['session']>> {
  const { data, error } = await authClient(stored.url, stored.apiKey, fetchImpl).auth.refreshSession({ refresh_token: refreshToken });
  if (error !== null || data.session === null) {
    throw new CredentialsError('refresh-failed', `The saved session expired and could not be refreshed (${error?.message ?? 'no session'}); run mallard login again.`);
  }
  return storedSession(data.session);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
