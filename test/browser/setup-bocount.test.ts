/*
 * BoCount set up through the reference web app in a real browser (Chromium), against its https
 * contract fake: the catalogue's assumed-contract note, a VAT number failing its mod-97 check shown at
 * the field, BoCount's refusal of a wrong password shown above the form, then connected and delivering.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startBocountFake, type BocountFake } from '../fakes/bocount';
import { launchChromium, openPage, screenshot, signedInUrl } from '../helpers/browser-chromium';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { makeTestCertificate, type TestCertificate } from '../helpers/test-certificate';

const USER = { username: 'ws-klant-0042', password: 'Bo-count-secret-42' };
const COMPANY = 'BE0123456749';

let certificate: TestCertificate;
let fake: BocountFake;
let relais: TestRelais;
let browser: Browser;

before(async () => {
  certificate = makeTestCertificate();
  fake = await startBocountFake({ ...USER, companies: { [COMPANY]: 'Bakkerij Peeters BV' } }, certificate);
  [relais, browser] = await Promise.all([
    startTestRelais({ RELAIS_NETWORK_CA_FILE: certificate.caFile }),
    launchChromium(),
  ]);
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await fake?.close();
  certificate?.remove();
});

test('BoCount through the wizard: assumed-contract note, mod-97 error at the field, refused password, connected', async () => {
  const watched = await openPage(browser, { locale: 'en-GB' });
  const { page } = watched;
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.goto(`${relais.url}/#/new/purchase-invoice`);
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();
  const entry = page.locator('#integration-bocount');
  await entry.waitFor();
  const listed = await page.locator('li', { has: entry }).innerText();
  assert.match(listed, /Not a certified integration: built on an unpublished interface/);
  await entry.click();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();

  const fill = async (overrides: Record<string, string> = {}) => {
    const values = {
      'User name': USER.username,
      Password: USER.password,
      'Company number': 'BE 0123.456.749',
      'Base URL': fake.url,
      ...overrides,
    };
    for (const [label, value] of Object.entries(values))
      await page.getByLabel(new RegExp(`^${label}`)).fill(value);
  };

  await fill({ 'Company number': 'BE0123456748' });
  await page.getByRole('button', { name: 'Connect' }).click();
  const vatError = page.locator('#field-companyNumber-error');
  await vatError.waitFor();
  assert.match(await vatError.innerText(), /last two digits do not match/);

  await fill({ Password: 'Wrong-Bo-42' });
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('alert').filter({ hasText: 'BoCount refused these details' }).waitFor();
  await screenshot(page, 'bocount-wrong-password');

  await fill();
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: 'BoCount is connected' }).waitFor();
  await screenshot(page, 'bocount-connected');
  // The browser only ever talks to Relais: the BoCount URL is called by the server, through its guard.
  assert.deepEqual([...watched.origins], [new URL(relais.url).origin]);

  const { body } = await relais.api('GET', '/v1/connections?status=active');
  const [connection] = body.connections as Array<{ id: string; connectorId: string }>;
  assert.equal(connection?.connectorId, 'bocount');
  const accepted = await acceptDocument(relais, ublBeInvoice('BOCOUNT-WEB-1'));
  const deliveryId = accepted.deliveries[0].id as string;
  await waitForStatus(relais, deliveryId, 'delivered');
  assert.equal(fake.documents.filter((d) => d.externalId === deliveryId).length, 1);
});
