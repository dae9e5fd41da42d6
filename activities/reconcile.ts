import { WorkflowNotFoundError } from '@temporalio/client';
import { startDeliveries } from '../platform/start-deliveries';
import { deliveriesToReconcile } from '../db/delivery-queries';
import { setDeliveryStatus, type DeliveryRecord } from '../db/deliveries';
import type { DeliveryOutcome } from '../workflows/delivery-messages';
import { deliveryWorkflowId } from '../workflows/delivery-messages';
import type { ActivityDeps } from '.';
import { startWebhooksAfterCommit } from './webhooks';

/**
 * At most this many rows are looked at per run, `queued` ones first (so long-parked running deliveries
 * cannot crowd out unstarted ones), then a random sample of the others: later runs reach the rest.
 */
export const reconcileBatch = 500;

export interface ReconcileResult {
  examined: number;
  started: number;
  recorded: number;
  failed: number;
}

/**
 * The safety net between the store and Temporal: rows commit before their workflows start, so a start
 * that failed (Temporal down, API killed) leaves `queued` rows without a workflow, and a workflow that
 * ended without its last activity (terminated, timed out) leaves a row that never reaches its end.
 */
export function createReconcileActivities(deps: ActivityDeps) {
  /** Records an end, then starts the webhook deliveries its change recorded. */
  const setStatus = async (id: string, update: Parameters<typeof setDeliveryStatus>[2]) =>
    startWebhooksAfterCommit(deps, await setDeliveryStatus(deps.pool, id, update));

  return {
    async reconcileDeliveries(input: { afterSeconds: number }): Promise<ReconcileResult> {
      const { temporal, config } = deps;
      if (!temporal || !config) throw new Error('reconcileDeliveries needs a Temporal client and the config');
      const rows = await deliveriesToReconcile(deps.pool, input.afterSeconds, reconcileBatch);
      const result: ReconcileResult = { examined: rows.length, started: 0, recorded: 0, failed: 0 };
      const toStart: DeliveryRecord[] = [];
      for (const delivery of rows) {
        const handle = temporal.workflow.getHandle(
          deliveryWorkflowId(delivery.documentId, delivery.connectionId),
        );
        let status: string;
        try {
          status = (await handle.describe()).status.name;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          // Never started (or no longer retained, and so never finished): start it.
          toStart.push(delivery);
          continue;
        }
        if (status === 'RUNNING') continue;
        if (status === 'COMPLETED') {
          const outcome = (await handle.result()) as DeliveryOutcome;
          if (outcome.status === 'delivered') {
            await setStatus(delivery.id, {
              status: 'delivered',
              lastError: null,
              receipt: { ...outcome.receipt },
            });
            result.recorded++;
          } else {
            await setStatus(delivery.id, {
              status: 'failed',
              lastError: outcome.message,
              lastErrorKind: outcome.kind,
            });
            result.failed++;
          }
          continue;
        }
        // FAILED, TERMINATED, TIMED_OUT, CANCELLED: the workflow ended without recording its end.
        await setStatus(delivery.id, {
          status: 'failed',
          lastError: `The delivery workflow ended (${status.toLowerCase().replace(/_/g, ' ')}) before it recorded an outcome; retry the delivery to send it again.`,
          lastErrorKind: 'internal',
        });
        result.failed++;
      }
      // The API's own start: the same workflow id, a no-op for one that runs already.
      await startDeliveries({ temporal, config, connectors: deps.connectors }, toStart);
      result.started = toStart.length;
      return result;
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
