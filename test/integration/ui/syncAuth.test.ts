import assert from 'node:assert/strict';
import { SESSION_SECRET_KEY, SyncAuth, SyncAuthError } from '../../../extension/ui/syncAuth';
import type { SecretStore } from '../../../extension/ui/syncAuth';
import { SyncStandIn } from '../../support/syncStandIn';

/**
 * VS Code's sign-in for team sync (`SyncAuth`) with supabase-js and auth-js unchanged, over real
 * HTTP against a local stand-in of the project's Auth: the PKCE browser flow (the verifier must
 * match the challenge the browser carried), e-mail one-time codes, API tokens, refresh, sign-out.
 * The secret store is a map with the `vscode.SecretStorage` methods the code uses.
 */

/** SecretStorage as VS Code offers it (get / store / delete), remembering every write. */
class MapSecrets implements SecretStore {
  readonly values = new Map<string, string>();
  readonly writes: string[] = [];
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.writes.push(key);
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

describe('VS Code sign-in for sync (SyncAuth against a local Auth stand-in)', function () {
  this.timeout(60_000);
  let standIn: SyncStandIn;
  let url = '';
  let secrets: MapSecrets;
  const REDIRECT = 'vscode://mallard.mallard/auth';

  beforeEach(async () => {
    standIn = new SyncStandIn();
    url = await standIn.start();
    secrets = new MapSecrets();
  });
  afterEach(async () => {
    await standIn.stop();
  });

  /** Plays the browser: reads the authorize URL, lets the provider grant a code, returns the callback query. */
  const browser = (authorizeUrl: string, email: string, tamper?: (challenge: string) => string): string => {
    const authorize = new URL(authorizeUrl);
    assert.equal(authorize.pathname, '/auth/v1/authorize');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 's256');
    const challenge = authorize.searchParams.get('code_challenge') ?? '';
    const redirect = new URL(authorize.searchParams.get('redirect_to') ?? '');
    assert.equal(`${redirect.protocol}//${redirect.host}${redirect.pathname}`, REDIRECT);
    const code = standIn.authorizeCode(tamper ? tamper(challenge) : challenge, email);
    redirect.searchParams.set('code', code);
    return redirect.search.slice(1);
  };

  it('signs in through the PKCE browser flow and keeps the session only in the secret store', async () => {
    const auth = new SyncAuth(secrets);
    let changes = 0;
    auth.onDidChange(() => changes++);
    const authorizeUrl = await auth.beginBrowserSignIn({ url, apiKey: 'anon' }, 'github', REDIRECT);
    assert.equal(new URL(authorizeUrl).searchParams.get('provider'), 'github');
    const who = await auth.completeBrowserSignIn(browser(authorizeUrl, 'ann@example.com'));
    assert.deepEqual(who, { kind: 'session', label: 'ann@example.com', url });
    assert.equal(changes, 1);
    assert.deepEqual([...secrets.values.keys()], [SESSION_SECRET_KEY]);
    const credentials = await auth.getCredentials();
    assert.match(credentials?.accessToken ?? '', /^jwt-ann@example\.com-1$/);
    assert.equal(credentials?.principal, 'user:5e5e5e5e-0000-4000-8000-000000000001');
    assert.ok(standIn.requests.some((r) => r.path === '/auth/v1/token'), 'the code was exchanged with the verifier');
    // The callback cannot be replayed: the sign-in is no longer pending.
    await assert.rejects(auth.completeBrowserSignIn(browser(authorizeUrl, 'eve@example.com')), (e: unknown) => e instanceof SyncAuthError && e.reason === 'no-pending-sign-in');
  });

  it('refuses a callback of another attempt and a code bound to another verifier', async () => {
    const auth = new SyncAuth(secrets);
    const first = await auth.beginBrowserSignIn({ url, apiKey: 'anon' }, 'github', REDIRECT);
    const firstQuery = browser(first, 'ann@example.com');
    const second = await auth.beginBrowserSignIn({ url, apiKey: 'anon' }, 'github', REDIRECT);
    await assert.rejects(auth.completeBrowserSignIn(firstQuery), (e: unknown) => e instanceof SyncAuthError && e.reason === 'stale-callback');
    await assert.rejects(auth.completeBrowserSignIn(browser(second, 'ann@example.com', () => 'another-challenge')), (e: unknown) => e instanceof SyncAuthError && e.reason === 'auth-failed' && /code challenge does not match/.test(e.message));
    await assert.rejects(auth.completeBrowserSignIn('error=access_denied&error_description=The+user+said+no'), (e: unknown) => e instanceof SyncAuthError);
    assert.equal(await auth.getCredentials(), undefined);
    assert.equal(secrets.values.size, 0);
  });

  it('signs in with an e-mail code, refreshes once for concurrent workers, and signs out', async () => {
    standIn.expiresIn = 30; // inside the refresh margin: every read refreshes
    let now = Date.now();
    const auth = new SyncAuth(secrets, { now: () => now });
    await auth.sendEmailCode({ url, apiKey: 'anon' }, 'bob@example.com', REDIRECT);
    assert.deepEqual(standIn.codesSent, ['bob@example.com']);
    await assert.rejects(auth.verifyEmailCode({ url, apiKey: 'anon' }, 'bob@example.com', '000000'), /The code was not accepted/);
    const who = await auth.verifyEmailCode({ url, apiKey: 'anon' }, 'bob@example.com', ' 123456 ');
    assert.equal(who.label, 'bob@example.com');
    const stored = JSON.parse(secrets.values.get(SESSION_SECRET_KEY) ?? '{}') as { session: { accessToken: string } };
    // Two catalog workers ask at once: one refresh (a refresh token is single-use), one answer.
    const [a, b] = await Promise.all([auth.getCredentials(), auth.getCredentials()]);
    assert.equal(standIn.requests.filter((r) => r.path === '/auth/v1/token').length, 1);
    assert.equal(a?.accessToken, b?.accessToken);
    assert.notEqual(a?.accessToken, stored.session.accessToken);
    const saved = JSON.parse(secrets.values.get(SESSION_SECRET_KEY) ?? '{}') as { session: { accessToken: string } };
    assert.equal(saved.session.accessToken, a?.accessToken, 'the refreshed session is stored');
    now -= 10 * 60_000; // a session that is not about to expire is used as it is
    assert.equal((await auth.getCredentials())?.accessToken, a?.accessToken);
    assert.equal(await auth.signOut(), true);
    assert.equal(await auth.getCredentials(), undefined);
    assert.equal(await auth.signedIn(), undefined);
    assert.ok(standIn.requests.some((r) => r.path === '/auth/v1/logout' && r.token === a?.accessToken));
  });

  it('stores an API token for CI and refuses something that is not one', async () => {
    const auth = new SyncAuth(secrets);
    await assert.rejects(auth.useToken({ url, apiKey: 'anon' }, 'hunter2'), (e: unknown) => e instanceof SyncAuthError && e.reason === 'bad-token');
    const token = `mlpat_${'cd'.repeat(24)}`;
    const who = await auth.useToken({ url, apiKey: 'anon' }, `${token}\n`);
    assert.deepEqual(who, { kind: 'token', label: 'API token', url });
    const credentials = await auth.getCredentials();
    assert.equal(credentials?.accessToken, token);
    assert.match(credentials?.principal ?? '', /^token:[0-9a-f]{16}$/);
    assert.ok(!(credentials?.principal ?? '').includes(token.slice(6, 20)), 'the principal is a fingerprint, not the token');
  });

  it('treats a damaged secret as signed out and a failed refresh as an error that says what to do', async () => {
    await secrets.store(SESSION_SECRET_KEY, '{not json');
    assert.equal(await new SyncAuth(secrets).getCredentials(), undefined);
    await secrets.store(SESSION_SECRET_KEY, JSON.stringify({ url, apiKey: 'anon', session: { accessToken: 'old', refreshToken: 'not-a-known-token', expiresAt: 1 } }));
    await assert.rejects(new SyncAuth(secrets).getCredentials(), (e: unknown) => e instanceof SyncAuthError && e.reason === 'refresh-failed' && /Mallard: Sign In/.test(e.message));
  });
});
