import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../connectors/registry';
import type { DeliveryRecord } from '../db/deliveries';
import { activityQueueFor } from '../platform/activity-queues';
import type { Config } from '../platform/config';
import { documentDeliveryWorkflow } from '../workflows/document-delivery';
import { deliveryWorkflowId } from '../workflows/delivery-messages';
import {
  connectionKey,
  connectorKey,
  deliveryStatusKey,
  documentIdKey,
  tenantKey,
} from '../workflows/search-attributes';

/**
 * Starts the delivery workflow of each delivery. The workflow id is derived from (document,
 * connection): starting one that runs or ran already is a no-op, so a replayed request or a crash
 * between storing and starting never delivers twice. `rerun` starts a new run of a finished one.
 */
export async function startDeliveries(
  deps: { temporal: Client; config: Config; connectors: ConnectorRegistry },
  deliveries: DeliveryRecord[],
  options: { rerun?: boolean } = {},
): Promise<void> {
  await Promise.all(
    deliveries.map(async (delivery) => {
      const descriptor = deps.connectors.descriptor(delivery.connectorId)!;
      try {
        await deps.temporal.workflow.start(documentDeliveryWorkflow, {
          workflowId: deliveryWorkflowId(delivery.documentId, delivery.connectionId),
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: options.rerun ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
          args: [
            {
              deliveryId: delivery.id,
              tenantId: delivery.tenantId,
              documentId: delivery.documentId,
              connectionId: delivery.connectionId,
              connectorId: delivery.connectorId,
              activityTaskQueue:
                activityQueueFor(deps.config, descriptor)?.taskQueue ?? deps.config.TEMPORAL_TASK_QUEUE,
              attemptTimeoutMs: deps.config.DELIVERY_ATTEMPT_TIMEOUT_SECONDS * 1000,
              heartbeatTimeoutMs: deps.config.DELIVERY_HEARTBEAT_TIMEOUT_SECONDS * 1000,
              parkMaxDays: deps.config.RELAIS_PARK_MAX_DAYS,
              confirmTiming: {
                firstCheckMs: deps.config.DELIVERY_CONFIRM_FIRST_CHECK_SECONDS * 1000,
                maxCheckMs: deps.config.DELIVERY_CONFIRM_MAX_CHECK_SECONDS * 1000,
                maxWaitMs: deps.config.DELIVERY_CONFIRM_MAX_HOURS * 3_600_000,
              },
            },
          ],
          typedSearchAttributes: [
            { key: tenantKey, value: delivery.tenantId },
            { key: connectorKey, value: delivery.connectorId },
            { key: connectionKey, value: delivery.connectionId },
            { key: documentIdKey, value: delivery.documentId },
            { key: deliveryStatusKey, value: 'queued' },
          ],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }),
  );
}

/** How long a run whose row already shows its end is given to close (it records the end, then completes). */
const CLOSING_RUN_WAIT_MS = 10_000;
const CLOSING_RUN_POLL_MS = 100;

/**
 * Where the delivery's workflow stands: `running`, `closed` (completed, failed, terminated, timed out,
 * cancelled: a new run may start) or `none` (never started, or no longer retained). A run whose row is
 * already `delivered` or `failed` is between recording its end and completing: it is waited for briefly,
 * so a retry right after the row shows `failed` is not refused as "still running".
 */
export async function deliveryRunState(
  temporal: Client,
  delivery: Pick<DeliveryRecord, 'documentId' | 'connectionId' | 'status'>,
): Promise<'running' | 'closed' | 'none'> {
  const handle = temporal.workflow.getHandle(deliveryWorkflowId(delivery.documentId, delivery.connectionId));
  const ended = delivery.status === 'delivered' || delivery.status === 'failed';
  try {
    for (let waited = 0; ; waited += CLOSING_RUN_POLL_MS) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return 'closed';
      if (!ended || waited >= CLOSING_RUN_WAIT_MS) return 'running';
      await new Promise((resolve) => setTimeout(resolve, CLOSING_RUN_POLL_MS));
    }
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'none';
    throw error;
  }
}
