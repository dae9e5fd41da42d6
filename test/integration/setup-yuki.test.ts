import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseUbl } from '../../documents/parse-ubl';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { startYukiFake, type YukiFake } from '../fakes/yuki';
import { historyText } from '../helpers/browser';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';

const KEY = 'a1b2c3d4-e5f6-47a8-b9c0-d1e2f3a4b5c6';
const WRONG_KEY = 'ffffffff-0000-4000-8000-000000000000';
const PEETERS = { id: '0f7c1a52-3b9d-4e61-a8f4-5d2c9b7e1a30', name: 'Atelier Peeters BV' };
const DUPONT = { id: '7d4e2b91-6c3a-4f85-b0d7-2e9a1c5f8b64', name: 'Brasserie Dupont SRL' };

let relais: TestRelais;
let be: YukiFake;
let nl: YukiFake;

before(async () => {
  be = await startYukiFake({
    domains: [{ id: 'domain-peeters', apiKey: KEY, administrations: [PEETERS, DUPONT] }],
  });
  nl = await startYukiFake({ domains: [] });
  relais = await startTestRelais({ YUKI_BE_API_URL: be.url, YUKI_NL_API_URL: nl.url });
});
after(async () => {
  await relais?.close();
  await be?.close();
  await nl?.close();
});

async function step(id: string, name: string, body: unknown) {
  return relais.api('POST', `/v1/connections/${id}/steps/${name}`, body);
}

/** Creates a Yuki connection and walks it to the administration step with the right key. */
async function connectYuki(): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'yuki',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.connection.id;
  const good = await step(id, 'credentials', { values: { apiKey: KEY, country: 'be' } });
  assert.equal(good.status, 200, JSON.stringify(good.body));
  return id;
}

test('Yuki setup: wrong key (422 with Yuki’s words), key → administrations of the domain → active; no key in history', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'yuki',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.connection.id;
  assert.equal(created.body.connection.setup.currentStep, 'credentials');

  const missing = await step(id, 'credentials', { values: { country: 'be' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.details[0].path, 'values.apiKey');
  const badCountry = await step(id, 'credentials', { values: { apiKey: KEY, country: 'de' } });
  assert.equal(badCountry.status, 400);
  assert.match(JSON.stringify(badCountry.body), /Choose the country of your Yuki administration/);

  const wrong = await step(id, 'credentials', { values: { apiKey: WRONG_KEY, country: 'be' } });
  assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
  assert.equal(wrong.body.error, 'target-refused');
  assert.match(wrong.body.message, /Authentication failed: the access key is not valid/);
  assert.doesNotMatch(JSON.stringify(wrong.body), new RegExp(WRONG_KEY));

  const good = await step(id, 'credentials', { values: { apiKey: KEY, country: 'be' } });
  assert.equal(good.status, 200, JSON.stringify(good.body));
  const setup = good.body.connection.setup;
  assert.equal(setup.currentStep, 'administration');
  assert.deepEqual(
    setup.administrations.map((a: { id: string; name: string }) => ({ id: a.id, name: a.name })),
    [PEETERS, DUPONT],
  );
  assert.equal(good.body.connection.settings.apiKey, undefined);

  const unknown = await step(id, 'administration', {
    administrationIds: ['c2a9e7f4-1d6b-4a38-9e52-8b0f3d7a6c15'],
  });
  assert.equal(unknown.status, 400, JSON.stringify(unknown.body));

  const chosen = await step(id, 'administration', { administrationIds: [PEETERS.id], values: {} });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
  assert.equal(read.body.connection.settings.country, 'be');
  assert.deepEqual(read.body.connection.settings.administrationIds, [PEETERS.id]);

  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(PEETERS.id), 'the scan reads decoded payloads');
  assert.ok(!history.includes(KEY), 'the API key is not in workflow history');
  assert.ok(!history.includes(WRONG_KEY), 'nor the wrong one');
  assert.equal(nl.calls.length, 0, 'the Belgian host only');
});

test('a delivery lands once in the chosen administration with the e-FFF XML and the invoice’s PDF', async () => {
  const id = await connectYuki();
  const chosen = await step(id, 'administration', { administrationIds: [DUPONT.id], values: {} });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));

  const before = be.documents.length;
  const accepted = await acceptDocument(relais, ublBeInvoice('YUKI/0001'));
  const deliveryId: string = accepted.deliveries.find(
    (d: { connectionId: string }) => d.connectionId === id,
  ).id;
  const delivered = await waitForStatus(relais, deliveryId, 'delivered');

  const landed = be.documents.slice(before).filter((d) => d.administrationId === DUPONT.id);
  assert.equal(landed.length, 1, 'exactly one upload');
  const document = landed[0]!;
  assert.equal(delivered.receipt.remoteId, document.id);
  assert.equal(parseUbl(document.data1).number, 'YUKI/0001', 'the UBL as rendered for Yuki');
  assert.match(document.fileName1, /\.xml$/);
  assert.equal(document.fileName2, document.fileName1.replace(/\.xml$/, '.pdf'));
  assert.equal(document.data2.subarray(0, 5).toString('latin1'), '%PDF-', 'the PDF goes with it');
  assert.equal(document.folder, 1);

  const history = historyText(
    await relais.temporal.decodedHistory(deliveryWorkflowId(accepted.documentId, id)),
  );
  assert.ok(history.includes(id), 'the scan reads decoded payloads');
  assert.ok(!history.includes(KEY), 'the API key is not in the delivery history');
});

test('an upload whose answer was lost is found on the retry: one document in Yuki, the receipt says so', async () => {
  const id = await connectYuki();
  await step(id, 'administration', { administrationIds: [DUPONT.id], values: {} });
  // Only this connection's purchase invoices: disconnect the others so the upload lost is ours.
  await disconnectAllBut(id);
  const before = be.documents.length;
  be.loseNextUploadAnswer();
  const accepted = await acceptDocument(relais, ublBeInvoice('YUKI/0002'));
  const delivered = await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  const landed = be.documents.slice(before);
  assert.equal(landed.length, 1, 'uploaded once although the first answer never came');
  assert.equal(delivered.receipt.alreadyPresent, true);
  assert.equal(delivered.receipt.remoteId, landed[0]!.id);
});

// Last: it revokes the key the other tests connect with.
test('a key deleted in Yuki: the delivery waits and the connection needs re-authorization', async () => {
  const id = await connectYuki();
  await step(id, 'administration', { administrationIds: [PEETERS.id], values: {} });
  await disconnectAllBut(id);
  be.revokeKey(KEY);
  be.expireSessions();
  const accepted = await acceptDocument(relais, ublBeInvoice('YUKI/0003'));
  await waitForStatus(relais, accepted.deliveries[0].id, 'waiting-for-connection');
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'needs-reauth');
  assert.ok(!be.documents.some((d) => parseUbl(d.data1).number === 'YUKI/0003'));
});

/** Disconnects the tenant's other connections, so a document goes to `keep` alone. */
async function disconnectAllBut(keep: string): Promise<void> {
  const listed = await relais.api('GET', '/v1/connections');
  for (const connection of listed.body.connections as Array<{ id: string; status: string }>) {
    if (connection.id === keep || connection.status === 'disconnected') continue;
    const answer = await relais.api('POST', `/v1/connections/${connection.id}/disconnect`);
    assert.ok(answer.status < 300, JSON.stringify(answer.body));
  }
}
