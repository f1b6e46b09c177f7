/**
 * A minimal SMTP client (RFC 5321) over `Deno.connect` / `Deno.startTls` / `Deno.connectTls`, so
 * the edge functions can send mail without an npm mail library: EHLO, STARTTLS when the server
 * offers it, AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO, DATA (dot-stuffed), QUIT. One message per
 * connection; every reply is read with a deadline so a silent server cannot hold the request.
 *
 * `MALLARD_SMTP_URL` names the server: `smtp://[user:pass@]host[:port]` (default port 587;
 * STARTTLS is used when offered and required before credentials are sent) or
 * `smtps://[user:pass@]host[:port]` (TLS from the start, default port 465).
 */

/** Why sending failed, for the admin (never carries the message text). */
export type SmtpFailure = 'smtp-config' | 'smtp-connect' | 'smtp-timeout' | 'smtp-insecure' | 'smtp-auth' | 'smtp-rejected';

/** A failed delivery with the stage's reason and the server's reply (or the network error). */
export class SmtpError extends Error {
  constructor(readonly reason: SmtpFailure, message: string) {
    super(message);
    this.name = 'SmtpError';
  }
}

/** Where and how to connect, from `MALLARD_SMTP_URL`. */
export interface SmtpServer {
  host: string;
  port: number;
  /** TLS from the first byte (`smtps:`). */
  implicitTls: boolean;
  user: string | undefined;
  password: string | undefined;
}

/** One message: envelope addresses and the complete RFC 5322 text (CRLF line ends). */
export interface SmtpMessage {
  from: string;
  to: string;
  data: string;
}

/** Parses `MALLARD_SMTP_URL`; throws `SmtpError('smtp-config')` on anything else. */
export function parseSmtpUrl(text: string): SmtpServer {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SmtpError('smtp-config', 'MALLARD_SMTP_URL is not a URL (expected smtp://user:pass@host:587 or smtps://host:465).');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new SmtpError('smtp-config', `MALLARD_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//.`);
  }
  const implicitTls = url.protocol === 'smtps:';
  const port = url.port === '' ? (implicitTls ? 465 : 587) : Number(url.port);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    implicitTls,
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
  };
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads CRLF lines and multi-line replies (`250-…` … `250 …`) from a connection. */
class ReplyReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  constructor(private readonly conn: Deno.Conn, private readonly timeoutMs: number) {}

  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line.slice(4));
      if (line.length < 4 || line[3] !== '-') return { code: Number(line.slice(0, 3)), lines };
    }
  }

  private async line(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return line;
      }
      const chunk = new Uint8Array(4096);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SmtpError('smtp-timeout', `The mail server did not answer within ${this.timeoutMs / 1000} s.`)), this.timeoutMs);
      });
      try {
        const n = await Promise.race([this.conn.read(chunk), timeout]);
        if (n === null) throw new SmtpError('smtp-connect', 'The mail server closed the connection.');
        this.buffer += this.decoder.decode(chunk.subarray(0, n), { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/** Escapes lines that start with a dot and ends the text with CRLF . CRLF (RFC 5321 §4.5.2). */
function dotStuffed(data: string): string {
  const body = data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return `${body.endsWith('\r\n') ? body : `${body}\r\n`}.\r\n`;
}

function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** Sends `message` through `server`; resolves when the server accepted it (250 after DATA). */
export async function sendMail(server: SmtpServer, message: SmtpMessage, options: { timeoutMs?: number; heloName?: string } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let conn: Deno.Conn;
  try {
    conn = server.implicitTls
      ? await Deno.connectTls({ hostname: server.host, port: server.port })
      : await Deno.connect({ hostname: server.host, port: server.port });
  } catch (err) {
    throw new SmtpError('smtp-connect', `Cannot reach the mail server ${server.host}:${server.port} (${err instanceof Error ? err.message : String(err)}).`);
  }
  const encoder = new TextEncoder();
  let reader = new ReplyReader(conn, timeoutMs);
  const write = async (text: string): Promise<void> => {
    const bytes = encoder.encode(text);
    for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
  };
  /** Sends a command and requires one of `ok`; `what` names the stage in the error. */
  const command = async (line: string | null, ok: number[], reason: SmtpFailure, what: string): Promise<Reply> => {
    if (line !== null) await write(`${line}\r\n`);
    const reply = await reader.reply();
    if (!ok.includes(reply.code)) throw new SmtpError(reason, `The mail server refused ${what}: ${reply.code} ${reply.lines.join(' ').slice(0, 300)}`);
    return reply;
  };
  try {
    const helo = options.heloName ?? 'mallard.invalid';
    await command(null, [220], 'smtp-connect', 'the connection');
    let ehlo = await command(`EHLO ${helo}`, [250], 'smtp-rejected', 'EHLO');
    let secure = server.implicitTls;
    const offers = (word: string): boolean => ehlo.lines.some((l) => l.toUpperCase().split(' ')[0] === word);
    if (!secure && offers('STARTTLS')) {
      await command('STARTTLS', [220], 'smtp-insecure', 'STARTTLS');
      conn = await Deno.startTls(conn as Deno.TcpConn, { hostname: server.host });
      reader = new ReplyReader(conn, timeoutMs);
      secure = true;
      ehlo = await command(`EHLO ${helo}`, [250], 'smtp-rejected', 'EHLO');
    }
    if (server.user !== undefined) {
      // Credentials never travel in the clear.
      if (!secure) throw new SmtpError('smtp-insecure', `The mail server ${server.host} offers no STARTTLS; refusing to send the SMTP password unencrypted (use smtps://).`);
      const auth = ehlo.lines.find((l) => l.toUpperCase().startsWith('AUTH'))?.toUpperCase().split(/[ =]/) ?? [];
      if (auth.includes('PLAIN')) {
        await command(`AUTH PLAIN ${b64(`\0${server.user}\0${server.password ?? ''}`)}`, [235], 'smtp-auth', 'the login');
      } else {
        await command('AUTH LOGIN', [334], 'smtp-auth', 'the login');
        await command(b64(server.user), [334], 'smtp-auth', 'the login');
        await command(b64(server.password ?? ''), [235], 'smtp-auth', 'the login');
      }
    }
    await command(`MAIL FROM:<${message.from}>`, [250], 'smtp-rejected', 'the sender');
    await command(`RCPT TO:<${message.to}>`, [250, 251], 'smtp-rejected', 'the recipient');
    await command('DATA', [354], 'smtp-rejected', 'the message');
    await command(dotStuffed(message.data).replace(/\r\n$/, ''), [250], 'smtp-rejected', 'the message');
    await write('QUIT\r\n').catch(() => undefined);
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw new SmtpError('smtp-connect', `The connection to the mail server failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed by the server.
    }
  }
}
