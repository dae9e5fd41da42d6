import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, reauthorizeDropbox, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { decodeHistory } from '../helpers/temporal';
import type { DropboxFake } from '../fakes/dropbox';

/**
 * Replay tests guard workflow changes: histories recorded from earlier versions of the workflows
 * (test/fixtures/histories) must replay against today's code without a determinism error. A change
 * that breaks one needs `patched()` (or a new workflow type), not a new fixture.
 * `RELAIS_RECORD_HISTORIES=1 npm test -- test/integration/replay.test.ts` records the current ones
 * (protobuf binary: the SDK's JSON helpers trip over its two protobufjs copies).
 */
const { History } = temporal.api.history.v1;
const fixtures = path.join(__dirname, '..', 'fixtures', 'histories');
const bundle = { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! };

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

async function replay(histories: Array<{ workflowId: string; history: unknown }>): Promise<string[]> {
  const failures: string[] = [];
  const options = { workflowBundle: bundle, dataConverter: relais.temporal.dataConverter };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

test('histories of today’s setup and delivery paths replay, and are recorded on request', async () => {
  // A setup through OAuth, a delivery that retries, one parked for re-authorization that resumes.
  const connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  dropbox.failNext({ status: 503, path: '/2/files/upload', times: 1 });
  const retried = (await acceptDocument(relais, ublBeInvoice('REPLAY-1'))).deliveries[0];
  await waitForStatus(relais, retried.id, 'delivered');
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const parked = (await acceptDocument(relais, ublBeInvoice('REPLAY-2'))).deliveries[0];
  await waitForStatus(relais, parked.id, 'waiting-for-connection');
  await reauthorizeDropbox(relais, dropbox, connectionId);
  await waitForStatus(relais, parked.id, 'delivered');

  const { client } = relais.temporal;
  const runs = async (workflowId: string) => {
    const found = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) found.push(run);
    return found.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  };
  // The setup's first run created the connection; its second run is the re-authorization.
  const [creation, reauthorization] = await runs(setupWorkflowId(connectionId));
  assert.ok(creation && reauthorization, 'both setup runs are visible');
  const named = {
    'setup-dropbox-create': client.workflow.getHandle(creation.workflowId, creation.runId),
    'setup-dropbox-reauthorize': client.workflow.getHandle(reauthorization.workflowId, reauthorization.runId),
    'delivery-retried': client.workflow.getHandle(deliveryWorkflowId(retried.documentId, connectionId)),
    'delivery-parked-then-resumed': client.workflow.getHandle(
      deliveryWorkflowId(parked.documentId, connectionId),
    ),
  };
  const histories = [];
  for (const [name, handle] of Object.entries(named)) {
    histories.push({ name, workflowId: handle.workflowId, history: await handle.fetchHistory() });
  }
  assert.deepEqual(await replay(histories), []);
  if (process.env.RELAIS_RECORD_HISTORIES) {
    mkdirSync(fixtures, { recursive: true });
    for (const { name, history } of histories) {
      // Decrypted: this run's key is random, the fixtures must replay under any key.
      const plain = await decodeHistory(history, relais.temporal.dataConverter);
      writeFileSync(path.join(fixtures, `${name}.history.pb`), History.encode(plain).finish());
    }
  }
});

test('histories recorded from earlier versions still replay', async () => {
  const files = readdirSync(fixtures).filter((file) => file.endsWith('.history.pb'));
  assert.ok(files.length >= 3, 'the recorded histories are in test/fixtures/histories');
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.history\.pb$/, ''),
    history: History.decode(readFileSync(path.join(fixtures, file))),
  }));
  assert.deepEqual(await replay(histories), []);
});
