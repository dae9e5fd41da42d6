/*
 * A real SMTP server on loopback, in a process of its own, for the e-mail transport's tests: STARTTLS
 * with a self-signed certificate made for this run (openssl; nothing committed), AUTH PLAIN/LOGIN
 * required, every accepted mail kept as .eml. `refuse()` scripts 4xx/5xx replies per recipient.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { projectRoot } from '../../platform/config';
import { freePort } from '../../platform/free-port';
import type { StoredEnvelope } from '../../platform/mail-catcher';
import type { HoldRule, ReplyRule } from './smtp-server-process';

const START_TIMEOUT_MS = 30_000;

export interface ReceivedMail {
  file: string;
  envelope: StoredEnvelope;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** The self-signed certificate (PEM file): what RELAIS_SMTP_TLS_CA must name. */
  caFile: string;
  /** The environment a connector reads to send through this server (STARTTLS required, AUTH). */
  env: Record<string, string>;
  /** Every mail accepted so far, oldest first, parsed with mailparser. */
  received(): Promise<ReceivedMail[]>;
  /** From now on, refuse `recipient` at `stage` with `code message` (`times` times, or always). */
  refuse(rule: Omit<ReplyRule, 'id'>): Promise<void>;
  /** Holds the next `times` mails to `recipient` for `holdMs` before keeping and answering them. */
  hold(rule: Omit<HoldRule, 'id' | 'hold'>): Promise<void>;
  /** How many mails the server has begun to hold so far. */
  held(): number;
  /** Drops every scripted refusal and hold. */
  acceptAll(): Promise<void>;
  /** What the server process wrote to stderr, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startTestSmtpServer(
  options: { from?: string; maxBytes?: number } = {},
): Promise<TestSmtpServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relais-smtp-'));
  const folder = path.join(dir, 'mail');
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  const controlFile = path.join(dir, 'replies.json');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    caFile,
  ]);
  await writeFile(controlFile, '[]');
  const user = 'relais-test';
  // Characters a URL must escape, so the transport's decoding of RELAIS_SMTP_URL is exercised too.
  const password = `p@ss:${randomBytes(9).toString('base64url')}/#`;
  const port = await freePort();

  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/smtp-server-process.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      SMTP_TEST_FOLDER: folder,
      SMTP_TEST_PORT: String(port),
      SMTP_TEST_KEY_FILE: keyFile,
      SMTP_TEST_CERT_FILE: caFile,
      SMTP_TEST_USER: user,
      SMTP_TEST_PASSWORD: password,
      SMTP_TEST_CONTROL_FILE: controlFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  let held = 0;
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(() => running.delete(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The test SMTP server did not start: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      held += chunk.toString().match(/^holding /gm)?.length ?? 0;
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The test SMTP server exited (${code}): ${stderr}`));
    });
  });

  let rules: Array<ReplyRule | HoldRule> = [];
  let ruleCount = 0;
  const writeRules = () => writeFile(controlFile, JSON.stringify(rules));
  const url = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    caFile,
    env: {
      RELAIS_SMTP_URL: url,
      RELAIS_SMTP_TLS_CA: caFile,
      RELAIS_MAIL_FROM: options.from ?? 'invoices@relais.example',
      ...(options.maxBytes ? { RELAIS_MAIL_MAX_BYTES: String(options.maxBytes) } : {}),
      RELAIS_SMTP_TIMEOUT_MS: '10000',
    },
    async received() {
      const names = (await readdir(folder).catch(() => [] as string[]))
        .filter((name) => name.endsWith('.eml'))
        .sort();
      return Promise.all(
        names.map(async (name) => {
          const raw = await readFile(path.join(folder, name));
          const envelope = JSON.parse(
            await readFile(path.join(folder, name.replace(/\.eml$/, '.json')), 'utf8'),
          ) as StoredEnvelope;
          return { file: name, envelope, raw, parsed: await simpleParser(raw) };
        }),
      );
    },
    async refuse(rule) {
      rules = [...rules, { ...rule, id: `rule-${++ruleCount}` }];
      await writeRules();
    },
    async hold(rule) {
      rules = [...rules, { ...rule, hold: true, id: `rule-${++ruleCount}` }];
      await writeRules();
    },
    held: () => held,
    async acceptAll() {
      rules = [];
      await writeRules();
    },
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
