import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Supabase project URL for tests that need a real user session (not an API token) against the
 * real functions server: GoTrue's e-mail sign-in endpoints are answered here (`/auth/v1/otp`,
 * `/auth/v1/verify` with the code `123456`, `/auth/v1/token?grant_type=refresh_token`,
 * `/auth/v1/logout`), with access tokens minted by `mint` (the test's ES256 keys, which the
 * functions trust), and every other request is relayed unchanged to the functions server. This is
 * what lets the extension's own "Sign in with an e-mail code" flow run in an end-to-end test.
 */
export class AuthStandIn {
  /** E-mails a code was asked for. */
  readonly codesSent: string[] = [];
  private server: Server | undefined;
  private minted = 0;

  constructor(
    private readonly target: URL,
    /** The user id of an e-mail, or undefined for an unknown address (the code is then refused). */
    private readonly userOf: (email: string) => string | undefined,
    private readonly mint: (userId: string, email: string) => Promise<string>,
  ) {}

  /** Starts on a free port of 127.0.0.1; returns the project URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/auth/v1/')) return this.relay(req, res);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const input = (text === '' ? {} : JSON.parse(text)) as { email?: string; token?: string; refresh_token?: string };
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/auth/v1/otp') {
      this.codesSent.push(input.email ?? '');
      return send(200, {});
    }
    if (url.pathname === '/auth/v1/verify') {
      const userId = input.email === undefined ? undefined : this.userOf(input.email);
      if (input.token !== '123456' || userId === undefined || input.email === undefined) return send(403, { code: 'otp_expired', error_code: 'otp_expired', msg: 'Token has expired or is invalid' });
      return send(200, await this.session(userId, input.email));
    }
    if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'refresh_token') {
      const email = /^refresh-(.+)-\d+$/.exec(input.refresh_token ?? '')?.[1];
      const userId = email === undefined ? undefined : this.userOf(email);
      if (userId === undefined || email === undefined) return send(400, { code: 'refresh_token_not_found', error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token' });
      return send(200, await this.session(userId, email));
    }
    if (url.pathname === '/auth/v1/logout') {
      res.writeHead(204);
      res.end();
      return;
    }
    send(404, { code: 'not-found', message: `No route ${url.pathname}` });
  }

  /** Passes a request through to the functions server as it is. */
  private relay(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }

  private async session(userId: string, email: string): Promise<unknown> {
    const n = ++this.minted;
    const now = Math.floor(Date.now() / 1000);
    return {
      access_token: await this.mint(userId, email),
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: now + 3600,
      refresh_token: `refresh-${email}-${n}`,
      user: { id: userId, aud: 'authenticated', role: 'authenticated', email, app_metadata: {}, user_metadata: {}, created_at: new Date(0).toISOString() },
    };
  }
}
