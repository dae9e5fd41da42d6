/*
 * Onea end to end: setup through the API, then deliveries against the contract fake that wait (with
 * workflow timers) until Onea reports DONE, fail visibly on ERROR or when Onea never confirms, and
 * never file the invoice twice across a worker restart or a terminated and retried workflow.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { startOneaFake, type OneaFake } from '../fakes/onea';
import { historyText } from '../helpers/browser';
import {
  acceptDocument,
  readDelivery,
  ublBeInvoice,
  waitForDelivery,
  waitForStatus,
} from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { decodeHistory } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const API_KEY = 'onea-dossier-key-5b7e1f';
let fake: OneaFake;
let relais: TestRelais;
let connectionId: string;

before(async () => {
  fake = await startOneaFake({ apiKeys: [API_KEY] });
  relais = await startTestRelais({
    ONEA_API_URL: fake.url,
    // Checks after 0.2 s, then every 0.3 s; given up after 45 s without DONE: enough checks (~11
    // history events each) that a wait that long continues as new at least once.
    DELIVERY_CONFIRM_FIRST_CHECK_SECONDS: '0.2',
    DELIVERY_CONFIRM_MAX_CHECK_SECONDS: '0.3',
    DELIVERY_CONFIRM_MAX_HOURS: String(45 / 3600),
  });
});
after(async () => {
  await relais?.close();
  await fake?.close();
});

async function step(path: string, body: unknown) {
  return relais.api('POST', `/v1/connections/${connectionId}/steps/${path}`, body);
}

/** The transfers Onea received for the invoice numbered `number`: one, when nothing was filed twice. */
const transfersOf = (number: string) =>
  [...fake.transfers.values()].filter((transfer) => transfer.xml.includes(`<cbc:ID>${number}</cbc:ID>`));

/** Accepts the invoice and waits until Onea accepted it and Relais waits for its confirmation. */
async function awaitingConfirmation(number: string) {
  const accepted = await acceptDocument(relais, ublBeInvoice(number));
  const { id } = accepted.deliveries[0];
  const waiting = await waitForDelivery(
    relais,
    id,
    (d) => d.lastErrorKind === 'awaiting-confirmation' || ['delivered', 'failed'].includes(d.status),
    { what: 'awaiting confirmation' },
  );
  assert.equal(waiting.status, 'delivering', JSON.stringify(waiting));
  return { id, documentId: accepted.documentId as string, uuid: waiting.receipt.pending.reference as string };
}

/**
 * Retries the delivery by hand. The row says `failed` a moment before its workflow closes, and the
 * API refuses (409, nothing done) a retry while the workflow still runs: ask again until it takes it.
 */
async function retryOnceEnded(id: string): Promise<void> {
  let last: unknown;
  await waitFor(
    `delivery ${id} to be retried`,
    async () => {
      const answer = await relais.api('POST', `/v1/deliveries/${id}/retry`);
      last = answer.body;
      if (answer.status === 409) return false;
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return true;
    },
    { describe: () => last },
  );
}

/**
 * The confirm-later path replays against today's workflow code; `RELAIS_RECORD_HISTORIES=1` records it
 * beside the other fixtures, which test/integration/replay.test.ts replays from then on.
 */
async function replaysAndIsRecorded(workflowId: string, name: string): Promise<void> {
  const history = await relais.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const options = {
    workflowBundle: { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! },
    dataConverter: relais.temporal.dataConverter,
  };
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(options, [{ workflowId, history }])) {
    if (result.error) failures.push(result.error.message);
  }
  assert.deepEqual(failures, []);
  if (process.env.RELAIS_RECORD_HISTORIES) {
    const plain = await decodeHistory(history, relais.temporal.dataConverter);
    const file = path.join(__dirname, '..', 'fixtures', 'histories', `${name}.history.pb`);
    writeFileSync(file, temporal.api.history.v1.History.encode(plain).finish());
  }
}

test('setup through the API: a malformed key is refused naming the field, a key is kept and the connection is active', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'onea',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  connectionId = created.body.connection.id;
  const malformed = await step('credentials', { values: { apiKey: 'two words' } });
  assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
  assert.match(JSON.stringify(malformed.body), /apiKey/);
  assert.match(JSON.stringify(malformed.body), /without spaces/);
  const credentials = await step('credentials', { values: { apiKey: API_KEY } });
  assert.equal(credentials.status, 200, JSON.stringify(credentials.body));
  assert.ok(!JSON.stringify(credentials.body).includes(API_KEY), 'the key is never echoed');
  const terms = await step('terms', {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'onea-tests@example.test',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const read = await relais.api('GET', `/v1/connections/${connectionId}`);
  assert.equal(read.body.connection.status, 'active');
});

test('a purchase invoice waits for DONE (status shown meanwhile), then is delivered with the Onea id', async () => {
  fake.setPollsUntilDone(6);
  const { id, documentId, uuid } = await awaitingConfirmation('ONEA-1');
  const waiting = await readDelivery(relais, id);
  assert.match(waiting.lastError, new RegExp(`Onea accepted the document \\(reference ${uuid}\\)`));
  const delivered = await waitForStatus(relais, id, 'delivered');
  const [transfer, ...more] = transfersOf('ONEA-1');
  assert.equal(more.length, 0);
  assert.equal(transfer!.uuid, uuid);
  assert.equal(transfer!.direction, 'incoming');
  assert.ok(transfer!.polls >= 4, `asked ${transfer!.polls} times`);
  assert.equal(delivered.receipt.remoteId, String(transfer!.id));
  assert.equal(delivered.receipt.details.reference, uuid);
  assert.equal(delivered.receipt.pending, undefined);
  assert.equal(delivered.lastError, null);
  // Its timeline: accepted by Onea for later, then confirmed with Onea's id (issue 15.4).
  const { events } = (await relais.api('GET', `/v1/deliveries/${id}/timeline`)).body;
  assert.deepEqual(
    events.map((e: { type: string; outcome: string | null }) => [e.type, e.outcome]),
    [
      ['accepted', null],
      ['attempt', 'awaiting-confirmation'],
      ['delivered', null],
    ],
  );
  assert.equal(events[1].receipt.reference, uuid);
  assert.equal(events[2].receipt.remoteId, String(transfer!.id));
  // The key reached Onea (positive control) and never the workflow history.
  assert.equal(transfer!.apiKey, API_KEY);
  const text = historyText(
    await relais.temporal.decodedHistory(deliveryWorkflowId(documentId, connectionId)),
  );
  assert.ok(text.includes(uuid), 'the decoded history is searchable');
  assert.ok(!text.includes(API_KEY), 'the API key is not in the workflow history');
  await replaysAndIsRecorded(deliveryWorkflowId(documentId, connectionId), 'delivery-onea-confirmed');
  fake.setPollsUntilDone(2);
});

test('an ERROR status fails the delivery visibly with Onea reason', async () => {
  fake.setPollsUntilDone(5);
  fake.failTransfers('Unknown supplier VAT number in dossier');
  const { id } = await awaitingConfirmation('ONEA-2');
  fake.failTransfers(undefined);
  const failed = await waitForStatus(relais, id, 'failed');
  assert.equal(failed.lastErrorKind, 'DocumentRejected');
  assert.match(
    failed.lastError,
    /Onea could not process the invoice .*status ERROR.*Unknown supplier VAT number/,
  );
  // Onea gave up on it: the reference is forgotten, so a retry files the invoice anew.
  assert.equal(failed.receipt.pending, undefined);
  assert.equal(transfersOf('ONEA-2').length, 1);
  fake.setPollsUntilDone(2);
});

test('a worker restart mid-wait goes on asking about the same transfer: nothing is filed twice', async () => {
  fake.setPollsUntilDone(Infinity);
  const { id, uuid } = await awaitingConfirmation('ONEA-3');
  await relais.temporal.stopWorker();
  const transfer = fake.transfers.get(uuid)!;
  fake.setPollsUntilDone(transfer.polls + 2);
  await relais.temporal.startWorker();
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.receipt.remoteId, String(transfer.id));
  assert.equal(transfersOf('ONEA-3').length, 1);
  fake.setPollsUntilDone(2);
});

test('a workflow terminated mid-wait and retried asks about the stored uuid instead of filing again', async () => {
  fake.setPollsUntilDone(Infinity);
  const { id, documentId, uuid } = await awaitingConfirmation('ONEA-4');
  await relais.temporal.client.workflow
    .getHandle(deliveryWorkflowId(documentId, connectionId))
    .terminate('test');
  const retry = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(retry.status, 202, JSON.stringify(retry.body));
  await waitForDelivery(relais, id, (d) => d.runs === 2 && d.lastErrorKind === 'awaiting-confirmation', {
    what: 'waiting again in its second run',
  });
  fake.setPollsUntilDone(fake.transfers.get(uuid)!.polls + 1);
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.receipt.remoteId, String(fake.transfers.get(uuid)!.id));
  assert.equal(transfersOf('ONEA-4').length, 1);
  const posts = fake.log.filter((entry) => entry.method === 'POST').length;
  assert.equal(posts, fake.transfers.size, 'one POST per transfer');
  fake.setPollsUntilDone(2);
});

test('a transfer Onea never confirms fails after the longest wait, across continue-as-new; a retry asks again and sends nothing', async () => {
  fake.setPollsUntilDone(Infinity);
  const { id, documentId, uuid } = await awaitingConfirmation('ONEA-5');
  // Each new run would start a fresh longest wait if the deadline were not carried: it would never fail.
  const failed = await waitForStatus(relais, id, 'failed', { timeoutMs: 180_000 });
  const runs = [];
  const workflowId = deliveryWorkflowId(documentId, connectionId);
  for await (const run of relais.temporal.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    runs.push(run);
  }
  assert.ok(runs.length >= 2, `the long wait continued as new (${runs.length} run)`);
  assert.equal(failed.lastErrorKind, 'NotConfirmed');
  assert.match(failed.lastError, new RegExp(`reference ${uuid}.*did not confirm it within`));
  assert.equal(failed.receipt.pending.reference, uuid);
  fake.setPollsUntilDone(fake.transfers.get(uuid)!.polls + 1);
  await retryOnceEnded(id);
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.receipt.remoteId, String(fake.transfers.get(uuid)!.id));
  assert.equal(transfersOf('ONEA-5').length, 1);
  fake.setPollsUntilDone(2);
});
