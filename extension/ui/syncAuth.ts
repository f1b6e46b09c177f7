import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import type { Provider, SupabaseClient } from '@supabase/supabase-js';
import type { CredentialsProvider, SyncCredentials } from '../../sync/ports';
import { sessionCredentials, StoredCredentials, storedSession, tokenPrincipal } from '../sync/cliCredentials';

/**
 * Sign-in for team sync in VS Code, without `vscode` (the commands in `syncCommands.ts` drive it, the
 * tests drive it against a local project): Supabase Auth with PKCE (the browser comes back through a
 * `vscode://` URI carrying `code`), an e-mail one-time code, or an API token for CI. The session or
 * token lives only in a secret store (VS Code's SecretStorage), as one JSON value in the CLI's
 * `StoredCredentials` shape; it is refreshed a minute before it expires, once even when several
 * catalog workers ask at the same time (a refresh token is single-use).
 */

/** The part of `vscode.SecretStorage` used here. */
export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** A Supabase project: its URL and publishable (anon) key, from the settings. */
export interface SyncProject {
  url: string;
  apiKey: string;
}

/** A sign-in problem, shown to the user as it is. */
export class SyncAuthError extends Error {
  override readonly name = 'SyncAuthError';

  constructor(
    readonly reason: 'no-pending-sign-in' | 'stale-callback' | 'auth-failed' | 'refresh-failed' | 'bad-token',
    message: string,
  ) {
    super(message);
  }
}

/** The secret-store key of the session or token. */
export const SESSION_SECRET_KEY = 'mallard.sync.credentials';

/** Who is signed in, for the status bar (never the token). */
export interface SignedIn {
  kind: 'session' | 'token';
  label: string;
  url: string;
}

/** A browser sign-in waiting for its `vscode://` callback. */
interface PendingSignIn {
  client: SupabaseClient;
  project: SyncProject;
  nonce: string;
}

/** See the module comment. */
export class SyncAuth implements CredentialsProvider {
  private pending: PendingSignIn | undefined;
  private refreshing: Promise<SyncCredentials | undefined> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly options: { fetch?: typeof fetch; now?: () => number } = {},
  ) {}

  /** Calls `listener` after every sign-in and sign-out. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Who is signed in, or undefined. */
  async signedIn(): Promise<SignedIn | undefined> {
    const stored = await this.load();
    if (stored === undefined) return undefined;
    if (stored.token !== undefined) return { kind: 'token', label: 'API token', url: stored.url };
    if (stored.session !== undefined) return { kind: 'session', label: stored.session.email ?? 'signed in', url: stored.url };
    return undefined;
  }

  /**
   * Starts a browser sign-in with PKCE: returns the URL to open. `redirect` is the extension's
   * callback URI as the browser must see it (`env.asExternalUri`); a nonce is added to it so that a
   * stale or foreign callback is refused. `provider` is an OAuth provider of the project
   * (`github`, `google`, …).
   */
  async beginBrowserSignIn(project: SyncProject, provider: string, redirect: string): Promise<string> {
    const client = this.client(project);
    const nonce = randomUUID();
    const redirectTo = withQuery(redirect, 'nonce', nonce);
    const { data, error } = await client.auth.signInWithOAuth({ provider: provider as Provider, options: { redirectTo, skipBrowserRedirect: true } });
    if (error !== null || data.url === null) throw new SyncAuthError('auth-failed', `Could not start the sign-in: ${error?.message ?? 'no URL'}`);
    this.pending = { client, project, nonce };
    return data.url;
  }

  /**
   * Sends a one-time code (and a sign-in link, which comes back through the same callback as the
   * browser sign-in) to `email`.
   */
  async sendEmailCode(project: SyncProject, email: string, redirect?: string): Promise<void> {
    const client = this.client(project);
    const nonce = randomUUID();
    const { error } = await client.auth.signInWithOtp({ email, options: { shouldCreateUser: false, ...(redirect !== undefined ? { emailRedirectTo: withQuery(redirect, 'nonce', nonce) } : {}) } });
    if (error !== null) throw new SyncAuthError('auth-failed', `Could not send a code to ${email}: ${error.message}`);
    this.pending = { client, project, nonce };
  }

  /** Signs in with the code sent to `email`. */
  async verifyEmailCode(project: SyncProject, email: string, code: string): Promise<SignedIn> {
    const client = this.pending?.client ?? this.client(project);
    const { data, error } = await client.auth.verifyOtp({ email, token: code.trim(), type: 'email' });
    if (error !== null || data.session === null) throw new SyncAuthError('auth-failed', `The code was not accepted: ${error?.message ?? 'no session'}`);
    this.pending = undefined;
    return this.save({ url: project.url, apiKey: project.apiKey, session: storedSession(data.session) });
  }

  /**
   * Completes a browser sign-in from the callback URI's query (`code`, `nonce`, or the provider's
   * `error_description`).
   */
  async completeBrowserSignIn(query: string): Promise<SignedIn> {
    const params = new URLSearchParams(query);
    const failure = params.get('error_description') ?? params.get('error');
    const pending = this.pending;
    if (pending === undefined) throw new SyncAuthError('no-pending-sign-in', 'No sign-in is in progress in this window; run "Mallard: Sign In" again.');
    if (params.get('nonce') !== pending.nonce) throw new SyncAuthError('stale-callback', 'This sign-in link belongs to an earlier attempt; run "Mallard: Sign In" again.');
    if (failure !== null) throw new SyncAuthError('auth-failed', `Sign-in failed: ${failure}`);
    const code = params.get('code');
    if (code === null) throw new SyncAuthError('auth-failed', 'The sign-in callback has no code.');
    const { data, error } = await pending.client.auth.exchangeCodeForSession(code);
    if (error !== null || data.session === null) throw new SyncAuthError('auth-failed', `Sign-in failed: ${error?.message ?? 'no session'}`);
    this.pending = undefined;
    return this.save({ url: pending.project.url, apiKey: pending.project.apiKey, session: storedSession(data.session) });
  }

  /** Stores an API token (`mlpat_…`) for CI. */
  async useToken(project: SyncProject, token: string): Promise<SignedIn> {
    const trimmed = token.trim();
    if (!/^mlpat_[A-Za-z0-9_-]{16,}$/.test(trimmed)) throw new SyncAuthError('bad-token', 'A Mallard API token starts with "mlpat_"; create one in the organization settings.');
    return this.save({ url: project.url, apiKey: project.apiKey, token: trimmed });
  }

  /** Forgets the session or token (and signs the session out on the server, best effort). */
  async signOut(): Promise<boolean> {
    const stored = await this.load();
    await this.secrets.delete(SESSION_SECRET_KEY);
    this.pending = undefined;
    this.fire();
    if (stored?.session !== undefined) {
      // Revoking the refresh token is best effort: being signed out locally is what matters.
      const doFetch = this.options.fetch ?? fetch;
      await doFetch(`${stored.url}/auth/v1/logout?scope=local`, { method: 'POST', headers: { apikey: stored.apiKey, authorization: `Bearer ${stored.session.accessToken}` } }).catch(() => undefined);
    }
    return stored !== undefined;
  }

  /** `CredentialsProvider`: fresh credentials for a sync cycle; undefined when signed out. */
  async getCredentials(): Promise<SyncCredentials | undefined> {
    if (this.refreshing !== undefined) return this.refreshing;
    const stored = await this.load();
    if (stored === undefined) return undefined;
    if (stored.token !== undefined) return { url: stored.url, apiKey: stored.apiKey, accessToken: stored.token, label: 'API token', principal: tokenPrincipal(stored.token) };
    const session = stored.session;
    if (session === undefined) return undefined;
    // Refresh a minute early: a cycle may take a while.
    if (session.expiresAt * 1000 - 60_000 > (this.options.now ?? Date.now)()) return sessionCredentials(stored, session);
    // Another caller may have started the refresh while this one read the store.
    if (this.refreshing !== undefined) return this.refreshing;
    this.refreshing = this.refresh(stored, session.refreshToken).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** A supabase-js client of the project signed in as the session (for listing organizations). */
  async dataClient(): Promise<SupabaseClient | undefined> {
    const credentials = await this.getCredentials();
    if (credentials === undefined) return undefined;
    return createClient(credentials.url, credentials.apiKey, { accessToken: async () => credentials.accessToken, ...(this.options.fetch ? { global: { fetch: this.options.fetch } } : {}) });
  }

  private async refresh(stored: StoredCredentials, refreshToken: string): Promise<SyncCredentials | undefined> {
    const { data, error } = await this.client(stored).auth.refreshSession({ refresh_token: refreshToken });
    if (error !== null || data.session === null) {
      throw new SyncAuthError('refresh-failed', `The session expired and could not be refreshed (${error?.message ?? 'no session'}); run "Mallard: Sign In" again.`);
    }
    const session = storedSession(data.session);
    await this.secrets.store(SESSION_SECRET_KEY, JSON.stringify({ ...stored, session }));
    return sessionCredentials(stored, session);
  }

  private async load(): Promise<StoredCredentials | undefined> {
    const text = await this.secrets.get(SESSION_SECRET_KEY);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = StoredCredentials.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }

  private async save(stored: StoredCredentials): Promise<SignedIn> {
    await this.secrets.store(SESSION_SECRET_KEY, JSON.stringify(stored));
    this.fire();
    const who = await this.signedIn();
    return who ?? { kind: 'session', label: 'signed in', url: stored.url };
  }

  private fire(): void {
    for (const listener of this.listeners) listener();
  }

  /** An auth client that keeps nothing itself (the PKCE verifier stays in its memory until the callback). */
  private client(project: SyncProject): SupabaseClient {
    return createClient(project.url, project.apiKey, {
      auth: { flowType: 'pkce', persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      ...(this.options.fetch ? { global: { fetch: this.options.fetch } } : {}),
    });
  }
}

function withQuery(uri: string, key: string, value: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}
