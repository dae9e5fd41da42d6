/*
 * The mail sandbox `npm start` runs when no relay is configured, driven by the real Octopus connector
 * and transport: the mail lands as .eml under the data folder, with its attachments, and the sandbox
 * keeps storing after a restart.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import octopus from '../../connectors/octopus';
import type { DeliveryInput } from '../../connectors/types';
import {
  SANDBOX_MAIL_FROM,
  sandboxMailEnv,
  startSandboxMail,
  type SandboxMail,
} from '../../platform/sandbox-mail';

let dataDir: string;
let sandbox: SandboxMail;
before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'relais-sandbox-mail-'));
  sandbox = await startSandboxMail({ dataDir });
});
after(async () => {
  await sandbox?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const connectorFor = (env: NodeJS.ProcessEnv) => octopus.create(octopus.configSchema.parse(env));

const invoice = (number: string): DeliveryInput => ({
  deliveryId: `sandbox-${number}`,
  documentType: 'purchase-invoice',
  fileName: `${number}.xml`,
  content: Buffer.from(`<Invoice><ID>${number}</ID></Invoice>\n`),
  contentType: 'application/xml',
  pdf: async () => Buffer.from('%PDF-1.4\n%%EOF\n'),
  document: {
    number,
    issueDate: '2026-02-03',
    kind: 'invoice',
    supplierName: 'Acme',
    customerName: 'Client',
  },
  settings: { mailbox: 'k0042@docin.octopus.be' },
  credentials: { kind: 'secrets', secrets: {} },
});

const stored = () =>
  readdirSync(path.join(dataDir, 'mail'))
    .filter((name) => name.endsWith('.eml'))
    .sort();

test('Octopus delivers into the sandbox folder: one .eml per delivery, with XML and PDF', async () => {
  assert.equal(sandbox.folder, path.join(dataDir, 'mail'));
  const env = sandboxMailEnv(sandbox, {});
  assert.equal(env.RELAIS_MAIL_FROM, SANDBOX_MAIL_FROM);
  assert.match(env.RELAIS_SMTP_URL!, /^smtp:\/\/127\.0\.0\.1:\d+\?starttls=off$/);
  const receipt = await connectorFor(env).deliver!(invoice('SBX-1'));
  assert.match(String(receipt.details?.smtpResponse), /^250 /);

  const files = stored();
  assert.equal(files.length, 1);
  const mail = await simpleParser(readFileSync(path.join(sandbox.folder, files[0]!)));
  assert.equal(mail.subject, 'Purchase invoice SBX-1 from Acme');
  assert.deepEqual(
    mail.attachments.map((a) => a.filename),
    ['SBX-1.xml', 'SBX-1.pdf'],
  );
  const envelope = JSON.parse(
    readFileSync(path.join(sandbox.folder, files[0]!.replace('.eml', '.json')), 'utf8'),
  );
  assert.deepEqual(envelope.rcptTo, ['k0042@docin.octopus.be']);
});

test("the operator's sender is kept, and a restarted sandbox keeps adding to the same folder", async () => {
  await sandbox.stop();
  sandbox = await startSandboxMail({ dataDir });
  const env = sandboxMailEnv(sandbox, { RELAIS_MAIL_FROM: 'billing@example.be' });
  assert.equal(env.RELAIS_MAIL_FROM, 'billing@example.be');
  await connectorFor(env).deliver!(invoice('SBX-2'));
  const files = stored();
  assert.equal(files.length, 2);
  const mail = await simpleParser(readFileSync(path.join(sandbox.folder, files[1]!)));
  assert.equal(mail.from?.text, 'billing@example.be');
  assert.equal(mail.messageId, '<relais.sandbox-SBX-2@example.be>');
});
