/*
 * The entry point of the test SMTP server's own process (started by smtp-server.ts): the mail catcher
 * with STARTTLS and AUTH required, whose refusals a test scripts through a JSON control file that is
 * read at every RCPT TO and end of DATA. Prints "listening <port>" once it accepts connections.
 */
import { readFileSync } from 'node:fs';
import { startMailCatcher, type ReplyStage, type ScriptedReply } from '../../platform/mail-catcher';

/** One scripted refusal; `times` bounds how often it is given (then the recipient is accepted). */
export interface ReplyRule extends ScriptedReply {
  id: string;
  stage: ReplyStage;
  recipient: string;
  times?: number;
}

/** Holds the next `times` mails to `recipient` for `holdMs` before answering (see MailCatcherOptions). */
export interface HoldRule {
  id: string;
  hold: true;
  recipient: string;
  holdMs: number;
  times: number;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`smtp-server-process needs ${name}`);
  return value;
};

const controlFile = env('SMTP_TEST_CONTROL_FILE');
const given = new Map<string, number>();

function readRules(): Array<ReplyRule | HoldRule> {
  try {
    return JSON.parse(readFileSync(controlFile, 'utf8')) as Array<ReplyRule | HoldRule>;
  } catch {
    return [];
  }
}

const unspent = (rule: { id: string; times?: number }) =>
  rule.times === undefined || (given.get(rule.id) ?? 0) < rule.times;
const spend = (rule: { id: string }) => given.set(rule.id, (given.get(rule.id) ?? 0) + 1);

function holdFor(recipients: string[]): number | undefined {
  const rule = readRules().find(
    (candidate): candidate is HoldRule =>
      'hold' in candidate &&
      recipients.some((to) => to.toLowerCase() === candidate.recipient.toLowerCase()) &&
      unspent(candidate),
  );
  if (!rule) return undefined;
  spend(rule);
  return rule.holdMs;
}

function replyFor(stage: ReplyStage, recipient: string): ScriptedReply | undefined {
  const rules = readRules().filter((candidate): candidate is ReplyRule => !('hold' in candidate));
  const rule = rules.find(
    (candidate) =>
      candidate.stage === stage &&
      candidate.recipient.toLowerCase() === recipient.toLowerCase() &&
      unspent(candidate),
  );
  if (!rule) return undefined;
  spend(rule);
  return { code: rule.code, message: rule.message };
}

void startMailCatcher({
  folder: env('SMTP_TEST_FOLDER'),
  host: '127.0.0.1',
  port: Number(env('SMTP_TEST_PORT')),
  tls: {
    key: readFileSync(env('SMTP_TEST_KEY_FILE'), 'utf8'),
    cert: readFileSync(env('SMTP_TEST_CERT_FILE'), 'utf8'),
  },
  login: { user: env('SMTP_TEST_USER'), password: env('SMTP_TEST_PASSWORD') },
  replyFor,
  holdFor,
  onHold: (recipients) => process.stdout.write(`holding ${recipients.join(',')}\n`),
}).then(
  (catcher) => process.stdout.write(`listening ${catcher.port}\n`),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
