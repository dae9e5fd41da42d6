/*
 * Zenvoices and Lyanthe deliver by e-mail: connections set up through the API against their contract
 * fakes, documents sent through the real SMTP test server (its own process, STARTTLS and AUTH), what
 * arrived read with mailparser. Failure cases: a 5.1.1 unknown mailbox, a 4xx that passes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readExample } from '../documents/fixtures';
import { startLyantheFake, type LyantheFake } from '../fakes/lyanthe';
import { startZenvoicesFake, type ZenvoicesFake } from '../fakes/zenvoices';
import { acceptDocument, ublBeInvoice, waitForDelivery, waitForStatus } from '../helpers/delivery-api';
import { connectLyanthe, connectZenvoices } from '../helpers/mailbox-connections';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../helpers/smtp-server';

const ZENVOICES_USER = {
  tenancyName: 'peeters',
  userNameOrEmailAddress: 'boekhouding@peeters.be',
  password: 'Winter-2026!',
};
const ZENVOICES_INBOX = '10130.3195@to-zenvoices.com';
const LYANTHE_USER = { username: 'an.janssens@kantoor.be', password: 'correct horse battery staple' };
const LYANTHE_DOMAIN = 'kantoor-janssens.lyanthe.example';

let smtp: TestSmtpServer;
let zenvoices: ZenvoicesFake;
let lyanthe: LyantheFake;
let relais: TestRelais;

before(async () => {
  smtp = await startTestSmtpServer();
  zenvoices = await startZenvoicesFake({
    users: [ZENVOICES_USER],
    administrations: [{ id: 3195, name: 'Peeters BV', code: 'BV01', emailAddress: ZENVOICES_INBOX }],
  });
  lyanthe = await startLyantheFake({
    user: LYANTHE_USER,
    organisation: { name: 'Kantoor Janssens', mailDomain: LYANTHE_DOMAIN },
    administrations: [{ id: 'adm-1', name: 'Bakkerij Claes BV', mailroomNumber: '0412345678' }],
  });
  relais = await startTestRelais({
    ...smtp.env,
    ZENVOICES_API_URL: zenvoices.url,
    LYANTHE_API_URL: lyanthe.url,
  });
  await connectZenvoices(relais, {
    documentType: 'purchase-invoice',
    login: {
      username: ZENVOICES_USER.userNameOrEmailAddress,
      password: ZENVOICES_USER.password,
      organisationCode: ZENVOICES_USER.tenancyName,
    },
    administrationId: '3195',
  });
  for (const documentType of ['purchase-invoice', 'sales-invoice'] as const) {
    await connectLyanthe(relais, { documentType, login: LYANTHE_USER, administrationId: 'adm-1' });
  }
});
after(async () => {
  await relais?.close();
  await smtp?.stop();
  await zenvoices?.close();
  await lyanthe?.close();
});

/** The mails that arrived for `recipient` whose subject names invoice `number`. */
async function mailsFor(recipient: string, number: string): Promise<ReceivedMail[]> {
  return (await smtp.received()).filter(
    (mail) => mail.envelope.rcptTo.includes(recipient) && (mail.parsed.subject ?? '').includes(number),
  );
}

async function deliveriesOf(number: string, documentType: 'purchase-invoice' | 'sales-invoice') {
  const accepted = await acceptDocument(relais, ublBeInvoice(number), { documentType });
  return Object.fromEntries(
    accepted.deliveries.map((d: { connectorId: string; id: string }) => [d.connectorId, d.id]),
  ) as Record<string, string>;
}

test('a purchase invoice: one mail to the Zenvoices inbox and one to the Lyanthe -99p mailroom, the XML alone, in To', async () => {
  const ids = await deliveriesOf('MAIL-1', 'purchase-invoice');
  assert.deepEqual(Object.keys(ids).sort(), ['lyanthe', 'zenvoices']);
  const zen = await waitForStatus(relais, ids.zenvoices!, 'delivered');
  const lya = await waitForStatus(relais, ids.lyanthe!, 'delivered');

  const [toZenvoices, ...moreZ] = await mailsFor(ZENVOICES_INBOX, 'MAIL-1');
  const mailroom = `0412345678-99p@${LYANTHE_DOMAIN}`;
  const [toLyanthe, ...moreL] = await mailsFor(mailroom, 'MAIL-1');
  assert.ok(toZenvoices && toLyanthe, 'both mails arrived');
  assert.equal(moreZ.length + moreL.length, 0, 'one mail per delivery');
  for (const [mail, address] of [
    [toZenvoices, ZENVOICES_INBOX],
    [toLyanthe, mailroom],
  ] as const) {
    assert.deepEqual(mail.envelope.rcptTo, [address], 'the mailbox alone receives it');
    assert.equal(
      mail.parsed.to && !Array.isArray(mail.parsed.to) ? mail.parsed.to.text : '',
      address,
      'in To',
    );
    assert.equal(mail.parsed.headers.get('bcc'), undefined);
    assert.ok(mail.envelope.secure, 'sent over STARTTLS');
    assert.equal(mail.parsed.attachments.length, 1, 'one file per mail: the XML alone');
    const [xml] = mail.parsed.attachments;
    assert.match(xml!.filename ?? '', /\.xml$/);
    assert.match(xml!.content.toString('utf8'), /<cbc:ID>MAIL-1<\/cbc:ID>/);
    assert.match(
      xml!.content.toString('utf8'),
      /<cbc:EmbeddedDocumentBinaryObject/,
      'the PDF travels inside the e-FFF',
    );
  }
  assert.match(toZenvoices!.parsed.subject ?? '', /^Invoice MAIL-1 from /);
  assert.equal(zen.receipt.remoteId, toZenvoices!.parsed.messageId, 'the receipt names the Message-ID');
  assert.equal(lya.receipt.remoteId, toLyanthe!.parsed.messageId);
  assert.match(zen.receipt.details.relayResponse, /^250 /);
});

test('a sales invoice goes to the Lyanthe -99s mailroom', async () => {
  const ids = await deliveriesOf('MAIL-2', 'sales-invoice');
  assert.deepEqual(Object.keys(ids), ['lyanthe']);
  await waitForStatus(relais, ids.lyanthe!, 'delivered');
  assert.equal((await mailsFor(`0412345678-99s@${LYANTHE_DOMAIN}`, 'MAIL-2')).length, 1);
  assert.equal((await mailsFor(`0412345678-99p@${LYANTHE_DOMAIN}`, 'MAIL-2')).length, 0);
});

test('an unknown mailbox (5.1.1) fails the delivery as misconfigured, naming the address; nothing arrives', async () => {
  await smtp.refuse({
    stage: 'rcpt',
    recipient: ZENVOICES_INBOX,
    code: 550,
    message: '5.1.1 <' + ZENVOICES_INBOX + '>: Recipient address rejected: User unknown',
  });
  try {
    const ids = await deliveriesOf('MAIL-3', 'purchase-invoice');
    const failed = await waitForStatus(relais, ids.zenvoices!, 'failed');
    assert.equal(failed.lastErrorKind, 'ConnectionMisconfigured');
    assert.match(
      failed.lastError,
      new RegExp(`refused the address ${ZENVOICES_INBOX.replace(/\./g, '\\.')}`),
    );
    assert.equal((await mailsFor(ZENVOICES_INBOX, 'MAIL-3')).length, 0);
    await waitForStatus(relais, ids.lyanthe!, 'delivered');
  } finally {
    await smtp.acceptAll();
  }
});

test('a 4xx (greylisting) at the Lyanthe mailroom is retried, then the mail arrives once', async () => {
  const mailroom = `0412345678-99p@${LYANTHE_DOMAIN}`;
  await smtp.refuse({
    stage: 'rcpt',
    recipient: mailroom,
    code: 451,
    message: '4.7.1 Greylisted, try again later',
    times: 1,
  });
  const ids = await deliveriesOf('MAIL-4', 'purchase-invoice');
  const retrying = await waitForDelivery(
    relais,
    ids.lyanthe!,
    (d) => d.attempts >= 2 || d.status !== 'delivering',
    {
      what: 'past its first attempt',
    },
  );
  assert.notEqual(retrying.status, 'failed');
  const delivered = await waitForStatus(relais, ids.lyanthe!, 'delivered', { timeoutMs: 40_000 });
  assert.ok(delivered.attempts >= 2, 'the first attempt was refused');
  assert.equal((await mailsFor(mailroom, 'MAIL-4')).length, 1);
});

test('a credit note: "#RB" starts the subject at the Lyanthe mailroom; Zenvoices gets it named as a credit note', async () => {
  const creditNote = readExample('ubl-be/UBLBE_BE0000000196_V01-15000002.xml');
  const accepted = await acceptDocument(relais, creditNote, { documentType: 'purchase-invoice' });
  const ids = Object.fromEntries(
    accepted.deliveries.map((d: { connectorId: string; id: string }) => [d.connectorId, d.id]),
  ) as Record<string, string>;
  await waitForStatus(relais, ids.lyanthe!, 'delivered');
  await waitForStatus(relais, ids.zenvoices!, 'delivered');
  const [toLyanthe] = await mailsFor(`0412345678-99p@${LYANTHE_DOMAIN}`, 'V01/15000002');
  assert.match(toLyanthe?.parsed.subject ?? '', /^#RB Credit note V01\/15000002 from /);
  const [toZenvoices] = await mailsFor(ZENVOICES_INBOX, 'V01/15000002');
  assert.match(toZenvoices?.parsed.subject ?? '', /^Credit note V01\/15000002 from /);
});
