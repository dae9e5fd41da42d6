import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, readDelivery, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let dropbox: DropboxFake;
let relais: TestRelais;
let connectionId: string;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));

/**
 * Accepts the invoice while Dropbox is down (two uploads refused: the delivery waits to try again),
 * then terminates its workflow as an operator would: the row stays `retrying`, no run is left. The
 * second refusal is met by the next run, which then delivers.
 */
async function terminatedDelivery(number: string): Promise<{ id: string; documentId: string }> {
  dropbox.failNext({ status: 503, path: '/2/files/upload', times: 2 });
  const accepted = await acceptDocument(relais, ublBeInvoice(number));
  const { id } = accepted.deliveries[0];
  await waitForStatus(relais, id, 'retrying');
  const handle = relais.temporal.client.workflow.getHandle(
    deliveryWorkflowId(accepted.documentId, connectionId),
  );
  await handle.terminate('operator stopped it');
  assert.equal((await handle.describe()).status.name, 'TERMINATED');
  return { id, documentId: accepted.documentId };
}

test('a delivery whose workflow was terminated is retried: a new run delivers it', async () => {
  const { id } = await terminatedDelivery('TERM-1');
  assert.equal((await readDelivery(relais, id)).status, 'retrying');
  const retry = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(retry.status, 202, JSON.stringify(retry.body));
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.runs, 2);
  assert.equal(filesNumbered('TERM-1').length, 1);
});

test('resend restarts a delivery whose workflow was terminated', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const { id } = await terminatedDelivery('TERM-2');
  const resend = await relais.api('POST', `/v1/connections/${connectionId}/resend?since=${since}`);
  assert.equal(resend.status, 202, JSON.stringify(resend.body));
  assert.equal(resend.body.restarted, 1);
  assert.equal(resend.body.running, 0);
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.runs, 2);
  assert.equal(filesNumbered('TERM-2').length, 1);
});

test('a delivery whose workflow runs is not retried: 409', async () => {
  dropbox.failNext({ status: 503, path: '/2/files/upload', times: 1 });
  const accepted = await acceptDocument(relais, ublBeInvoice('RUN-1'));
  const { id } = accepted.deliveries[0];
  await waitForStatus(relais, id, 'retrying');
  const retry = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(retry.status, 409, JSON.stringify(retry.body));
  assert.equal(retry.body.error, 'delivery-in-progress');
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.runs, 1, 'the refused retry started no run');
});
