/*
 * Octopus end to end: set up through the API, documents posted, mails received by a real SMTP server
 * process (STARTTLS, AUTH) and read back with mailparser. Refusals scripted on the server: an unknown
 * mailbox fails the delivery as misconfigured, greylisting is retried until the mail goes through.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { acceptDocument, ublBeInvoice, waitForDelivery, waitForStatus } from '../helpers/delivery-api';
import { setUpOctopus } from '../helpers/octopus-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../helpers/smtp-server';

const MAILBOX = 'k0042-aankoop@docin.octopus.be';

let smtp: TestSmtpServer;
let relais: TestRelais;

before(async () => {
  smtp = await startTestSmtpServer({ from: 'invoices@relais.example' });
  relais = await startTestRelais(smtp.env);
  // The one active connection: every purchase invoice the tests post goes to MAILBOX.
  await setUpOctopus(relais, MAILBOX, { activate: true });
});
after(async () => {
  await relais?.close();
  await smtp?.stop();
});
beforeEach(async () => {
  await smtp.acceptAll();
});

const mailsNumbered = async (number: string): Promise<ReceivedMail[]> =>
  (await smtp.received()).filter((mail) => mail.parsed.subject?.includes(number));

async function sendInvoice(number: string): Promise<string> {
  const accepted = await acceptDocument(relais, ublBeInvoice(number));
  assert.equal(accepted.deliveries.length, 1, 'one Octopus connection, one delivery');
  return accepted.deliveries[0].id;
}

test('the mailbox field: not an address is a 400 naming the field; another domain is accepted with a warning', async () => {
  assert.equal(
    (await relais.api('GET', '/v1/integrations?lang=en')).body.integrations.find(
      (i: { id: string }) => i.id === 'octopus',
    ).available,
    true,
  );
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'octopus',
    documentType: 'sales-invoice',
  });
  const id = created.body.connection.id as string;
  const bad = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, {
    values: { mailbox: 'k0042 at docin.octopus.be' },
  });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.equal(bad.body.details[0].path, 'values.mailbox');
  assert.match(bad.body.details[0].message, /one e-mail address, ending in @docin\.octopus\.be/);

  // Left in setup (no terms): it never receives documents from the other tests.
  const elsewhere = await setUpOctopus(relais, 'k0042@octopus-mail.example', { activate: false });
  assert.equal(elsewhere.settings.mailbox, 'k0042@octopus-mail.example');
  assert.match(elsewhere.settings.warning, /does not end in @docin\.octopus\.be/);
  const usual = await setUpOctopus(relais, 'k0043@docin.octopus.be', { activate: false });
  assert.equal(usual.settings.warning, undefined);
});

test('a document becomes one mail to the mailbox with the XML and the PDF; the receipt holds the 250 answer', async () => {
  const id = await sendInvoice('OCT-1');
  const delivered = await waitForStatus(relais, id, 'delivered');
  const mails = await mailsNumbered('OCT-1');
  assert.equal(mails.length, 1);
  const [{ envelope, parsed }] = mails as [ReceivedMail];
  assert.deepEqual(envelope.rcptTo, [MAILBOX]);
  assert.equal(envelope.secure, true);
  assert.equal(Array.isArray(parsed.to) ? undefined : parsed.to?.text, MAILBOX);
  assert.match(parsed.subject ?? '', /^Purchase invoice OCT-1 from \S/);
  assert.equal(parsed.messageId, `<relais.${id}@relais.example>`);
  const [xml, pdf] = parsed.attachments;
  assert.equal(parsed.attachments.length, 2);
  assert.equal(xml!.contentType, 'application/xml');
  assert.match(xml!.filename ?? '', /OCT-1.*\.xml$/);
  assert.match(xml!.content.toString('utf8'), /<cbc:ID>OCT-1<\/cbc:ID>/);
  assert.equal(pdf!.contentType, 'application/pdf');
  assert.match(pdf!.filename ?? '', /OCT-1.*\.pdf$/);
  assert.equal(pdf!.content.subarray(0, 5).toString('latin1'), '%PDF-');

  assert.equal(delivered.attempts, 1);
  assert.equal(delivered.receipt.remoteId, parsed.messageId);
  assert.equal(delivered.receipt.details.to, MAILBOX);
  assert.match(delivered.receipt.details.smtpResponse, /^250 .*queued as /);
});

test('an unknown mailbox (550 5.1.1) fails the delivery as misconfigured, naming the address', async () => {
  await smtp.refuse({
    stage: 'rcpt',
    recipient: MAILBOX,
    code: 550,
    message: `5.1.1 <${MAILBOX}>: Recipient address rejected: User unknown in virtual mailbox table`,
  });
  const id = await sendInvoice('OCT-2');
  const failed = await waitForStatus(relais, id, 'failed');
  assert.equal(failed.attempts, 1, 'not retried');
  assert.equal(failed.lastErrorKind, 'ConnectionMisconfigured');
  assert.match(
    failed.lastError,
    new RegExp(`refused the address ${MAILBOX.replace(/\./g, '\\.')}: 550 5\\.1\\.1`),
  );
  assert.deepEqual(await mailsNumbered('OCT-2'), []);
});

test('greylisting (451) is retried with back-off, then the mail arrives once', async () => {
  await smtp.refuse({
    stage: 'rcpt',
    recipient: MAILBOX,
    code: 451,
    message: '4.7.1 Greylisted, try again later',
    times: 2,
  });
  const id = await sendInvoice('OCT-3');
  const retrying = await waitForDelivery(relais, id, (d) => d.status === 'retrying', { what: 'retrying' });
  assert.equal(retrying.lastErrorKind, 'unavailable');
  assert.match(retrying.lastError, /451 4\.7\.1 Greylisted/);
  const delivered = await waitForStatus(relais, id, 'delivered', { timeoutMs: 40_000 });
  assert.equal(delivered.attempts, 3);
  assert.equal((await mailsNumbered('OCT-3')).length, 1);
});
