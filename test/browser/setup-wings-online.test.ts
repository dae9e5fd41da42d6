/*
 * Wings Online set up through the web wizard in a real browser (Chromium), against its contract fake:
 * the list marks it as built on an assumed contract, the Wings8 hint and the target's refusal show
 * inline, and the connection ends active with its journals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { defaultWingsFile, startWingsFake, wingsEnv, type WingsFake } from '../fakes/wings-online';
import {
  launchChromium,
  openPage,
  screenshot,
  signedInUrl,
  type WatchedPage,
} from '../helpers/browser-chromium';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let relais: TestRelais;
let wings: WingsFake;
let browser: Browser;
let watched: WatchedPage | undefined;

before(async () => {
  [wings, browser] = await Promise.all([startWingsFake(), launchChromium()]);
  relais = await startTestRelais(wingsEnv(wings));
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await wings?.close();
});

const ASSUMED_NOTE =
  'Not a certified integration: built on an unpublished interface, described in our documentation.';

test('Wings Online through the wizard: assumed-contract note, Wings8 hint, refused password, connected', async () => {
  watched = await openPage(browser, { locale: 'en-GB' });
  const { page } = watched;
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  await page.goto(`${relais.url}/#/new/purchase-invoice`);
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();

  // The note sits on Wings Online's entry, and not on a documented target's.
  const wingsEntry = page.locator('#integration-wings-online');
  await wingsEntry.getByText(ASSUMED_NOTE).waitFor();
  assert.equal(await page.locator('#integration-sftp').getByText(ASSUMED_NOTE).count(), 0);
  assert.equal(await wingsEntry.isEnabled(), true, 'available');
  await screenshot(page, 'wings-01-list-assumed-note');

  await wingsEntry.click();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();
  const fill = async (overrides: Record<string, string> = {}) => {
    const values = {
      'User name': defaultWingsFile.username,
      Password: defaultWingsFile.password,
      'Internal number': String(defaultWingsFile.internalNumber),
      'Accounts receivable journal': 'VK1',
      'Accounts payable journal': 'AK1',
      ...overrides,
    };
    for (const [label, value] of Object.entries(values))
      await page.getByLabel(new RegExp(`^${label}`)).fill(value);
  };
  assert.equal(await page.getByLabel(/^Password/).getAttribute('type'), 'password');

  // Credentials is the only step, so its button connects. The API refuses the field (400): the hint
  // next to it, the field marked invalid.
  await fill({ 'User name': 'Wings123' });
  await page.getByRole('button', { name: 'Connect' }).click();
  const usernameError = page.locator('#field-username-error');
  await usernameError.waitFor();
  assert.match(await usernameError.innerText(), /always starts with Wings8, for example Wings8123/);
  assert.equal(await page.getByLabel(/^User name/).getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'wings-02-username-hint');

  // Wings refuses the password (422): its message above the form; the step stays.
  await fill({ Password: 'Wrong-Pa55!' });
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('alert').filter({ hasText: 'Invalid user name or password' }).waitFor();
  await screenshot(page, 'wings-03-refused');

  await fill();
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: 'Wings Online is connected' }).waitFor();
  await screenshot(page, 'wings-04-connected');

  const { body } = await relais.api('GET', '/v1/connections?status=active');
  assert.equal(body.connections.length, 1);
  const read = await relais.api('GET', `/v1/connections/${body.connections[0].id}`);
  assert.equal(read.body.connection.connectorId, 'wings-online');
  assert.equal(read.body.connection.settings.payablesJournal, 'AK1');
  assert.equal(read.body.connection.settings.password, undefined);
  assert.equal(
    wings.log.filter((entry) => entry.operation === 'CheckLogin' && entry.status === 200).length,
    1,
  );
  assert.deepEqual(watched.problems, []);
  assert.deepEqual([...watched.origins], [relais.url], 'only our own origin');
});
