import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, reauthorizeDropbox, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/*
 * RELAIS_WORKER_MAX_CACHED_WORKFLOWS bounds the worker's memory when thousands of deliveries and setups
 * wait: the waiting workflows leave the cache, and each is replayed from its history when it wakes.
 */
let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais({ ...dropboxEnv(dropbox), RELAIS_WORKER_MAX_CACHED_WORKFLOWS: '2' });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

test('with a cache of two workflows, six parked deliveries leave it and each is delivered once after the sign-in', async () => {
  const connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();

  const numbers = ['CACHE-1', 'CACHE-2', 'CACHE-3', 'CACHE-4', 'CACHE-5', 'CACHE-6'];
  const ids: string[] = [];
  for (const number of numbers) {
    const accepted = await acceptDocument(relais, ublBeInvoice(number));
    ids.push(accepted.deliveries[0].id);
  }
  await Promise.all(ids.map((id) => waitForStatus(relais, id, 'waiting-for-connection')));
  const cached = relais.temporal.cachedWorkflows();
  assert.ok(cached <= 2, `the worker holds ${cached} workflows while six wait`);

  // Waking them replays each from its history (the re-authorization's signal reaches every one).
  await reauthorizeDropbox(relais, dropbox, connectionId);
  const delivered = await Promise.all(ids.map((id) => waitForStatus(relais, id, 'delivered')));
  for (const delivery of delivered) assert.equal(delivery.runs, 1);
  for (const number of numbers) {
    const files = [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));
    assert.equal(files.length, 1, `${number}: one file`);
  }
});
