import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryServer } from '../../sync/memory/memoryServer';

/**
 * A local HTTP stand-in for a Supabase project, for tests of the real client code (supabase-js,
 * auth-js, the CLI): `POST /functions/v1/sync-push|sync-pull` answered by a `MemoryServer` with the
 * request's bearer token, and the GoTrue endpoints e-mail sign-in uses (`/auth/v1/otp`,
 * `/auth/v1/verify`, `/auth/v1/token?grant_type=refresh_token`), the PKCE code exchange
 * (`grant_type=pkce`: the verifier must hash to the challenge `authorizeCode` was given, as the
 * browser's `/authorize` round trip would bind it) and `/auth/v1/logout`. Codes are `123456`; every
 * session and refresh mints a new access token known to the memory server as the e-mail's user.
 */
export class SyncStandIn {
  readonly memory = new MemoryServer();
  /** Requests seen, as `METHOD path` with the bearer token. */
  readonly requests: { method: string; path: string; token?: string; apikey?: string; schemaHeader?: string }[] = [];
  /** E-mails a code was sent to. */
  readonly codesSent: string[] = [];
  /** Seconds until minted sessions expire. */
  expiresIn = 3600;
  private server: Server | undefined;
  private minted = 0;
  private readonly authCodes = new Map<string, { challenge: string; email: string }>();

  /** What the provider's consent page does: an auth code for `email`, bound to a PKCE `challenge`. */
  authorizeCode(challenge: string, email: string): string {
    const code = `code-${this.authCodes.size + 1}-${Date.now()}`;
    this.authCodes.set(code, { challenge, email });
    return code;
  }

  /** Starts listening on a free port of 127.0.0.1; returns the project URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      ...(token !== undefined ? { token } : {}),
      ...(typeof req.headers.apikey === 'string' ? { apikey: req.headers.apikey } : {}),
      ...(typeof req.headers['x-mallard-schema-version'] === 'string' ? { schemaHeader: req.headers['x-mallard-schema-version'] } : {}),
    });
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const fn = /^\/functions\/v1\/(sync-push|sync-pull)$/.exec(url.pathname)?.[1] as 'sync-push' | 'sync-pull' | undefined;
    if (fn !== undefined) {
      const answer = this.memory.handle(fn, body, token);
      return send(answer.status, answer.body);
    }
    const input = (body ?? {}) as { email?: string; token?: string; refresh_token?: string };
    if (url.pathname === '/auth/v1/otp') {
      this.codesSent.push(input.email ?? '');
      return send(200, {});
    }
    if (url.pathname === '/auth/v1/verify') {
      if (input.token !== '123456' || input.email === undefined) return send(403, { code: 'otp_expired', error_code: 'otp_expired', msg: 'Token has expired or is invalid' });
      return send(200, this.session(input.email));
    }
    if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'pkce') {
      const { auth_code: code, code_verifier: verifier } = (body ?? {}) as { auth_code?: string; code_verifier?: string };
      const granted = code === undefined ? undefined : this.authCodes.get(code);
      if (granted === undefined || verifier === undefined) return send(404, { code: 'flow_state_not_found', error_code: 'flow_state_not_found', msg: 'invalid flow state, no valid flow state found' });
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== granted.challenge) return send(400, { code: 'bad_code_verifier', error_code: 'bad_code_verifier', msg: 'code challenge does not match previously saved code verifier' });
      this.authCodes.delete(code ?? '');
      return send(200, this.session(granted.email));
    }
    if (url.pathname === '/auth/v1/logout') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'refresh_token') {
      const email = /^refresh-(.+)-\d+$/.exec(input.refresh_token ?? '')?.[1];
      if (email === undefined) return send(400, { code: 'refresh_token_not_found', error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token' });
      return send(200, this.session(email));
    }
    send(404, { code: 'not-found', message: `No route ${url.pathname}` });
  }

  /** A new session of `email`'s user (the user id is the e-mail, for the memory server). */
  private session(email: string): unknown {
    const n = ++this.minted;
    const accessToken = `jwt-${email}-${n}`;
    this.memory.addUser(accessToken, email);
    const now = Math.floor(Date.now() / 1000);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.expiresIn,
      expires_at: now + this.expiresIn,
      refresh_token: `refresh-${email}-${n}`,
      user: { id: '5e5e5e5e-0000-4000-8000-000000000001', aud: 'authenticated', role: 'authenticated', email, app_metadata: {}, user_metadata: {}, created_at: new Date(0).toISOString() },
    };
  }
}
