import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * SMTP stand-in for tests: a small Node `net` server speaking real SMTP (RFC 5321: greeting, EHLO
 * or HELO, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) that keeps every accepted
 * message. It offers neither STARTTLS nor AUTH, like a local relay. `refuseRecipients` makes it
 * answer RCPT with 550, as a server refusing an address does.
 */

/** One message the stand-in accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message text as sent (headers and body, CRLF line ends, dots unstuffed). */
  data: string;
}

export interface SmtpStandIn {
  /** `MALLARD_SMTP_URL` pointing at the stand-in. */
  url: string;
  /** Messages accepted so far, oldest first. */
  received: ReceivedMail[];
  /** Every command line the stand-in read (outside DATA), for assertions on the dialogue. */
  commands: string[];
  /** When true, RCPT TO is answered 550. */
  refuseRecipients: boolean;
  stop(): Promise<void>;
}

function session(socket: Socket, standIn: SmtpStandIn): void {
  let buffer = '';
  let from: string | undefined;
  let to: string[] = [];
  let data: string[] | undefined;
  const say = (line: string): void => {
    socket.write(`${line}\r\n`);
  };
  const handle = (line: string): void => {
    if (data !== undefined) {
      if (line === '.') {
        standIn.received.push({ from: from ?? '', to, data: `${data.join('\r\n')}\r\n` });
        data = undefined;
        from = undefined;
        to = [];
        say('250 2.0.0 Ok: queued');
      } else {
        data.push(line.startsWith('..') ? line.slice(1) : line);
      }
      return;
    }
    standIn.commands.push(line);
    const verb = line.slice(0, 4).toUpperCase();
    const arg = /<([^>]*)>/.exec(line)?.[1];
    if (verb === 'EHLO') {
      say('250-stand-in.smtp.test');
      say('250-8BITMIME');
      say('250 SIZE 10240000');
    } else if (verb === 'HELO') say('250 stand-in.smtp.test');
    else if (verb === 'MAIL' && arg !== undefined) {
      from = arg;
      say('250 2.1.0 Ok');
    } else if (verb === 'RCPT' && arg !== undefined) {
      if (from === undefined) say('503 5.5.1 Error: need MAIL command');
      else if (standIn.refuseRecipients) say(`550 5.1.1 <${arg}>: Recipient address rejected: User unknown`);
      else {
        to.push(arg);
        say('250 2.1.5 Ok');
      }
    } else if (verb === 'DATA') {
      if (to.length === 0) say('554 5.5.1 Error: no valid recipients');
      else {
        data = [];
        say('354 End data with <CR><LF>.<CR><LF>');
      }
    } else if (verb === 'RSET') {
      from = undefined;
      to = [];
      say('250 2.0.0 Ok');
    } else if (verb === 'NOOP') say('250 2.0.0 Ok');
    else if (verb === 'QUIT') {
      say('221 2.0.0 Bye');
      socket.end();
    } else say('502 5.5.2 Error: command not recognized');
  };
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      handle(line);
    }
  });
  socket.on('error', () => undefined);
  say('220 stand-in.smtp.test ESMTP stand-in');
}

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const sockets = new Set<Socket>();
  const standIn: SmtpStandIn = {
    url: '',
    received: [],
    commands: [],
    refuseRecipients: false,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    session(socket, standIn);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}

/** The decoded text body of a received single-part message (base64, quoted-printable or plain). */
export function mailBody(mail: ReceivedMail): { headers: Map<string, string>; body: string } {
  const split = mail.data.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of mail.data.slice(0, split).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const raw = mail.data.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const body = encoding === 'base64' ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8') : raw;
  return { headers, body };
}
