import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileResult } from '../activities/reconcile';

const { reconcileDeliveries } = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds' },
});

/** Schedule id of the reconciler: one per namespace, created idempotently when a worker starts. */
export const reconcileScheduleId = 'relais-reconcile';

/**
 * Run by the `relais-reconcile` Schedule (every minute, overlap SKIP): starts deliveries stored but
 * never started, and repairs rows whose workflow ended without recording its end.
 */
export async function reconcileWorkflow(input: { afterSeconds: number }): Promise<ReconcileResult> {
  return reconcileDeliveries(input);
}
