/*
 * The e-mail transport (connectors/shared/email) against a real SMTP server process on loopback
 * (test/helpers/smtp-server.ts: STARTTLS, AUTH, scripted refusals), read back with mailparser.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import {
  mailTransportConfig,
  messageIdFor,
  sendDocumentMail,
  type DocumentMail,
  type MailTransportConfig,
} from '../../connectors/shared/email';
import { freePort } from '../../platform/free-port';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server';

const schema = z.object(mailTransportConfig);
let server: TestSmtpServer;
let config: MailTransportConfig;

before(async () => {
  server = await startTestSmtpServer({ maxBytes: 64 * 1024 });
  config = schema.parse(server.env);
});
after(async () => {
  await server?.stop();
});
beforeEach(async () => {
  await server.acceptAll();
});

const xml = Buffer.from('<?xml version="1.0"?><Invoice><ID>INV-7</ID></Invoice>\n');
const pdf = Buffer.from('%PDF-1.7\n% a small but real-looking PDF body\n%%EOF\n');
const mail = (overrides: Partial<DocumentMail> = {}): DocumentMail => ({
  deliveryId: 'b1946ac9-2b4f-4a8e-9f1c-6d0b8a7e5c31',
  to: 'dossier42@docin.octopus.be',
  subject: 'Invoice INV-7 from Acme',
  text: 'Invoice INV-7 from Acme, attached as e-FFF XML and PDF.',
  attachments: [
    { filename: 'INV-7.xml', content: xml, contentType: 'application/xml' },
    { filename: 'INV-7.pdf', content: pdf, contentType: 'application/pdf' },
  ],
  ...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `expected a ConnectorError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

function assertKind(error: ConnectorError, kind: ConnectorErrorKind, pattern: RegExp) {
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes(server.password), 'the relay password is in the message');
}

describe('a delivered mail', () => {
  test('arrives once over STARTTLS and AUTH, To only, with both attachments and a deterministic Message-ID', async () => {
    const before = (await server.received()).length;
    const sent = await sendDocumentMail(config, mail());
    assert.match(sent.response, /^250 2\.0\.0 Ok: queued as \S+/);
    assert.equal(sent.messageId, '<relais.b1946ac9-2b4f-4a8e-9f1c-6d0b8a7e5c31@relais.example>');

    const received = await server.received();
    assert.equal(received.length, before + 1);
    const { envelope, parsed } = received.at(-1)!;
    assert.equal(envelope.secure, true, 'STARTTLS was not used');
    assert.equal(envelope.user, server.user, 'the relay login was not used');
    assert.equal(envelope.mailFrom, 'invoices@relais.example');
    assert.deepEqual(envelope.rcptTo, ['dossier42@docin.octopus.be']);
    assert.equal(parsed.messageId, sent.messageId);
    assert.equal(parsed.subject, 'Invoice INV-7 from Acme');
    assert.equal(parsed.from?.text, 'invoices@relais.example');
    assert.equal(Array.isArray(parsed.to) ? undefined : parsed.to?.text, 'dossier42@docin.octopus.be');
    assert.equal(parsed.bcc, undefined);
    assert.equal(parsed.headers.get('bcc'), undefined);
    assert.match(parsed.text ?? '', /Invoice INV-7 from Acme/);
    assert.deepEqual(
      parsed.attachments.map((a) => [
        a.filename,
        a.contentType,
        a.content.equals(a.filename === 'INV-7.xml' ? xml : pdf),
      ]),
      [
        ['INV-7.xml', 'application/xml', true],
        ['INV-7.pdf', 'application/pdf', true],
      ],
    );
    // What the queue id says is what the server stored the mail as.
    assert.ok(sent.response.includes(received.at(-1)!.file.replace(/\.eml$/, '')));
  });

  test('a CC goes in Cc and in the envelope, never as a blind copy', async () => {
    await sendDocumentMail(config, mail({ deliveryId: 'with-cc', cc: 'archive@example.be' }));
    const { envelope, parsed } = (await server.received()).at(-1)!;
    assert.deepEqual(envelope.rcptTo, ['dossier42@docin.octopus.be', 'archive@example.be']);
    assert.equal(Array.isArray(parsed.cc) ? undefined : parsed.cc?.text, 'archive@example.be');
  });

  test('with the three DKIM variables the mail is signed for the domain and selector', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signing = schema.parse({
      ...server.env,
      RELAIS_DKIM_DOMAIN: 'relais.example',
      RELAIS_DKIM_SELECTOR: 'mail2026',
      // One-line form, as in an environment file.
      RELAIS_DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    });
    await sendDocumentMail(signing, mail({ deliveryId: 'signed' }));
    const signed = (await server.received()).at(-1)!.parsed;
    assert.equal(signed.messageId, '<relais.signed@relais.example>');
    // mailparser reads the header into its parameters; the signature itself is nodemailer's (not verified here).
    const signature = signed.headers.get('dkim-signature') as { params: Record<string, string> };
    assert.equal(signature.params.d, 'relais.example');
    assert.equal(signature.params.s, 'mail2026');
    assert.match(signature.params.h ?? '', /message-id/);
    const incomplete = schema.parse({ ...server.env, RELAIS_DKIM_DOMAIN: 'relais.example' });
    assertKind(
      await failureOf(sendDocumentMail(incomplete, mail())),
      'misconfigured',
      /RELAIS_DKIM_SELECTOR/,
    );
  });

  test('a CC accepted but the To mailbox refused is reported as the refusal, naming the To address', async () => {
    await server.refuse({
      stage: 'rcpt',
      recipient: 'dossier42@docin.octopus.be',
      code: 550,
      message: '5.1.1 User unknown',
    });
    const error = await failureOf(
      sendDocumentMail(config, mail({ deliveryId: 'half', cc: 'archive@example.be' })),
    );
    assertKind(
      error,
      'misconfigured',
      /refused the address dossier42@docin\.octopus\.be: 550 5\.1\.1 User unknown/,
    );
  });

  test('the Message-ID is the same for every attempt of a delivery and differs between deliveries', () => {
    assert.equal(messageIdFor('d-1', 'a@x.be'), messageIdFor('d-1', 'a@x.be'));
    assert.notEqual(messageIdFor('d-1', 'a@x.be'), messageIdFor('d-2', 'a@x.be'));
    assert.match(messageIdFor('odd id <with> spaces', 'a@x.be'), /^<relais\.[0-9a-f]{40}@x\.be>$/);
  });
});

describe("the relay's replies", () => {
  const to = 'dossier42@docin.octopus.be';
  const cases: Array<[string, Parameters<TestSmtpServer['refuse']>[0], ConnectorErrorKind, RegExp]> = [
    [
      'greylisting',
      { stage: 'rcpt', recipient: to, code: 451, message: '4.7.1 Greylisted, try again later' },
      'unavailable',
      /try again later.*Greylisted/i,
    ],
    [
      'a greylisting 450',
      { stage: 'rcpt', recipient: to, code: 450, message: '4.2.0 Mailbox unavailable' },
      'unavailable',
      /450 4\.2\.0/,
    ],
    [
      'a busy mailbox',
      { stage: 'rcpt', recipient: to, code: 452, message: '4.2.2 Mailbox busy' },
      'unavailable',
      /Mailbox busy/,
    ],
    [
      'an unknown mailbox',
      {
        stage: 'rcpt',
        recipient: to,
        code: 550,
        message: '5.1.1 <dossier42@docin.octopus.be>: Recipient address rejected: User unknown',
      },
      'misconfigured',
      /refused the address dossier42@docin\.octopus\.be: 550 5\.1\.1/,
    ],
    [
      'a too large mail',
      { stage: 'data', recipient: to, code: 552, message: '5.3.4 Message size exceeds fixed limit' },
      'rejected',
      /too large \(0\.0 MB with its attachments\).*552 5\.3\.4/,
    ],
    [
      'a policy refusal',
      { stage: 'data', recipient: to, code: 554, message: '5.7.1 Message rejected as spam' },
      'rejected',
      /refused the mail to dossier42@docin\.octopus\.be: 554 5\.7\.1 Message rejected as spam/,
    ],
  ];
  for (const [name, rule, kind, pattern] of cases) {
    test(`${name} (${rule.code}) is ${kind}, and nothing is stored`, async () => {
      const count = (await server.received()).length;
      await server.refuse(rule);
      assertKind(await failureOf(sendDocumentMail(config, mail())), kind, pattern);
      assert.equal((await server.received()).length, count);
    });
  }

  test('a refusal given a limited number of times gives way to delivery on a later attempt', async () => {
    const count = (await server.received()).length;
    await server.refuse({
      stage: 'rcpt',
      recipient: 'dossier42@docin.octopus.be',
      code: 451,
      message: '4.7.1 Greylisted',
      times: 1,
    });
    assertKind(await failureOf(sendDocumentMail(config, mail())), 'unavailable', /Greylisted/);
    await sendDocumentMail(config, mail());
    assert.equal((await server.received()).length, count + 1);
  });
});

describe('failures before or around the exchange', () => {
  test('attachments over RELAIS_MAIL_MAX_BYTES are rejected before any connection', async () => {
    // A closed port: reaching it would be "unavailable", so "rejected" proves no connection was tried.
    const closed = schema.parse({ ...server.env, RELAIS_SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    const big = Buffer.alloc(65 * 1024, 0x41);
    const error = await failureOf(
      sendDocumentMail(
        closed,
        mail({ attachments: [{ filename: 'big.xml', content: big, contentType: 'application/xml' }] }),
      ),
    );
    assertKind(error, 'rejected', /attachments \(0\.1 MB\) are over the 0\.1 MB a mail may carry/);
  });

  test('a relay that does not answer the end of DATA in time is unavailable, and keeps no mail', async () => {
    const count = (await server.received()).length;
    const impatient = schema.parse({ ...server.env, RELAIS_SMTP_TIMEOUT_MS: '1000' });
    await server.hold({ recipient: 'dossier42@docin.octopus.be', holdMs: 2_500, times: 1 });
    const error = await failureOf(sendDocumentMail(impatient, mail({ deliveryId: 'held' })));
    assertKind(error, 'unavailable', /could not reach its mail server|try again/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal((await server.received()).length, count, 'a mail never acknowledged is not kept');
  });

  test('a refused connection is unavailable', async () => {
    const closed = schema.parse({ ...server.env, RELAIS_SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    assertKind(
      await failureOf(sendDocumentMail(closed, mail())),
      'unavailable',
      /could not reach its mail server/,
    );
  });

  test('a certificate Relais does not trust is a TLS failure, retried, and the password is never sent', async () => {
    const count = (await server.received()).length;
    const untrusted = schema.parse({ ...server.env, RELAIS_SMTP_TLS_CA: '' });
    assertKind(
      await failureOf(sendDocumentMail(untrusted, mail())),
      'unavailable',
      /could not reach its mail server.*certificate/i,
    );
    assert.equal((await server.received()).length, count);
  });

  test('a wrong relay password is retried, and neither password is in the message', async () => {
    const wrong = 'Wr0ng-pa55word-visible?';
    const url = new URL(server.env.RELAIS_SMTP_URL!);
    url.password = encodeURIComponent(wrong);
    const badLogin = schema.parse({ ...server.env, RELAIS_SMTP_URL: url.toString() });
    const error = await failureOf(sendDocumentMail(badLogin, mail()));
    assertKind(
      error,
      'unavailable',
      /refused Relais' login \(535 5\.7\.8 Authentication credentials invalid\).*RELAIS_SMTP_PASSWORD/,
    );
    assert.ok(!error.message.includes(wrong));
    assert.equal(error.cause, undefined, 'nodemailer errors carry the AUTH command: never kept as cause');
  });

  test('the password comes from RELAIS_SMTP_PASSWORD too, and the parsed configuration never shows it', async () => {
    const url = new URL(server.env.RELAIS_SMTP_URL!);
    url.username = '';
    url.password = '';
    const separate = schema.parse({
      ...server.env,
      RELAIS_SMTP_URL: url.toString(),
      RELAIS_SMTP_USER: server.user,
      RELAIS_SMTP_PASSWORD: server.password,
    });
    await sendDocumentMail(separate, mail({ deliveryId: 'separate-credentials' }));
    // Positive control: the parsed URL holds the password (read deliberately), but does not show it.
    assert.equal(config.RELAIS_SMTP_URL?.password, server.password);
    assert.ok(!JSON.stringify(config).includes(server.password));
    assert.ok(!inspect(config, { depth: 5 }).includes(server.password));
  });

  test('an unset relay or sender is misconfigured, naming the variable; a bad URL never quotes itself', async () => {
    const unset = schema.parse({});
    assertKind(await failureOf(sendDocumentMail(unset, mail())), 'misconfigured', /RELAIS_SMTP_URL/);
    const noSender = schema.parse({ RELAIS_SMTP_URL: server.env.RELAIS_SMTP_URL });
    assertKind(await failureOf(sendDocumentMail(noSender, mail())), 'misconfigured', /RELAIS_MAIL_FROM/);
    for (const given of [
      `http://u:${encodeURIComponent(server.password)}@host`,
      `smtp://u:${server.password}@host`,
    ]) {
      const bad = schema.safeParse({ RELAIS_SMTP_URL: given });
      assert.equal(bad.success, false, given);
      const issues = JSON.stringify(bad.error?.issues);
      assert.ok(!issues.includes(server.password) && !issues.includes(encodeURIComponent(server.password)));
      assert.match(bad.error!.issues[0]!.message, /smtp:\/\/.*smtps:\/\//);
    }
  });

  test('a recipient that is not one plain address is refused before sending', async () => {
    assertKind(
      await failureOf(sendDocumentMail(config, mail({ to: 'a@x.be, b@y.be' }))),
      'misconfigured',
      /is not one e-mail address/,
    );
  });
});
