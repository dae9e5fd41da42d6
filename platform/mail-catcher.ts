/*
 * A small SMTP server that keeps every mail it accepts as a raw .eml file (with a .json beside it: the
 * envelope, whether TLS was on, who logged in). The `npm start` sandbox runs it in-process; the tests run
 * it in a process of their own (test/helpers/smtp-server.ts) with STARTTLS, AUTH and scripted refusals.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** A reply the catcher gives instead of accepting: `{ code: 451, message: '4.7.1 Greylisted' }`. */
export interface ScriptedReply {
  code: number;
  message: string;
}

/** Where a refusal applies: to one recipient (RCPT TO) or after the message was sent (end of DATA). */
export type ReplyStage = 'rcpt' | 'data';

export interface MailCatcherOptions {
  folder: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** STARTTLS with this key and certificate; absent, the catcher offers no TLS. */
  tls?: { key: string; cert: string };
  /** AUTH PLAIN/LOGIN required with these credentials; absent, no login is asked. */
  login?: { user: string; password: string };
  /** A refusal for this stage and recipient, or undefined to accept. */
  replyFor?(stage: ReplyStage, recipient: string): ScriptedReply | undefined;
  /**
   * How long to hold a received mail before keeping it and answering 250 (tests of a client that dies
   * mid-send). A mail whose client is gone when the hold ends is dropped, as an MTA drops a transaction
   * it never acknowledged. `onHold` is told when a hold begins.
   */
  holdFor?(recipients: string[]): number | undefined;
  onHold?(recipients: string[]): void;
}

export interface StoredEnvelope {
  mailFrom: string;
  rcptTo: string[];
  /** STARTTLS (or implicit TLS) was on when the mail was sent. */
  secure: boolean;
  user?: string;
  receivedAt: string;
}

export interface MailCatcher {
  host: string;
  port: number;
  folder: string;
  stop(): Promise<void>;
}

export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  await mkdir(options.folder, { recursive: true, mode: 0o700 });
  let sequence = 0;
  const closedSessions = new Set<string>();
  const refusal = (reply: ScriptedReply) =>
    Object.assign(new Error(reply.message), { responseCode: reply.code });

  const server = new SMTPServer({
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !options.login,
    // Scripted replies carry their own enhanced status code (5.1.1 ...): the server adds none.
    hideENHANCEDSTATUSCODES: true,
    // Our own logs stay quiet; the server's default logger would print every command.
    logger: false,
    banner: 'Relais mail catcher',
    onAuth(auth, _session, callback) {
      const login = options.login;
      if (login && auth.username === login.user && sameText(auth.password ?? '', login.password)) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      const reply = options.replyFor?.('rcpt', address.address);
      callback(reply ? refusal(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const reply = recipients.map((to) => options.replyFor?.('data', to)).find(Boolean);
        if (reply) return callback(refusal(reply));
        const holdMs = options.holdFor?.(recipients) ?? 0;
        if (holdMs > 0) options.onHold?.(recipients);
        setTimeout(() => {
          if (closedSessions.has(session.id)) return callback(new Error('the client is gone'));
          const name = `${Date.now()}-${String(++sequence).padStart(4, '0')}`;
          store(options.folder, name, Buffer.concat(chunks), envelopeOf(session)).then(
            () => callback(null, `2.0.0 Ok: queued as ${name}`),
            (error: Error) =>
              callback(refusal({ code: 451, message: `4.3.0 Could not store: ${error.message}` })),
          );
        }, holdMs);
      });
    },
    onClose(session) {
      closedSessions.add(session.id);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    host: options.host,
    port,
    folder: options.folder,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(session: SMTPServerSession): StoredEnvelope {
  const mailFrom = session.envelope.mailFrom;
  return {
    mailFrom: mailFrom ? mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    secure: session.secure,
    ...(typeof session.user === 'string' ? { user: session.user } : {}),
    receivedAt: new Date().toISOString(),
  };
}

/** The .json first, then the .eml by rename: a reader that sees the .eml sees the whole mail. */
async function store(folder: string, name: string, raw: Buffer, envelope: StoredEnvelope): Promise<void> {
  await writeFile(path.join(folder, `${name}.json`), `${JSON.stringify(envelope, null, 2)}\n`);
  const part = path.join(folder, `${name}.eml.part`);
  await writeFile(part, raw);
  await rename(part, path.join(folder, `${name}.eml`));
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
