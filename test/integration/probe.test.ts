import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { probeWorkflow } from '../../workflows/probe';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestWorker, type TestTemporal } from '../helpers/temporal';

let db: TestDatabase;
let temporal: TestTemporal;

before(async () => {
  db = await createTestDatabase();
  temporal = await startTestWorker({ pool: db.pool });
});
after(async () => {
  await temporal.close();
  await db.drop();
});

test('a workflow runs on the real server and its activity writes to the real database', async () => {
  const probeId = `probe-${Date.now()}`;
  const result = await temporal.runUntil(() =>
    temporal.client.workflow.execute(probeWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: probeId,
      args: [probeId],
    }),
  );
  assert.equal(result.probeId, probeId);
  assert.match(result.workerIdentity, new RegExp(`^${process.pid}@`));
  const { rows } = await db.pool.query('select worker_identity from probes where id = $1', [probeId]);
  assert.deepEqual(rows, [{ worker_identity: result.workerIdentity }]);

  const history = await temporal.client.workflow.getHandle(probeId).fetchHistory();
  const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
  assert.equal(scheduled.length, 1, 'exactly one activity was scheduled');
});
