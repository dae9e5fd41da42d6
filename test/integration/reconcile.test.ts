import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import type { ReconcileResult } from '../../activities/reconcile';
import { deliveriesToReconcile } from '../../db/delivery-queries';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { ensureReconcileSchedule } from '../../worker/reconcile-schedule';
import { reconcileScheduleId, reconcileWorkflow } from '../../workflows/reconcile';
import type { DropboxFake } from '../fakes/dropbox';
import {
  acceptDocument,
  readDelivery,
  submitDocument,
  ublBeInvoice,
  waitForStatus,
} from '../helpers/delivery-api';
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

/** What the `relais-reconcile` Schedule runs every minute, run once here on the test's task queue. */
function reconcile(afterSeconds: number): Promise<ReconcileResult> {
  return relais.temporal.client.workflow.execute(reconcileWorkflow, {
    workflowId: `reconcile-test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    taskQueue: relais.temporal.taskQueue,
    args: [{ afterSeconds }],
  });
}

/** The API's fault hook (NODE_ENV=test only): the transaction commits, then starting the workflows fails. */
function failStartsAfterCommit(fail: boolean): void {
  (relais.config as { RELAIS_TEST_FAIL_AFTER_COMMIT: boolean }).RELAIS_TEST_FAIL_AFTER_COMMIT = fail;
}

const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));

test('a document stored but never started answers 202, and the reconciler delivers it with no client action', async () => {
  failStartsAfterCommit(true);
  let accepted;
  try {
    // A stored document is an accepted document: 202 although no workflow could be started.
    accepted = await acceptDocument(relais, ublBeInvoice('REC-1'));
  } finally {
    failStartsAfterCommit(false);
  }
  const { id } = accepted.deliveries[0];
  assert.equal(accepted.deliveries[0].status, 'queued');
  const handle = relais.temporal.client.workflow.getHandle(
    deliveryWorkflowId(accepted.documentId, connectionId),
  );
  await assert.rejects(handle.describe(), WorkflowNotFoundError);
  assert.equal((await readDelivery(relais, id)).status, 'queued');

  // Younger than the reconciler's delay: left alone (the API may still be starting it).
  const early = await reconcile(3600);
  assert.equal(early.started, 0);
  await assert.rejects(handle.describe(), WorkflowNotFoundError);

  const run = await reconcile(0);
  assert.equal(run.started, 1);
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.ok(delivered.receipt);
  assert.equal(filesNumbered('REC-1').length, 1);

  // Once delivered there is nothing left to do: a further run starts nothing.
  const again = await reconcile(0);
  assert.equal(again.started, 0);
  assert.equal(filesNumbered('REC-1').length, 1);
});

test('a row whose workflow was terminated before recording its end is marked failed by the reconciler', async () => {
  // Dropbox refuses two uploads: the delivery waits to try again, its row says `retrying`.
  dropbox.failNext({ status: 503, path: '/2/files/upload', times: 2 });
  const accepted = await acceptDocument(relais, ublBeInvoice('REC-2'));
  const { id } = accepted.deliveries[0];
  await waitForStatus(relais, id, 'retrying');
  const handle = relais.temporal.client.workflow.getHandle(
    deliveryWorkflowId(accepted.documentId, connectionId),
  );
  await handle.terminate('operator stopped it');
  assert.equal((await readDelivery(relais, id)).status, 'retrying');

  const run = await reconcile(0);
  assert.equal(run.failed, 1);
  assert.equal(run.started, 0);
  const repaired = await readDelivery(relais, id);
  assert.equal(repaired.status, 'failed');
  assert.match(repaired.lastError, /terminated/);
  // Repaired, not restarted: the terminated run is still the last one.
  assert.equal((await handle.describe()).status.name, 'TERMINATED');
});

test('more stuck rows than one run examines: successive runs reach every one, not the same oldest few', async () => {
  const ids: string[] = [];
  for (const n of [1, 2, 3, 4]) {
    const accepted = await acceptDocument(relais, ublBeInvoice(`STUCK-${n}`));
    ids.push((await waitForStatus(relais, accepted.deliveries[0].id, 'delivered')).id);
  }
  // As parked rows look: non-final, untouched for long (the oldest first in updated_at order).
  await relais.db.pool.query(
    `update deliveries set status = 'retrying', updated_at = now() - make_interval(hours => 1 + array_position($1::uuid[], id))
      where id = any($1::uuid[])`,
    [ids],
  );
  try {
    const seen = new Set<string>();
    for (let run = 0; run < 40; run += 1) {
      for (const row of await deliveriesToReconcile(relais.db.pool, 60, 2)) seen.add(row.id);
    }
    assert.deepEqual([...seen].sort(), [...ids].sort());
  } finally {
    await relais.db.pool.query(`update deliveries set status = 'delivered' where id = any($1::uuid[])`, [
      ids,
    ]);
  }
});

test('worker start-up creates the relais-reconcile Schedule once: every minute, overlap SKIP', async () => {
  const client = relais.temporal.client;
  await ensureReconcileSchedule(client, relais.config);
  // A second worker starting: no error, still one schedule.
  await ensureReconcileSchedule(client, relais.config);
  const handle = client.schedule.getHandle(reconcileScheduleId);
  try {
    const description = await handle.describe();
    assert.equal(description.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.deepEqual(
      description.spec.intervals?.map((interval) => interval.every),
      [60_000],
    );
    assert.equal(description.action.type, 'startWorkflow');
    assert.equal(
      description.action.type === 'startWorkflow' && description.action.workflowType,
      'reconcileWorkflow',
    );
  } finally {
    await handle.delete();
  }
});

test('PostgreSQL down before anything is stored: 503 naming postgres, nothing stored', async () => {
  const pool = relais.db.pool;
  const documentsBefore = (await pool.query('select count(*)::int as n from documents')).rows[0].n;
  const connect = pool.connect.bind(pool);
  // Every new connection is refused, as with PostgreSQL stopped.
  (pool as { connect: unknown }).connect = (callback?: (error: Error) => void) => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    if (callback) return void callback(refused);
    return Promise.reject(refused);
  };

  let answer;
  try {
    answer = await submitDocument(relais, ublBeInvoice('REC-503'));
    const down = await relais.api('GET', '/v1/connections');
    assert.equal(down.status, 503);
    assert.match(down.body.message, /postgres/);
    assert.equal(down.headers.get('retry-after'), '30');
  } finally {
    (pool as { connect: unknown }).connect = connect;
  }
  assert.equal(answer.status, 503);
  assert.equal(answer.body.error, 'dependency-unavailable');
  assert.match(answer.body.message, /postgres/);
  const { rows } = await pool.query('select count(*)::int as n from documents');
  assert.equal(rows[0].n, documentsBefore);
});
