/*
 * The web app's sign-in steps in a real browser: Dropbox and Exact Online through their contract fakes'
 * consent pages (the browser follows our start link there and comes back to the wizard), the Exact
 * administration choice, then the connections page: a refused delivery and its retry, re-authorize,
 * disconnect.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DropboxFake } from '../fakes/dropbox';
import type { ExactFake } from '../fakes/exact-online';
import {
  launchChromium,
  openPage,
  screenshot,
  signedInUrl,
  type WatchedPage,
} from '../helpers/browser-chromium';
import { acceptDocument, ublBeInvoice } from '../helpers/delivery-api';
import { dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { exactEnv, startExact } from '../helpers/exact-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let relais: TestRelais;
let dropbox: DropboxFake;
let exact: ExactFake;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

before(async () => {
  [dropbox, exact, browser] = await Promise.all([startDropbox(), startExact(), launchChromium()]);
  relais = await startTestRelais({
    ...dropboxEnv(dropbox),
    ...exactEnv(exact),
    RELAIS_RATE_LIMITS: 'exact-online=6000',
  });
  // One tab for the whole file, as a person would keep it: the key stays in its sessionStorage.
  watched = await openPage(browser, { locale: 'en-GB' });
  page = watched.page;
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await dropbox?.close();
  await exact?.close();
});

async function chooseService(documentType: 'purchase-invoice' | 'sales-invoice', name: string) {
  await page.goto(`${relais.url}/#/new/${documentType}`);
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();
  await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
}

async function acceptTermsAndConnect(name: string) {
  await page.getByRole('heading', { name: 'Accept the terms' }).waitFor();
  await page.getByLabel(/I accept the terms of service/).check();
  await page.getByLabel(/^Your name or e-mail address/).fill('alice@example.test');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: `${name} is connected` }).waitFor();
}

async function activeConnection(connectorId: string) {
  const answer = await relais.api('GET', '/v1/connections?status=active');
  const found = answer.body.connections.find((c: { connectorId: string }) => c.connectorId === connectorId);
  assert.ok(found, `an active ${connectorId} connection`);
  return found as { id: string; settings: Record<string, unknown> };
}

test('Dropbox: a refusal on its consent page comes back to the sign-in step; allowing connects', async () => {
  await chooseService('purchase-invoice', 'Dropbox');
  await page.getByRole('heading', { name: 'Choose the format' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Sign in to Dropbox' }).waitFor();
  await screenshot(page, '20-step-oauth');

  await page.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  await page.waitForURL(`${dropbox.url}/oauth2/authorize?**`);
  await page.getByText('Signed in as').waitFor();
  await screenshot(page, '21-dropbox-consent');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Back in the wizard, on the same step, with the reason in words.
  await page.waitForURL(`${relais.url}/#/setup/**`);
  await page.getByRole('heading', { name: 'Sign in to Dropbox' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'You declined the access request' }).waitFor();
  assert.doesNotMatch(page.url(), /status=|message=/, 'the outcome is taken out of the address');
  await screenshot(page, '22-step-oauth-declined');

  await page.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByText('Signed in to Dropbox as Relais Test (owner@example.test).').waitFor();
  await acceptTermsAndConnect('Dropbox');
  await screenshot(page, '23-dropbox-connected');
  assert.equal((await activeConnection('dropbox')).settings.format, 'ubl-be-3');
});

test('Exact Online: sign-in on its page, the administration dropdown with all current and future ones', async () => {
  await chooseService('sales-invoice', 'Exact Online');
  await page.getByRole('heading', { name: 'Sign in to Exact Online' }).waitFor();
  // The country site is a field of the sign-in step, from the catalogue.
  assert.equal(await page.getByLabel(/^Exact Online site|^Site|country/i).inputValue(), 'be');
  await page.getByRole('button', { name: 'Sign in with Exact Online' }).click();

  await page.waitForURL(`${exact.url}/api/oauth2/auth?**`);
  await page.locator('#username').fill(exact.user.username);
  await page.locator('#password').fill(exact.user.password);
  await page.locator('#allow').click();

  await page.getByRole('heading', { name: 'Choose the administration' }).waitFor();
  const dropdown = page.getByLabel('Administration', { exact: true });
  assert.equal(await dropdown.inputValue(), 'all', '"all current and future" is proposed first');
  assert.deepEqual(await dropdown.locator('option').allInnerTexts(), [
    'All current and future administrations',
    'Brasserie Dupont SRL (1)',
    'Atelier Peeters BV (2)',
  ]);
  await screenshot(page, '24-step-administration');
  await dropdown.selectOption({ label: 'Atelier Peeters BV (2)' });
  await page.getByRole('button', { name: 'Next' }).click();
  await acceptTermsAndConnect('Exact Online');

  const connection = await activeConnection('exact-online');
  assert.deepEqual(connection.settings.administrationIds, ['1002']);
  assert.equal(connection.settings.site, 'be');
});

test('a document Dropbox refuses shows as failed, in plain words; Retry delivers it', async () => {
  const connection = await activeConnection('dropbox');
  await page.goto(`${relais.url}/#/connections`);
  const card = page.locator(`#connection-${connection.id}`);
  await card.waitFor();

  dropbox.failNext({
    status: 409,
    body: {
      error_summary: 'path/disallowed_name/..',
      error: { '.tag': 'path', reason: { '.tag': 'disallowed_name' } },
    },
    path: '/2/files/upload',
  });
  const accepted = await acceptDocument(relais, ublBeInvoice('WEB-DBX-1'));
  const delivery = accepted.deliveries.find(
    (d: { connectionId: string }) => d.connectionId === connection.id,
  );
  const item = card.locator(`#delivery-${delivery.id}`);
  await item.locator('.status', { hasText: 'Failed' }).waitFor({ timeout: 30_000 });
  await item.getByText('Dropbox refused this document.').waitFor();
  await item.getByText(/Dropbox said: “Dropbox refused to save/).waitFor();
  await screenshot(page, '25-connections-failed');

  await item.getByRole('button', { name: 'Retry' }).click();
  await item.locator('.status', { hasText: 'Delivered' }).waitFor({ timeout: 30_000 });
  assert.equal([...dropbox.files.keys()].filter((file) => file.includes('WEB-DBX-1')).length, 1);
  const read = await relais.api('GET', `/v1/deliveries/${delivery.id}`);
  assert.equal(read.body.delivery.runs, 2);
});

test('Re-authorize signs in again on the same connection; Disconnect asks first, then stops it', async () => {
  const connection = await activeConnection('dropbox');
  await page.goto(`${relais.url}/#/connections`);
  const card = page.locator(`#connection-${connection.id}`);
  await card.getByRole('button', { name: 'Re-authorize' }).click();
  await page.getByRole('heading', { name: 'Sign in again to Dropbox' }).waitFor();
  await page.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Dropbox is connected' }).waitFor();
  assert.equal((await activeConnection('dropbox')).id, connection.id, 'the same connection');

  await page.getByRole('link', { name: 'See your connections' }).click();
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await card.getByText(/Disconnect Dropbox\? Relais stops delivering to it/).waitFor();
  assert.equal(await page.locator(':focus').getAttribute('id'), `confirm-disconnect-${connection.id}`);
  await screenshot(page, '26-connections-disconnect-question');
  await card.getByRole('button', { name: 'Keep it' }).click();
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await card.getByRole('button', { name: 'Yes, disconnect' }).click();
  await card.locator('.status', { hasText: 'Disconnected' }).first().waitFor();
  const read = await relais.api('GET', `/v1/connections/${connection.id}`);
  assert.equal(read.body.connection.status, 'disconnected');
  assert.equal(await card.getByRole('button', { name: 'Re-authorize' }).count(), 0);
});

test('no script error, and no request anywhere but Relais and the services signed in to', () => {
  assert.deepEqual(watched.problems, []);
  const allowed = new Set([relais.url, dropbox.url, exact.url]);
  assert.deepEqual(
    [...watched.origins].filter((origin) => !allowed.has(origin)),
    [],
  );
});
