import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { probeWorkflow } from '../../workflows/probe';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais();
});
after(() => relais.close());

test('a workflow runs on the real server and its activity writes to the real database', async () => {
  const probeId = `probe-${Date.now()}`;
  const { client, taskQueue } = relais.temporal;
  const result = await client.workflow.execute(probeWorkflow, {
    taskQueue,
    workflowId: probeId,
    args: [probeId],
  });
  assert.equal(result.probeId, probeId);
  assert.match(result.workerIdentity, new RegExp(`^${process.pid}@`));
  const { rows } = await relais.db.pool.query('select worker_identity from probes where id = $1', [probeId]);
  assert.deepEqual(rows, [{ worker_identity: result.workerIdentity }]);

  const history = await client.workflow.getHandle(probeId).fetchHistory();
  const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
  assert.equal(scheduled.length, 1, 'exactly one activity was scheduled');
});
