import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, readDelivery, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';

let dropbox: DropboxFake;
let relais: TestRelais;
let connectionId: string;
let failedId: string;
const deliveredIds: string[] = [];

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });

  // One delivery Dropbox refuses, four it accepts.
  dropbox.failNext({
    status: 409,
    body: {
      error_summary: 'path/disallowed_name/..',
      error: { '.tag': 'path', reason: { '.tag': 'disallowed_name' } },
    },
    path: '/2/files/upload',
  });
  failedId = (await acceptDocument(relais, ublBeInvoice('LIST-0'))).deliveries[0].id;
  await waitForStatus(relais, failedId, 'failed');
  for (const number of ['LIST-1', 'LIST-2', 'LIST-3', 'LIST-4']) {
    deliveredIds.push((await acceptDocument(relais, ublBeInvoice(number))).deliveries[0].id);
  }
  await Promise.all(deliveredIds.map((id) => waitForStatus(relais, id, 'delivered')));
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

/** Follows nextCursor from the first page to the last; returns every delivery id in order and the page sizes. */
async function listAll(query: string, tenant?: TestTenant): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await relais.api(
      'GET',
      `/v1/deliveries?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      tenant ? { tenant } : {},
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    ids.push(...page.body.deliveries.map((d: { id: string }) => d.id));
    pages.push(page.body.deliveries.length);
    cursor = page.body.nextCursor;
    assert.ok(pages.length <= 10, 'the cursor keeps returning pages');
  } while (cursor);
  return { ids, pages };
}

test('the list filters by status and pages through every delivery exactly once', async () => {
  const delivered = await listAll('status=delivered&limit=2');
  assert.deepEqual(delivered.pages, [2, 2]);
  assert.deepEqual(delivered.ids, deliveredIds, 'each delivered one once, oldest first');

  const failed = await listAll('status=failed');
  assert.deepEqual(failed.ids, [failedId]);
  const failedDelivery = await readDelivery(relais, failedId);
  assert.match(failedDelivery.lastError, /disallowed_name/);

  const all = await listAll(`connectionId=${connectionId}&limit=1`);
  assert.deepEqual(all.pages, [1, 1, 1, 1, 1]);
  assert.deepEqual(all.ids, [failedId, ...deliveredIds]);

  const retrying = await listAll('status=retrying');
  assert.deepEqual(retrying.ids, []);
  const byDocument = await relais.api('GET', `/v1/deliveries?documentId=${failedDelivery.documentId}`);
  assert.deepEqual(
    byDocument.body.deliveries.map((d: { id: string }) => d.id),
    [failedId],
  );

  const badCursor = await relais.api('GET', '/v1/deliveries?cursor=bm90LWEtY3Vyc29y');
  assert.equal(badCursor.status, 400);
  const badStatus = await relais.api('GET', '/v1/deliveries?status=lost');
  assert.equal(badStatus.status, 400);
  assert.equal(badStatus.body.details[0].path, 'status');
});

test('order=newest lists the same deliveries newest first, page after page', async () => {
  const oldestFirst = await listAll('limit=2');
  const newestFirst = await listAll('limit=2&order=newest');
  assert.deepEqual(newestFirst.ids, [...oldestFirst.ids].reverse());
  assert.deepEqual(newestFirst.pages, [2, 2, 1]);
  const badOrder = await relais.api('GET', '/v1/deliveries?order=random');
  assert.equal(badOrder.status, 400);
  assert.equal(badOrder.body.details[0].path, 'order');
});

test("another tenant's key sees none of these deliveries and cannot retry them", async () => {
  const other = await relais.createTenant('Someone else');
  for (const id of [failedId, deliveredIds[0]!]) {
    const read = await relais.api('GET', `/v1/deliveries/${id}`, undefined, { tenant: other });
    assert.equal(read.status, 404, `GET ${id}`);
    const retry = await relais.api('POST', `/v1/deliveries/${id}/retry`, undefined, { tenant: other });
    assert.equal(retry.status, 404, `retry ${id}`);
  }
  assert.deepEqual((await listAll('limit=50', other)).ids, []);
  assert.deepEqual((await listAll(`connectionId=${connectionId}`, other)).ids, []);

  const untouched = await readDelivery(relais, failedId);
  assert.equal(untouched.status, 'failed');
  assert.equal(untouched.runs, 1, 'the refused retry did not start a run');
});
