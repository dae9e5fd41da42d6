/*
 * Wings Online and PingWin set up through the API against their contract fakes (assumed contracts),
 * then one invoice each delivered exactly once; refused fields and refused credentials answered
 * clearly; no secret in the workflows' histories.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { defaultPingwinFile, pingwinEnv, startPingwinFake, type PingwinFake } from '../fakes/pingwin';
import { defaultWingsFile, startWingsFake, wingsEnv, type WingsFake } from '../fakes/wings-online';
import { historyText } from '../helpers/browser';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';

let relais: TestRelais;
let wings: WingsFake;
let pingwin: PingwinFake;

before(async () => {
  [wings, pingwin] = await Promise.all([startWingsFake(), startPingwinFake()]);
  relais = await startTestRelais({ ...wingsEnv(wings), ...pingwinEnv(pingwin) });
});
after(async () => {
  await relais?.close();
  await wings?.close();
  await pingwin?.close();
});

const wingsValues = (overrides: Record<string, unknown> = {}) => ({
  values: {
    username: defaultWingsFile.username,
    password: defaultWingsFile.password,
    internalNumber: defaultWingsFile.internalNumber,
    receivablesJournal: 'VK1',
    payablesJournal: 'AK1',
    ...overrides,
  },
});

const pingwinValues = (overrides: Record<string, unknown> = {}) => ({
  values: {
    apiKey: defaultPingwinFile.apiKey,
    clid: defaultPingwinFile.clid,
    fileId: defaultPingwinFile.fileId,
    ...overrides,
  },
});

async function createConnection(connectorId: string, tenant: TestTenant): Promise<string> {
  const created = await relais.api(
    'POST',
    '/v1/connections',
    { connectorId, documentType: 'purchase-invoice' },
    { tenant },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id as string;
}

/** Posts one invoice for the tenant; waits until its one delivery is delivered; returns it. */
async function deliverOne(tenant: TestTenant, number: string) {
  const accepted = await acceptDocument(relais, ublBeInvoice(number), { tenant });
  assert.equal(accepted.deliveries.length, 1, 'the one connection takes the document');
  const id = accepted.deliveries[0].id as string;
  return waitForStatus(relais, id, 'delivered', { tenant });
}

test('both are listed as available, with the assumed-contract flag', async () => {
  const answer = await relais.api('GET', '/v1/integrations?lang=en');
  for (const id of ['wings-online', 'pingwin']) {
    const integration = answer.body.integrations.find((candidate: { id: string }) => candidate.id === id);
    assert.equal(integration.available, true, id);
    assert.equal(integration.assumedContract, true, id);
  }
});

test('Wings Online: wrong user name (400, hint), wrong password (422), then active; one booking per invoice', async () => {
  const tenant = await relais.createTenant('Wings tenant');
  const id = await createConnection('wings-online', tenant);
  const step = (body: unknown) =>
    relais.api('POST', `/v1/connections/${id}/steps/credentials`, body, { tenant });

  const badUser = await step(wingsValues({ username: 'Wings123' }));
  assert.equal(badUser.status, 400, JSON.stringify(badUser.body));
  assert.equal(badUser.body.details[0].path, 'values.username');
  assert.match(badUser.body.details[0].message, /always starts with Wings8, for example Wings8123/);

  const refused = await step(wingsValues({ password: 'Wrong-Pa55!' }));
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error, 'target-refused');
  assert.match(refused.body.message, /Invalid user name or password/);
  assert.doesNotMatch(JSON.stringify(refused.body), /Wrong-Pa55!/);

  const good = await step(wingsValues());
  assert.equal(good.status, 200, JSON.stringify(good.body));
  const read = await relais.api('GET', `/v1/connections/${id}`, undefined, { tenant });
  assert.equal(read.body.connection.status, 'active', 'credentials is the only step');
  assert.equal(read.body.connection.settings.password, undefined);
  assert.equal(read.body.connection.settings.payablesJournal, 'AK1');

  const delivery = await deliverOne(tenant, 'WINGS-0001');
  const booked = wings
    .bookings(defaultWingsFile.internalNumber)
    .filter((booking) => booking.externalReference === delivery.id);
  assert.equal(booked.length, 1, 'booked exactly once');
  assert.equal(booked[0]!.journal, 'AK1', 'a purchase invoice goes to the payables journal');
  assert.match(booked[0]!.content.toString('utf8'), /WINGS-0001/);
  assert.equal(delivery.receipt.remoteId, booked[0]!.documentId);

  const history =
    historyText(await relais.temporal.decodedHistory(setupWorkflowId(id))) +
    historyText(await relais.temporal.decodedHistory(deliveryWorkflowId(delivery.documentId, id)));
  assert.ok(history.includes(defaultWingsFile.username), 'the scan reads decoded payloads');
  assert.ok(!history.includes(defaultWingsFile.password), 'no password in workflow history');
  assert.ok(!history.includes('Wrong-Pa55!'), 'nor the wrong one');
});

test('PingWin: a wrong key (422), then credentials and terms → active; one document per invoice', async () => {
  const tenant = await relais.createTenant('PingWin tenant');
  const id = await createConnection('pingwin', tenant);
  const credentials = (body: unknown) =>
    relais.api('POST', `/v1/connections/${id}/steps/credentials`, body, { tenant });

  const empty = await credentials(pingwinValues({ clid: '' }));
  assert.equal(empty.status, 400, JSON.stringify(empty.body));
  assert.equal(empty.body.details[0].path, 'values.clid');

  const refused = await credentials(pingwinValues({ apiKey: 'pw_live_wrongKey99' }));
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.match(refused.body.message, /Invalid API key for this file/);
  assert.doesNotMatch(JSON.stringify(refused.body), /pw_live_wrongKey99/);

  assert.equal((await credentials(pingwinValues())).status, 200);
  const terms = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/terms`,
    { accepted: true, termsVersion: '2026-01', acceptedBy: 'pingwin@example.test' },
    { tenant },
  );
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const read = await relais.api('GET', `/v1/connections/${id}`, undefined, { tenant });
  assert.equal(read.body.connection.status, 'active');
  assert.equal(read.body.connection.settings.apiKey, undefined);

  const delivery = await deliverOne(tenant, 'PINGWIN-0001');
  const filed = pingwin
    .documents(defaultPingwinFile.fileId)
    .filter((document) => document.externalId === delivery.id);
  assert.equal(filed.length, 1, 'filed exactly once');
  assert.equal(filed[0]!.direction, 'purchase');
  assert.equal(delivery.receipt.remoteId, filed[0]!.id);

  const history =
    historyText(await relais.temporal.decodedHistory(setupWorkflowId(id))) +
    historyText(await relais.temporal.decodedHistory(deliveryWorkflowId(delivery.documentId, id)));
  assert.ok(history.includes(defaultPingwinFile.clid), 'the scan reads decoded payloads');
  assert.ok(!history.includes(defaultPingwinFile.apiKey), 'no API key in workflow history');
});

/** A PingWin connection of its own tenant, set up through the API; returns both. */
async function connectPingwin(name: string): Promise<{ tenant: TestTenant; id: string }> {
  const tenant = await relais.createTenant(name);
  const id = await createConnection('pingwin', tenant);
  const credentials = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, pingwinValues(), {
    tenant,
  });
  assert.equal(credentials.status, 200, JSON.stringify(credentials.body));
  const terms = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/terms`,
    { accepted: true, termsVersion: '2026-01', acceptedBy: 'pingwin@example.test' },
    { tenant },
  );
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  return { tenant, id };
}

const filedUnder = (deliveryId: string) =>
  pingwin.documents(defaultPingwinFile.fileId).filter((document) => document.externalId === deliveryId);

test('PingWin answers through the workflow: 503 is retried, 401 waits for new details, 400 fails with its text', async () => {
  const { tenant, id } = await connectPingwin('PingWin failures');

  // Busy: retried after Retry-After, then filed once.
  pingwin.knobs.failNext({ status: 503, retryAfter: '1', body: '{"message":"maintenance"}' });
  const retried = await deliverOne(tenant, 'PINGWIN-503');
  assert.equal(filedUnder(retried.id).length, 1);

  // Key revoked: the delivery waits, the connection asks for the details again; then it goes through.
  pingwin.knobs.failNext({ status: 401, body: '{"message":"API key revoked"}' });
  const accepted = await acceptDocument(relais, ublBeInvoice('PINGWIN-401'), { tenant });
  const waitingId = accepted.deliveries[0].id as string;
  await waitForStatus(relais, waitingId, 'waiting-for-connection', { tenant });
  const connection = await relais.api('GET', `/v1/connections/${id}`, undefined, { tenant });
  assert.equal(connection.body.connection.status, 'needs-reauth');
  assert.match(connection.body.connection.statusMessage, /API key revoked/);
  assert.equal(filedUnder(waitingId).length, 0);

  const reauth = await relais.api('POST', `/v1/connections/${id}/reauthorize`, undefined, { tenant });
  assert.equal(reauth.status, 200, JSON.stringify(reauth.body));
  const again = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, pingwinValues(), {
    tenant,
  });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  if (again.body.connection.setup?.currentStep === 'terms') {
    await relais.api(
      'POST',
      `/v1/connections/${id}/steps/terms`,
      { accepted: true, termsVersion: '2026-01', acceptedBy: 'pingwin@example.test' },
      { tenant },
    );
  }
  await waitForStatus(relais, waitingId, 'delivered', { tenant, timeoutMs: 60_000 });
  assert.equal(filedUnder(waitingId).length, 1, 'filed once after the new details');

  // Refused: the delivery fails with PingWin's own words, nothing filed.
  pingwin.knobs.failNext({
    status: 400,
    method: 'POST',
    body: '{"message":"Supplier unknown in this file"}',
  });
  const refused = await acceptDocument(relais, ublBeInvoice('PINGWIN-400'), { tenant });
  const refusedId = refused.deliveries[0].id as string;
  const failed = await waitForStatus(relais, refusedId, 'failed', { tenant });
  assert.match(JSON.stringify(failed), /Supplier unknown in this file/);
  assert.equal(filedUnder(refusedId).length, 0);
});
