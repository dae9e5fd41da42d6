import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { setConnectionStatus } from '../../db/connections';
import { getDelivery } from '../../db/deliveries';
import { loadConfig } from '../../platform/config';
import { ensureSearchAttributes } from '../../platform/temporal-server';
import { relaisVersion } from '../../platform/version';
import { connectionChangedSignal, type DeliveryInput } from '../../workflows/delivery-messages';
import { documentDeliveryWorkflow } from '../../workflows/document-delivery';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/**
 * Parked deliveries stay bounded (issue 9.1): on the time-skipping server, with the real worker and
 * activities, a delivery whose connection needs re-authorization waits on the signal with a rare
 * look at the connection, continues as new before its history grows large, and fails visibly once
 * its longest wait has passed; re-authorized in time, it delivers.
 */
const EVENTS_PER_RUN_BOUND = 1_000;
const dayMs = 24 * 3_600_000;

let dropbox: DropboxFake;
let relais: TestRelais;
let env: TestWorkflowEnvironment;
let connectionId: string;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  // From here on the time-skipping server runs the deliveries: the suite's worker stops, so the
  // deliveries the API starts on the dev server never run there.
  await relais.temporal.stopWorker();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
    client: { dataConverter: relais.temporal.dataConverter },
  });
  await ensureSearchAttributes(env.connection, 'default');
});
after(async () => {
  await env?.teardown();
  await relais?.close();
  await dropbox?.close();
});

/** The real worker and activities, on the time-skipping server (a worker runs once: one per test). */
const newWorker = () =>
  Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'time-skipping',
    dataConverter: relais.temporal.dataConverter,
    workflowBundle: { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! },
    activities: createActivities({
      pool: relais.db.pool,
      vault: relais.vault,
      connectors: relais.connectors,
      publicBaseUrl: relais.url,
      softwareVersion: relaisVersion,
    }),
  });

/** A stored document and its delivery row, and the connection waiting for its owner to sign in again. */
async function parkedDelivery(number: string, parkMaxDays?: number): Promise<DeliveryInput> {
  await setConnectionStatus(relais.db.pool, relais.tenant.id, connectionId, 'active', null);
  const accepted = await acceptDocument(relais, ublBeInvoice(number));
  assert.equal(accepted.deliveries.length, 1);
  await setConnectionStatus(
    relais.db.pool,
    relais.tenant.id,
    connectionId,
    'needs-reauth',
    'Sign in to Dropbox again to reconnect.',
  );
  return {
    deliveryId: accepted.deliveries[0].id,
    tenantId: relais.tenant.id,
    documentId: accepted.documentId,
    connectionId,
    connectorId: 'dropbox',
    activityTaskQueue: 'time-skipping',
    ...(parkMaxDays !== undefined ? { parkMaxDays } : {}),
  };
}

/** The event counts of every run of a workflow, following continue-as-new from the first run. */
async function eventsPerRun(workflowId: string, firstRunId: string): Promise<number[]> {
  const counts: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await env.client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events = history.events ?? [];
    counts.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return counts;
}

test('a delivery parked for 60 days keeps each run’s history small and ends visibly failed', async () => {
  const input = await parkedDelivery('PARK-60', 60);
  const handle = await env.client.workflow.start(documentDeliveryWorkflow, {
    taskQueue: 'time-skipping',
    workflowId: `park-60-${input.documentId}`,
    workflowTaskTimeout: '5 seconds',
    args: [input],
  });
  const outcome = await (await newWorker()).runUntil(handle.result());
  assert.equal(outcome.status, 'failed');
  assert.ok(outcome.status === 'failed' && outcome.kind === 'ParkedTooLong', JSON.stringify(outcome));
  assert.match(outcome.message, /not re-authorized within 60 days/);

  const described = await env.client.workflow.getHandle(handle.workflowId).describe();
  const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
  const waitedMs = described.closeTime!.getTime() - first.startTime.getTime();
  assert.ok(waitedMs >= 60 * dayMs, `gave up after ${waitedMs / dayMs} days of workflow time, not before 60`);

  const counts = await eventsPerRun(handle.workflowId, handle.firstExecutionRunId);
  console.log(`events per run: ${counts.join(', ')}`);
  assert.ok(counts.length >= 2, `the long wait continued as new (runs: ${counts.join(', ')})`);
  for (const count of counts) {
    assert.ok(count < EVENTS_PER_RUN_BOUND, `a run of ${count} events (runs: ${counts.join(', ')})`);
  }

  const row = await getDelivery(relais.db.pool, relais.tenant.id, input.deliveryId);
  assert.equal(row?.status, 'failed');
  assert.equal(row?.lastErrorKind, 'ParkedTooLong');
  assert.match(row?.lastError ?? '', /not re-authorized within 60 days/);
});

test('a delivery re-authorized on day 20 (default longest wait: 30 days) is delivered', async () => {
  const input = await parkedDelivery('PARK-20', loadConfig({}).RELAIS_PARK_MAX_DAYS);
  const handle = await env.client.workflow.start(documentDeliveryWorkflow, {
    taskQueue: 'time-skipping',
    workflowId: `park-20-${input.documentId}`,
    workflowTaskTimeout: '5 seconds',
    args: [input],
  });
  const outcome = await (
    await newWorker()
  ).runUntil(async () => {
    await env.sleep(20 * dayMs);
    const parked = await getDelivery(relais.db.pool, relais.tenant.id, input.deliveryId);
    assert.equal(parked?.status, 'waiting-for-connection');
    await setConnectionStatus(relais.db.pool, relais.tenant.id, connectionId, 'active', null);
    await env.client.workflow
      .getHandle(handle.workflowId)
      .signal(connectionChangedSignal, { status: 'active' });
    return handle.result();
  });
  assert.equal(outcome.status, 'delivered', JSON.stringify(outcome));
  const row = await getDelivery(relais.db.pool, relais.tenant.id, input.deliveryId);
  assert.equal(row?.status, 'delivered');
  assert.equal([...dropbox.files.keys()].filter((key) => key.includes('_PARK-20_')).length, 1);
});
