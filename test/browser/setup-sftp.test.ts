/*
 * The reference web app in a real browser (Chromium), served by the API it drives: signing in with the
 * API key, languages, the SFTP setup against a real OpenSSH server (inline errors, reload, Back and
 * Cancel), a delivery seen on the connections page, a 360 px wide screen.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { acceptDocument, ublBeInvoice } from '../helpers/delivery-api';
import {
  launchChromium,
  openPage,
  screenshot,
  signedInUrl,
  type WatchedPage,
} from '../helpers/browser-chromium';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { listFiles } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';
import { waitFor } from '../helpers/wait-for';

const outboundIps = ['203.0.113.7', '203.0.113.8'];

let relais: TestRelais;
let sshd: SshServer;
let browser: Browser;
const pages: WatchedPage[] = [];

before(async () => {
  [sshd, browser] = await Promise.all([startSshServer(), launchChromium()]);
  relais = await startTestRelais({
    RELAIS_OUTBOUND_IPS: outboundIps.join(','),
    // The SSH server runs on loopback, which the SSRF guard refuses unless allowed.
    RELAIS_NETWORK_ALLOW: sshd.host,
  });
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await sshd?.stop();
});

async function open(options: Parameters<typeof openPage>[1] = {}): Promise<Page> {
  const watched = await openPage(browser, { locale: 'en-GB', ...options });
  pages.push(watched);
  return watched.page;
}

async function signedIn(options: Parameters<typeof openPage>[1] = {}): Promise<Page> {
  const page = await open(options);
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();
const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');

async function connectionsOf(status?: string) {
  const answer = await relais.api('GET', `/v1/connections${status ? `?status=${status}` : ''}`);
  return answer.body.connections as Array<{ id: string; status: string; connectorId: string }>;
}

/** From the connections page to the SFTP setup's first step, by keyboard only. */
async function startSftpSetupByKeyboard(page: Page): Promise<void> {
  await page.goto(`${relais.url}/#/connections`);
  await page.getByRole('link', { name: 'Connect a service' }).first().focus();
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: /Purchase invoices/ }).focus();
  await page.keyboard.press('Enter');
  const search = page.getByLabel('Search');
  await search.focus();
  await page.keyboard.type('sft');
  await page.getByText('1 service', { exact: true }).waitFor();
  // The next tab stop after the search box is the only visible service.
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'integration-sftp');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Choose the format' }).waitFor();
}

async function fillSftpCredentials(page: Page, overrides: Record<string, string> = {}): Promise<void> {
  const values = {
    'User name': sshd.username,
    Password: sshd.password,
    Host: sshd.host,
    Port: String(sshd.port),
    'Upload path': 'Invoice_import/[invoice_type]/',
    ...overrides,
  };
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(new RegExp(`^${label}`)).fill(value);
  }
}

test('the API key is asked for once: a wrong one is refused, the right one opens the connections page', async () => {
  const page = await open();
  await page.goto(`${relais.url}/`);
  assert.equal(await heading(page), 'Sign in to Relais');
  await screenshot(page, '01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Enter your API key.').waitFor();
  await page.getByLabel('API key').fill('not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This API key was refused: it is unknown or revoked.').waitFor();
  await page.getByLabel('API key').fill(relais.tenant.apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  await page.getByText('No connections yet.').waitFor();
  // Kept for this tab: a reload stays signed in; signing out forgets it.
  await page.reload();
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Relais' }).waitFor();
});

test('a #key= link opened in a tab already showing the sign-in page signs in and leaves the address bar', async () => {
  const page = await open();
  await page.goto(`${relais.url}/`);
  assert.equal(await heading(page), 'Sign in to Relais');
  // Same document, new fragment: only a hashchange, no page load.
  await page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  assert.ok(!page.url().includes(relais.tenant.apiKey), `the key left the address bar: ${page.url()}`);
});

test('the language follows the browser, can be switched, and the catalogue comes in it', async () => {
  const page = await signedIn({ locale: 'nl-BE' });
  assert.equal(await heading(page), 'Koppelingen');
  assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
  await page.goto(`${relais.url}/#/new/purchase-invoice`);
  await page.getByText('Plaatst elke factuur als UBL-bestand in een map op uw eigen SFTP-server.').waitFor();

  await page.getByLabel('Taal').selectOption('fr');
  await page.getByRole('heading', { name: 'Choisissez un service' }).waitFor();
  await page
    .getByText('Dépose chaque facture en UBL dans un dossier de votre propre serveur SFTP.')
    .waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await screenshot(page, '02-integrations-fr');

  // The choice is remembered in this browser; English is one more switch away.
  await page.reload();
  await page.getByRole('heading', { name: 'Choisissez un service' }).waitFor();
  await page.getByLabel('Langue').selectOption('en');
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();

  // The three dictionaries have the same texts with the same placeholders.
  const mismatches = await page.evaluate<string[]>(`(async () => {
    const load = (code) => import('/strings/' + code + '.js').then((module) => module.default);
    const [en, fr, nl] = await Promise.all(['en', 'fr', 'nl'].map(load));
    const placeholders = (text) => (text.match(/\\{\\w+\\}/g) ?? []).sort().join();
    const problems = [];
    for (const [code, dictionary] of [['fr', fr], ['nl', nl]]) {
      for (const key of new Set([...Object.keys(en), ...Object.keys(dictionary)])) {
        if (!(key in dictionary) || !(key in en)) problems.push(code + ': ' + key + ' missing on one side');
        else if (placeholders(en[key]) !== placeholders(dictionary[key])) problems.push(code + ': ' + key);
      }
    }
    return problems;
  })()`);
  assert.deepEqual(mismatches, []);
});

test('SFTP setup: outbound addresses, wrong fields and a wrong password shown inline, reload resumes, connected', async () => {
  const page = await signedIn();
  await startSftpSetupByKeyboard(page);
  await screenshot(page, '03-integrations-search');
  assert.equal(await page.getByLabel('UBL: e-FFF 3.0').isChecked(), true, 'the first format is proposed');
  await screenshot(page, '04-step-format');
  await page.getByText('Peppol BIS Billing 3.0').click();
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();
  for (const address of outboundIps) await page.getByText(address, { exact: true }).waitFor();
  assert.equal(await page.getByLabel(/^Port/).inputValue(), '22', 'the default is filled in');
  assert.equal(await page.getByLabel(/^Password/).getAttribute('type'), 'password');

  // A field the API refuses (400): its message next to the field, the field marked invalid and focused.
  await fillSftpCredentials(page, { Host: 'sftp://files.example.com' });
  await page.getByRole('button', { name: 'Next' }).click();
  const hostError = page.locator('#field-host-error');
  await hostError.waitFor();
  assert.match(await hostError.innerText(), /without sftp:\/\//);
  assert.equal(await page.getByLabel(/^Host/).getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(page), 'field-host');
  await screenshot(page, '05-step-credentials-field-error');

  // A password the server refuses (422): the server's answer above the form; the step stays.
  await fillSftpCredentials(page, { Password: 'Wrong-Pa55!' });
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: 'The SFTP server refused the user name or password' })
    .waitFor();
  assert.equal(await hostError.isHidden(), true, 'the corrected field is no longer marked');
  await screenshot(page, '06-step-credentials-wrong-password');

  // The state lives in the workflow: a reload shows the same step and its last error, not a blank wizard.
  await page.reload();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'refused the user name or password' }).waitFor();
  assert.equal(await page.getByLabel(/^Password/).inputValue(), '', 'a secret is never filled in again');

  await fillSftpCredentials(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Accept the terms' }).waitFor();
  await screenshot(page, '07-step-terms');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Tick the box to accept the terms of service.').waitFor();
  await page.getByLabel(/I accept the terms of service/).check();
  await page.getByLabel(/^Your name or e-mail address/).fill('alice@example.test');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: 'SFTP is connected' }).waitFor();
  await screenshot(page, '08-connected');

  const [connection] = await connectionsOf('active');
  assert.ok(connection);
  const read = await relais.api('GET', `/v1/connections/${connection.id}`);
  assert.equal(read.body.connection.settings.format, 'peppol-bis-3');
  assert.equal(read.body.connection.settings.uploadPath, 'Invoice_import/[invoice_type]/');
});

test('Back leaves the setup (to the list, or to a new setup prefilled with the answers); Cancel ends it', async () => {
  const page = await signedIn();
  await startSftpSetupByKeyboard(page);
  const first = (await connectionsOf('setting-up'))[0]!;
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();
  assert.equal((await relais.api('GET', `/v1/connections/${first.id}`)).body.connection.status, 'cancelled');

  await page.getByRole('button', { name: /^SFTP/ }).click();
  await page.getByText('Peppol BIS Billing 3.0').click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();
  const second = (await connectionsOf('setting-up'))[0]!;
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Choose the format' }).waitFor();
  const third = (await connectionsOf('setting-up'))[0]!;
  assert.notEqual(third.id, second.id, 'a new setup');
  assert.ok(page.url().endsWith(`#/setup/${third.id}`));
  assert.equal(await page.getByLabel('Peppol BIS Billing 3.0').isChecked(), true, 'the answer given before');
  assert.equal((await relais.api('GET', `/v1/connections/${second.id}`)).body.connection.status, 'cancelled');

  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  assert.equal((await relais.api('GET', `/v1/connections/${third.id}`)).body.connection.status, 'cancelled');
  assert.deepEqual(await connectionsOf('setting-up'), []);
});

test('a document sent through the API shows as delivered on the connections page', async () => {
  const page = await signedIn();
  const [connection] = await connectionsOf('active');
  const card = page.locator(`#connection-${connection!.id}`);
  await card.getByText('No deliveries yet.').waitFor();

  const accepted = await acceptDocument(relais, ublBeInvoice('WEB-SFTP-1'));
  const deliveryId = accepted.deliveries[0].id as string;
  // The page refreshes itself: no reload.
  await card.locator(`#delivery-${deliveryId}-status`, { hasText: 'Delivered' }).waitFor({ timeout: 30_000 });
  await card.getByText(/Delivered to Invoice_import\/purchases\/.*WEB-SFTP-1/).waitFor();
  assert.deepEqual(
    (await listFiles(sshd.uploadRoot)).filter((file) => file.includes('WEB-SFTP-1')).length,
    1,
  );
  await screenshot(page, '09-connections-delivered');

  // The newest deliveries come first: the API lists them newest first on request.
  await acceptDocument(relais, ublBeInvoice('WEB-SFTP-2'));
  const newest = await relais.api(
    'GET',
    `/v1/deliveries?connectionId=${connection!.id}&order=newest&limit=1`,
  );
  await waitFor('the second delivery on the page', async () => {
    const first = await card.locator('.delivery').first().getAttribute('id');
    return first === `delivery-${newest.body.deliveries[0].id}`;
  });
});

test('at 360 px wide every screen fits without sideways scrolling', async () => {
  const page = await signedIn({ viewport: { width: 360, height: 740 } });
  // Evaluated in the page (a string: this file is type-checked without the DOM's types).
  const fits = () => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  assert.equal(await fits(), true, 'connections page');
  await screenshot(page, '10-connections-360');
  await page.goto(`${relais.url}/#/new/purchase-invoice`);
  await page.getByRole('heading', { name: 'Choose a service' }).waitFor();
  assert.equal(await fits(), true, 'integrations');
  await page.getByRole('button', { name: /^SFTP/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Enter your details' }).waitFor();
  await screenshot(page, '11-credentials-360');
  assert.equal(await fits(), true, 'credentials step');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
});

test('the app is served with a strict policy, loads nothing from elsewhere and raised no error', async () => {
  const answer = await fetch(`${relais.url}/`);
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /text\/html/);
  const policy = answer.headers.get('content-security-policy') ?? '';
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self'(;|$)/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  assert.equal((await fetch(`${relais.url}/no-such-file.js`)).status, 404);

  for (const watched of pages) {
    assert.deepEqual(watched.problems, []);
    assert.deepEqual([...watched.origins], [relais.url], 'only our own origin');
  }
});
