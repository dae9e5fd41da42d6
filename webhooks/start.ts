import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { WebhookDeliveryRef } from '../db/webhooks';
import type { Config } from '../platform/config';
import { webhookDeliveryWorkflow } from '../workflows/webhook-delivery';
import { webhookDeliveryWorkflowId, type WebhookRetry } from '../workflows/webhook-messages';
import { tenantKey } from '../workflows/search-attributes';

/** The retry timings of new webhook workflows, from the configuration. */
export function webhookRetry(config: Config): WebhookRetry {
  return {
    firstIntervalMs: config.RELAIS_WEBHOOK_RETRY_FIRST_SECONDS * 1000,
    maximumIntervalMs: config.RELAIS_WEBHOOK_RETRY_MAX_SECONDS * 1000,
    giveUpAfterMs: config.RELAIS_WEBHOOK_GIVE_UP_SECONDS * 1000,
  };
}

/**
 * Starts the workflow of each webhook delivery, once its row has committed. The workflow id is the
 * delivery's: starting one that runs or ran already is a no-op, so the reconciler may start what a
 * caller may also have started.
 */
export async function startWebhookDeliveries(
  deps: { temporal: Client; config: Config },
  deliveries: WebhookDeliveryRef[],
): Promise<void> {
  await Promise.all(
    deliveries.map(async (delivery) => {
      try {
        await deps.temporal.workflow.start(webhookDeliveryWorkflow, {
          workflowId: webhookDeliveryWorkflowId(delivery.id),
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [
            { webhookDeliveryId: delivery.id, tenantId: delivery.tenantId, retry: webhookRetry(deps.config) },
          ],
          typedSearchAttributes: [{ key: tenantKey, value: delivery.tenantId }],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }),
  );
}
