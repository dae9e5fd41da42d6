/*
 * The Octopus setup in a real browser (Chromium) against the API, then a delivery to a real SMTP server
 * process: a mailbox that is not an address is shown inline, one outside @docin.octopus.be is accepted
 * with the warning shown before the terms, and the connected dossier receives the invoice by mail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { launchChromium, openPage, screenshot, signedInUrl } from '../helpers/browser-chromium';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server';

const MAILBOX = 'k0042@octopus-mail.example';

let relais: TestRelais;
let smtp: TestSmtpServer;
let browser: Browser;

before(async () => {
  [smtp, browser] = await Promise.all([startTestSmtpServer(), launchChromium()]);
  relais = await startTestRelais(smtp.env);
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await smtp?.stop();
});

async function signedIn(): Promise<Page> {
  const { page } = await openPage(browser, { locale: 'en-GB' });
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

test('Octopus: a wrong mailbox inline, another domain warned about, connected, and the mail arrives', async () => {
  const page = await signedIn();
  await page.goto(`${relais.url}/#/connections`);
  await page.getByRole('link', { name: 'Connect a service' }).first().click();
  await page.getByRole('link', { name: /Purchase invoices/ }).click();
  await page.locator('#integration-octopus').click();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();

  await page.getByLabel(/^Mailbox/).fill('k0042 at docin.octopus.be');
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByText(/one e-mail address, ending in @docin\.octopus\.be/)
    .first()
    .waitFor();
  assert.equal(await page.getByLabel(/^Mailbox/).getAttribute('aria-invalid'), 'true');

  await page.getByLabel(/^Mailbox/).fill(MAILBOX);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Accept the terms' }).waitFor();
  await page
    .getByRole('note')
    .getByText(/does not end in @docin\.octopus\.be/)
    .waitFor();
  await screenshot(page, 'octopus-terms-warning');
  await page.getByLabel(/I accept the terms of service/).check();
  await page.getByLabel(/^Your name or e-mail address/).fill('alice@example.test');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: 'Octopus is connected' }).waitFor();

  const accepted = await acceptDocument(relais, ublBeInvoice('WEB-OCT-1'));
  assert.equal(accepted.deliveries.length, 1);
  await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  const mails = await smtp.received();
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0]!.envelope.rcptTo, [MAILBOX]);
  assert.equal(mails[0]!.parsed.attachments.length, 2);
});
