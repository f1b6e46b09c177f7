/**
 * The environment of an edge function, read once per worker. Supabase sets `SUPABASE_URL`,
 * `SUPABASE_DB_URL` (the `postgres` login of the project's database) and, on projects with the new
 * API keys, `SUPABASE_JWKS` and `SUPABASE_SECRET_KEYS`; the legacy HS256 secret comes from
 * `SUPABASE_JWT_SECRET` (set it with `supabase secrets set` while legacy keys are in use).
 */

/** A JSON Web Key Set (the `keys` of `/auth/v1/.well-known/jwks.json`). */
export interface JwkSet {
  keys: Record<string, unknown>[];
}

/** What the functions need from the environment. */
export interface FunctionEnv {
  /** Connection string of the database (`postgres` login; requests switch role per transaction). */
  dbUrl: string;
  /** Project URL; the remote JWKS is fetched from it when `jwks` is not given. */
  supabaseUrl: string | undefined;
  /** Public keys that sign ES256/RS256 access tokens. */
  jwks: JwkSet | undefined;
  /** Legacy HS256 signing secret, when the project still uses it. */
  jwtSecret: string | undefined;
  /** New-style secret API keys (`sb_secret_…`): a request bearing one is the service role. */
  secretKeys: string[];
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readJwks(text: string | undefined): JwkSet | undefined {
  const parsed = parseJson(text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const keys = (parsed as { keys?: unknown }).keys;
  if (Array.isArray(keys)) return { keys: keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null) };
  return undefined;
}

function readSecretKeys(text: string | undefined): string[] {
  const parsed = parseJson(text);
  if (Array.isArray(parsed)) return parsed.filter((k): k is string => typeof k === 'string' && k.length > 0);
  if (typeof parsed === 'object' && parsed !== null) {
    return Object.values(parsed).filter((k): k is string => typeof k === 'string' && k.length > 0);
  }
  return text !== undefined && text.trim() !== '' && parsed === undefined ? [text.trim()] : [];
}

let cached: FunctionEnv | undefined;

/** The environment (read once). Throws when the database URL is missing: the function cannot work. */
export function functionEnv(): FunctionEnv {
  if (cached !== undefined) return cached;
  const get = (name: string): string | undefined => Deno.env.get(name) ?? undefined;
  const dbUrl = get('SUPABASE_DB_URL');
  if (dbUrl === undefined || dbUrl === '') throw new Error('SUPABASE_DB_URL is not set');
  cached = {
    dbUrl,
    supabaseUrl: get('SUPABASE_URL'),
    jwks: readJwks(get('SUPABASE_JWKS')),
    jwtSecret: get('SUPABASE_JWT_SECRET') ?? get('JWT_SECRET'),
    secretKeys: readSecretKeys(get('SUPABASE_SECRET_KEYS')),
  };
  return cached;
}
