import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, reauthorizeDropbox, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';

let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));
const uploadsOf = (number: string) =>
  dropbox.log.filter(
    (entry) => entry.path === '/2/files/upload' && entry.headers['dropbox-api-arg']?.includes(`_${number}_`),
  );
const tokenCalls = () => dropbox.log.filter((entry) => entry.path === '/oauth2/token').length;

/** A tenant of its own with one Dropbox connection for purchase invoices, so its documents go nowhere else. */
async function tenantWithDropbox(name: string): Promise<{ tenant: TestTenant; connectionId: string }> {
  const tenant = await relais.createTenant(name);
  const connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice', tenant });
  return { tenant, connectionId };
}

async function sendInvoice(tenant: TestTenant, number: string): Promise<string> {
  const accepted = await acceptDocument(relais, ublBeInvoice(number), { tenant });
  assert.equal(accepted.deliveries.length, 1);
  return accepted.deliveries[0].id;
}

test('a revoked Dropbox grant parks deliveries until the owner signs in again, then they deliver by themselves', async () => {
  const { tenant, connectionId } = await tenantWithDropbox('Revoked grant');
  // The user unlinked the app in Dropbox: the refresh token and the access tokens from it are dead.
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();

  const ids = [await sendInvoice(tenant, 'PARKED-1'), await sendInvoice(tenant, 'PARKED-2')];
  const parked = await Promise.all(
    ids.map((id) => waitForStatus(relais, id, 'waiting-for-connection', { tenant })),
  );
  for (const delivery of parked) {
    assert.equal(delivery.lastErrorKind, 'auth-expired');
    assert.match(delivery.lastError, /Sign in to Dropbox again to reconnect/);
  }
  const waiting = await relais.api('GET', `/v1/connections/${connectionId}`, undefined, { tenant });
  assert.equal(waiting.body.connection.status, 'needs-reauth');
  assert.match(waiting.body.connection.statusMessage, /Sign in to Dropbox again/);
  assert.deepEqual([...filesNumbered('PARKED-1'), ...filesNumbered('PARKED-2')], []);
  const attemptsWhileParked = uploadsOf('PARKED-1').length + uploadsOf('PARKED-2').length;

  // Invoices keep arriving while the owner has not signed in again: they wait too, none is dropped.
  ids.push(await sendInvoice(tenant, 'PARKED-3'));
  await waitForStatus(relais, ids[2]!, 'waiting-for-connection', { tenant });
  assert.deepEqual(uploadsOf('PARKED-3'), [], 'nothing is sent with an authorization known to be dead');

  await reauthorizeDropbox(relais, dropbox, connectionId, tenant);
  const restored = await relais.api('GET', `/v1/connections/${connectionId}`, undefined, { tenant });
  assert.equal(restored.body.connection.id, connectionId, 'the same connection, not a new one');
  assert.equal(restored.body.connection.status, 'active');

  // No retry call: the re-authorization wakes the parked deliveries.
  const delivered = await Promise.all(ids.map((id) => waitForStatus(relais, id, 'delivered', { tenant })));
  assert.equal(delivered.length, 3);
  for (const delivery of delivered) {
    assert.equal(delivery.runs, 1);
    assert.equal(delivery.lastError, null);
  }
  assert.equal(filesNumbered('PARKED-1').length, 1);
  assert.equal(filesNumbered('PARKED-2').length, 1);
  assert.equal(filesNumbered('PARKED-3').length, 1);
  assert.ok(attemptsWhileParked <= 2, 'parked deliveries do not keep calling Dropbox');
});

test('an expired access token is refreshed once and the delivery goes through', async () => {
  const { tenant, connectionId } = await tenantWithDropbox('Expired token');
  dropbox.expireAccessTokens();
  const before = tokenCalls();

  const id = await sendInvoice(tenant, 'REFRESH-1');
  const delivered = await waitForStatus(relais, id, 'delivered', { tenant });
  assert.equal(delivered.attempts, 1, 'the refresh happens inside the attempt');
  assert.deepEqual(
    uploadsOf('REFRESH-1').map((entry) => entry.status),
    [401, 200],
  );
  assert.equal(tokenCalls() - before, 1, 'exactly one token refresh');
  assert.equal(filesNumbered('REFRESH-1').length, 1);

  // The new access token was kept: the next delivery uses it without another refresh.
  await waitForStatus(relais, await sendInvoice(tenant, 'REFRESH-2'), 'delivered', { tenant });
  assert.equal(tokenCalls() - before, 1);
  const connection = await relais.api('GET', `/v1/connections/${connectionId}`, undefined, { tenant });
  assert.equal(connection.body.connection.status, 'active');
});
