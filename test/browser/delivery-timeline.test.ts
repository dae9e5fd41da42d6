/*
 * A delivery's history and a connection's last 7 days in a real browser (issue 15.4), and errors in the
 * reader's language with the target's own words beside them (issue 15.5): French, then Dutch and English,
 * under the app's strict Content-Security-Policy (an inline style or script would show as a problem).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DropboxFake } from '../fakes/dropbox';
import { startLyantheFake, type LyantheFake } from '../fakes/lyanthe';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import {
  launchChromium,
  openPage,
  screenshot,
  signedInUrl,
  type WatchedPage,
} from '../helpers/browser-chromium';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let dropbox: DropboxFake;
let lyanthe: LyantheFake;
let relais: TestRelais;
let browser: Browser;
let connectionId: string;
const ids: Record<string, string> = {};
const pages: WatchedPage[] = [];

before(async () => {
  [dropbox, browser] = await Promise.all([startDropbox(), launchChromium()]);
  lyanthe = await startLyantheFake({
    user: { username: 'an.janssens@kantoor.be', password: 'correct horse battery staple' },
    organisation: { name: 'Kantoor Janssens', mailDomain: 'kantoor-janssens.lyanthe.example' },
    administrations: [{ id: 'adm-1', name: 'Bakkerij Claes BV', mailroomNumber: '0412345678' }],
  });
  relais = await startTestRelais({ ...dropboxEnv(dropbox), LYANTHE_API_URL: lyanthe.url });
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });

  // One delivery that fails once (Dropbox answers 503) and then goes through, one Dropbox refuses.
  dropbox.failNext({ status: 503, times: 1, path: '/2/files/upload' });
  ids.once = (await acceptDocument(relais, ublBeInvoice('WEB-ONCE'))).deliveries[0].id;
  await waitForStatus(relais, ids.once!, 'delivered');
  dropbox.failNext({
    status: 409,
    body: {
      error_summary: 'path/disallowed_name/..',
      error: { '.tag': 'path', reason: { '.tag': 'disallowed_name' } },
    },
    path: '/2/files/upload',
  });
  ids.refused = (await acceptDocument(relais, ublBeInvoice('WEB-REFUSED'))).deliveries[0].id;
  await waitForStatus(relais, ids.refused!, 'failed');
});
after(async () => {
  await browser?.close();
  await relais?.close();
  await dropbox?.close();
  await lyanthe?.close();
  for (const watched of pages) assert.deepEqual(watched.problems, [], 'no script error, no refused style');
});

async function signedIn(locale: string): Promise<Page> {
  const watched = await openPage(browser, { locale });
  pages.push(watched);
  await watched.page.goto(signedInUrl(relais.url, relais.tenant.apiKey));
  await watched.page.getByRole('heading', { level: 1 }).waitFor();
  return watched.page;
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

test('connections page in French: the 7-day chart, by keyboard, and a refusal in French with Dropbox’s words', async () => {
  const page = await signedIn('fr-BE');
  const card = page.locator(`#connection-${connectionId}`);
  const chart = card.getByRole('group', { name: 'Livraisons vers Dropbox, 7 derniers jours' });
  await chart.waitFor();
  const columns = chart.getByRole('img');
  assert.equal(await columns.count(), 7);
  const todayColumn = card.locator(`[id="chart-${connectionId}-${today()}"]`);
  assert.match(
    (await todayColumn.getAttribute('aria-label'))!,
    /: livrés 1, échoués 1, en attente 0$/,
    'today: one delivered, one failed',
  );
  // Bars of today's column: one delivered and one failed, half the height each.
  assert.equal(await todayColumn.locator('rect.chart-bar--delivered').count(), 1);
  assert.equal(await todayColumn.locator('rect.chart-bar--failed').count(), 1);

  // One tab stop, today's; the arrow keys move between days and the caption says the day in words.
  assert.deepEqual(await columns.evaluateAll((all) => all.map((column) => column.getAttribute('tabindex'))), [
    '-1',
    '-1',
    '-1',
    '-1',
    '-1',
    '-1',
    '0',
  ]);
  await todayColumn.focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator(':focus').getAttribute('id'), `chart-${connectionId}-${daysAgo(1)}`);
  assert.match(await card.locator('.chart-caption').innerText(), /: livrés 0, échoués 0, en attente 0$/);
  await page.keyboard.press('Home');
  assert.equal(await page.locator(':focus').getAttribute('id'), `chart-${connectionId}-${daysAgo(6)}`);
  await page.keyboard.press('End');
  assert.equal(await page.locator(':focus').getAttribute('id'), `chart-${connectionId}-${today()}`);

  const refused = page.locator(`#delivery-${ids.refused}`);
  await refused.getByText('Dropbox a refusé ce document.').waitFor();
  const said = await refused.locator('.target-said').innerText();
  assert.match(said, /^Dropbox a répondu : « Dropbox refused to save .*\(path\/disallowed_name\).* »$/);
  await screenshot(page, 'timeline-01-connections-fr');
});

test('a delivery’s history in French, then in Dutch: the failed attempt with Dropbox’s words, then the receipt', async () => {
  const page = await signedIn('fr-BE');
  // From the connections page, by keyboard: the history link of the delivery that failed once.
  const link = page.locator(`#history-${ids.once}`);
  assert.match((await link.getAttribute('aria-label'))!, /^Historique de la livraison du /);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Historique de la livraison' }).waitFor();

  const events = page.locator('ol.timeline > li');
  const texts = async () => (await events.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
  let shown = await texts();
  assert.equal(shown.length, 3, shown.join('\n'));
  assert.match(shown[0]!, /Accepté par Relais$/);
  assert.match(shown[1]!, /Tentative 1 : échec, Relais réessaie/);
  assert.match(shown[1]!, /Dropbox n'a pas pu être joint\. Relais réessaie de lui-même\./);
  assert.match(shown[1]!, /Dropbox a répondu : « Dropbox is having trouble \(HTTP 503\)/);
  assert.match(shown[1]!, /Prochaine tentative prévue : /);
  assert.match(shown[2]!, /Tentative 2 : livré/);
  assert.match(shown[2]!, /Fichier : \S*_WEB-ONCE_\S*\.xml/);
  assert.match(shown[2]!, /Emplacement chez Dropbox : \/Invoice_import\/.*_WEB-ONCE_\S*\.xml/);
  assert.match(shown[2]!, /Référence chez Dropbox : id:\S+$/);
  assert.equal(await page.locator('#delivery-status').innerText(), 'Livré');
  await screenshot(page, 'timeline-02-history-fr');

  await page.getByLabel('Langue').selectOption('nl');
  await page.getByRole('heading', { level: 1, name: 'Geschiedenis van de levering' }).waitFor();
  shown = await texts();
  assert.match(shown[0]!, /Aanvaard door Relais$/);
  assert.match(shown[1]!, /Poging 1: niet gelukt, Relais probeert opnieuw/);
  assert.match(shown[1]!, /Dropbox was niet bereikbaar\. Relais probeert het zelf opnieuw\./);
  assert.match(shown[1]!, /Dropbox antwoordde: “Dropbox is having trouble \(HTTP 503\)/);
  assert.match(shown[2]!, /Poging 2: geleverd/);
  assert.match(shown[2]!, /Bestand: \S*_WEB-ONCE_\S*\.xml/);
  await screenshot(page, 'timeline-03-history-nl');

  // The refused one in English: the refusal, then the failure without repeating Dropbox's words, and Retry.
  await page.getByLabel('Taal').selectOption('en');
  await page.goto(`${relais.url}/#/delivery/${ids.refused}`);
  await page.getByRole('heading', { level: 1, name: 'Delivery history' }).waitFor();
  shown = await texts();
  assert.equal(shown.length, 3, shown.join('\n'));
  assert.match(
    shown[1]!,
    /Attempt 1: refused Dropbox refused this document\. Dropbox said: “Dropbox refused to save/,
  );
  assert.match(shown[2]!, /Failed Dropbox refused this document\.$/);
  await page.getByRole('button', { name: 'Retry' }).click();
  await page.getByText('Sent again (run 2)').waitFor();
  await page.getByText('Attempt 2: delivered').waitFor();
  await page.locator('#delivery-status', { hasText: 'Delivered' }).waitFor();
  await page.getByRole('link', { name: 'Back to the connections' }).click();
  await page.getByRole('group', { name: 'Deliveries to Dropbox, last 7 days' }).waitFor();
});

test('a refused sign-in said in French and Dutch, with Lyanthe’s own words beside it, also after a reload', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'lyanthe',
    documentType: 'sales-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const page = await signedIn('fr-BE');
  await page.goto(`${relais.url}/#/setup/${created.body.connection.id}`);
  await page.getByLabel("Nom d'utilisateur").fill('an.janssens@kantoor.be');
  await page.getByLabel('Mot de passe').fill('wrong horse');
  await page.getByRole('button', { name: 'Suivant' }).click();
  const alert = page.locator('form .form-error');
  await alert.getByText('Lyanthe a refusé ces identifiants. Vérifiez-les et réessayez.').waitFor();
  assert.match(
    await alert.locator('.target-said').innerText(),
    /^Lyanthe a répondu : « Lyanthe refused the sign-in: Unknown user name or wrong password.* »$/,
  );
  await screenshot(page, 'timeline-04-setup-refusal-fr');

  // The setup keeps the refusal's code: after a reload, and in Dutch, the same refusal said anew.
  await page.reload();
  await alert.getByText('Lyanthe a refusé ces identifiants. Vérifiez-les et réessayez.').waitFor();
  await page.getByLabel('Langue').selectOption('nl');
  await alert.getByText('Lyanthe weigerde deze aanmeldgegevens. Kijk ze na en probeer opnieuw.').waitFor();
  assert.match(
    await alert.locator('.target-said').innerText(),
    /^Lyanthe antwoordde: “Lyanthe refused the sign-in: Unknown user name or wrong password/,
  );
});
