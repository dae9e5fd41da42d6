import { patched, proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileResult } from '../activities/reconcile';
import type { WebhookActivities, WebhookReconcileResult } from '../activities/webhooks';

const { reconcileDeliveries, reconcileWebhookDeliveries } = proxyActivities<
  ReconcileActivities & WebhookActivities
>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds' },
});

/** Marks the runs that also reconcile webhook deliveries (issue 15.1). */
export const reconcileWebhooksPatch = 'reconcile-webhooks';

/** Schedule id of the reconciler: one per namespace, created idempotently when a worker starts. */
export const reconcileScheduleId = 'relais-reconcile';

/**
 * Run by the `relais-reconcile` Schedule (every minute, overlap SKIP): starts deliveries stored but
 * never started, and repairs rows whose workflow ended without recording its end; the same for webhook
 * deliveries (`webhooks` in the result).
 */
export async function reconcileWorkflow(input: {
  afterSeconds: number;
}): Promise<ReconcileResult & { webhooks?: WebhookReconcileResult }> {
  const deliveries = await reconcileDeliveries(input);
  if (!patched(reconcileWebhooksPatch)) return deliveries;
  return { ...deliveries, webhooks: await reconcileWebhookDeliveries(input) };
}
