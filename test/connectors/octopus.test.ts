/*
 * The Octopus connector's own pieces, without a server: the credentials step (no live check is
 * possible, so what it checks is the address and our own relay configuration) and the mail's wording.
 * Delivery through a real SMTP server: test/integration/delivery-octopus*.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import octopus from '../../connectors/octopus';
import { ConnectorError } from '../../connectors/errors';
import { documentMailOf, documentTitle } from '../../connectors/shared/email';
import type { DeliveryInput } from '../../connectors/types';

const configured = octopus.create(
  octopus.configSchema.parse({
    RELAIS_SMTP_URL: 'smtp://relay.example:587',
    RELAIS_MAIL_FROM: 'invoices@relais.example',
  }),
);

test('the credentials step keeps the mailbox, warns on another domain, and keeps no secret', async () => {
  const usual = await configured.checkCredentials!({
    values: { mailbox: 'K0042-aankoop@docin.octopus.be' },
    settings: {},
  });
  assert.deepEqual(usual, {
    secrets: {},
    settings: { mailbox: 'K0042-aankoop@docin.octopus.be' },
    account: { id: 'K0042-aankoop@docin.octopus.be', name: 'K0042-aankoop@docin.octopus.be' },
  });
  const other = await configured.checkCredentials!({ values: { mailbox: 'k0042@octopus.be' }, settings: {} });
  assert.equal(other.settings.mailbox, 'k0042@octopus.be');
  assert.match(String(other.settings.warning), /^k0042@octopus\.be does not end in @docin\.octopus\.be/);
});

test('without a mail relay configured, the setup is refused naming what the operator must set', async () => {
  const unconfigured = octopus.create(octopus.configSchema.parse({}));
  await assert.rejects(
    async () =>
      unconfigured.checkCredentials!({ values: { mailbox: 'k0042@docin.octopus.be' }, settings: {} }),
    (error: unknown) =>
      error instanceof ConnectorError &&
      error.kind === 'misconfigured' &&
      /RELAIS_SMTP_URL/.test(error.message),
  );
});

const input = (overrides: Partial<DeliveryInput['document']> = {}): DeliveryInput => ({
  deliveryId: 'd-1',
  documentType: 'sales-invoice',
  fileName: '2026-02-03_INV-9_ab12cd34.xml',
  content: Buffer.from('<Invoice/>'),
  contentType: 'application/xml',
  pdf: async () => Buffer.from('%PDF-1.4\n'),
  document: {
    number: 'INV-9',
    issueDate: '2026-02-03',
    kind: 'credit-note',
    supplierName: 'Acme\r\nBcc: someone@evil.example',
    supplierVat: 'BE0123456749',
    customerName: 'Client',
    ...overrides,
  },
  settings: {},
  credentials: { kind: 'secrets', secrets: {} },
});

test('the subject names type, number and supplier on one line; the PDF is named after the XML', async () => {
  assert.equal(documentTitle(input()), 'Sales credit note INV-9 from Acme Bcc: someone@evil.example');
  const mail = await documentMailOf(input(), { to: 'k0042@docin.octopus.be', withPdf: true });
  assert.equal(mail.subject, documentTitle(input()));
  assert.deepEqual(
    mail.attachments.map((a) => [a.filename, a.contentType]),
    [
      ['2026-02-03_INV-9_ab12cd34.xml', 'application/xml'],
      ['2026-02-03_INV-9_ab12cd34.pdf', 'application/pdf'],
    ],
  );
  assert.match(
    mail.text,
    /Issued on 2026-02-03 by Acme Bcc: someone@evil\.example \(BE0123456749\) to Client\./,
  );
  const xmlOnly = await documentMailOf(input({ kind: 'invoice' }), { to: 'x@y.be', withPdf: false });
  assert.equal(xmlOnly.attachments.length, 1);
  assert.equal(xmlOnly.subject, 'Sales invoice INV-9 from Acme Bcc: someone@evil.example');
});
