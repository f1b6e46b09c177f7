import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';

/**
 * Signing keys for tests: an ES256 key pair published as a JWKS (what a project with the new JWT
 * signing keys uses) and a legacy HS256 secret. Tokens carry the claims Supabase Auth puts in an
 * access token (sub, role, aud, email, iss, exp).
 */

/** A test project's signing keys. */
export interface TestKeys {
  jwks: { keys: JWK[] };
  legacySecret: string;
  /** A user's access token (ES256); `expiresIn` in seconds (negative: already expired). */
  userToken(userId: string, options?: { email?: string; expiresIn?: number; alg?: 'ES256' | 'HS256' }): Promise<string>;
  /** A service-role token (ES256 by default). */
  serviceToken(options?: { alg?: 'ES256' | 'HS256' }): Promise<string>;
  /** An anon key (ES256). */
  anonKey(): Promise<string>;
  /** A token signed by a key the project does not know. */
  foreignToken(userId: string): Promise<string>;
}

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

async function sign(claims: Record<string, unknown>, key: Key | Uint8Array, alg: 'ES256' | 'HS256', kid: string | undefined, expiresIn: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = kid === undefined ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid };
  return await new SignJWT(claims).setProtectedHeader(header).setIssuedAt(now - 5).setExpirationTime(now + expiresIn).sign(key);
}

/** Makes fresh keys. */
export async function makeTestKeys(issuer = 'http://127.0.0.1/auth/v1'): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  const kid = 'mallard-test-es256';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const legacySecret = `legacy-secret-${crypto.randomUUID()}`;
  const hs = new TextEncoder().encode(legacySecret);
  const user = (userId: string, email?: string) => ({ sub: userId, role: 'authenticated', aud: 'authenticated', iss: issuer, ...(email ? { email } : {}) });
  return {
    jwks: { keys: [jwk] },
    legacySecret,
    userToken: (userId, options = {}) =>
      options.alg === 'HS256'
        ? sign(user(userId, options.email), hs, 'HS256', undefined, options.expiresIn ?? 3600)
        : sign(user(userId, options.email), privateKey, 'ES256', kid, options.expiresIn ?? 3600),
    serviceToken: (options = {}) =>
      options.alg === 'HS256'
        ? sign({ role: 'service_role', iss: issuer }, hs, 'HS256', undefined, 3600)
        : sign({ role: 'service_role', iss: issuer }, privateKey, 'ES256', kid, 3600),
    anonKey: () => sign({ role: 'anon', iss: issuer }, privateKey, 'ES256', kid, 3600 * 24),
    foreignToken: (userId) => sign(user(userId), other.privateKey, 'ES256', kid, 3600),
  };
}
