import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../platform/config';
import { reconcileScheduleId, reconcileWorkflow } from '../workflows/reconcile';

/**
 * Creates the reconciler's Schedule (`relais-reconcile`, every RELAIS_RECONCILE_EVERY_SECONDS, overlap
 * SKIP) when a worker starts; one that exists already is updated to the current settings, so every
 * worker may call this at start-up.
 */
export async function ensureReconcileSchedule(client: Client, config: Config): Promise<void> {
  const options = {
    spec: { intervals: [{ every: `${config.RELAIS_RECONCILE_EVERY_SECONDS} seconds` as const }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: reconcileWorkflow,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ afterSeconds: config.RELAIS_RECONCILE_AFTER_SECONDS }] as [{ afterSeconds: number }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await client.schedule.create({ scheduleId: reconcileScheduleId, ...options });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(reconcileScheduleId).update((previous) => ({
      ...previous,
      ...options,
      state: previous.state,
    }));
  }
}
