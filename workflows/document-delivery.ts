import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/delivery';
import {
  connectionChangedSignal,
  deliveryFailureTypes,
  deliveryRetry,
  deliveryStateQuery,
  type DeliveryInput,
  type DeliveryOutcome,
  type DeliveryView,
} from './delivery-messages';
import { deliveryStatusKey } from './search-attributes';

const bookkeeping = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * Delivers one document to one connection, exactly once: the deliver activity is idempotent at the
 * target and retried with back-off (honouring the target's Retry-After) while the target is down or
 * throttles; a rejected document fails with the target's reason; a revoked authorization parks the
 * delivery until the connection is re-authorized, then it resumes by itself.
 */
export async function documentDeliveryWorkflow(input: DeliveryInput): Promise<DeliveryOutcome> {
  const view: DeliveryView = { status: 'delivering' };
  const connection: { change?: 'active' | 'disconnected' } = {};
  setHandler(deliveryStateQuery, () => view);
  setHandler(connectionChangedSignal, ({ status }) => {
    connection.change = status;
  });

  const { deliverDocument } = proxyActivities<DeliveryActivities>({
    taskQueue: input.activityTaskQueue,
    // Also bounds how long a delivery waits when its worker dies mid-attempt: then the server retries it.
    startToCloseTimeout: input.attemptTimeoutMs ?? '2 minutes',
    // Three days of retries cover a weekend outage at the target; then the delivery fails visibly.
    scheduleToCloseTimeout: '3 days',
    retry: {
      initialInterval: deliveryRetry.initialIntervalMs,
      backoffCoefficient: deliveryRetry.backoffCoefficient,
      maximumInterval: deliveryRetry.maximumIntervalMs,
      nonRetryableErrorTypes: [
        deliveryFailureTypes.rejected,
        deliveryFailureTypes.misconfigured,
        deliveryFailureTypes.authorizationExpired,
        deliveryFailureTypes.connectionClosed,
      ],
    },
  });

  const mark = (status: DeliveryView['status']) => {
    view.status = status;
    upsertSearchAttributes([{ key: deliveryStatusKey, value: status }]);
  };
  mark('delivering');

  for (;;) {
    try {
      const receipt = await deliverDocument(input);
      mark('delivered');
      return { status: 'delivered', receipt };
    } catch (error) {
      const failure = error instanceof ActivityFailure ? error.cause : error;
      if (
        failure instanceof ApplicationFailure &&
        failure.type === deliveryFailureTypes.authorizationExpired
      ) {
        mark('waiting-for-connection');
        view.message = failure.message;
        delete connection.change;
        await bookkeeping.markDeliveryWaiting({ deliveryId: input.deliveryId, message: failure.message });
        // Woken by the re-authorization; a periodic look covers a signal that raced the parking.
        while (!(await condition(() => connection.change !== undefined, '10 minutes'))) {
          const status = await bookkeeping.connectionStatus(input);
          if (status === 'active') connection.change = 'active';
          else if (status !== 'needs-reauth') connection.change = 'disconnected';
        }
        if (connection.change === 'active') {
          mark('delivering');
          delete view.message;
          continue;
        }
        return fail(
          deliveryFailureTypes.connectionClosed,
          'The connection was disconnected before the document could be delivered.',
        );
      }
      if (failure instanceof ApplicationFailure) {
        return fail(failure.type ?? 'Error', failure.message);
      }
      if (failure instanceof TimeoutFailure) {
        return fail(
          'GaveUp',
          'The target stayed unavailable for three days; the delivery was given up. Retry it once the target is back.',
        );
      }
      throw error;
    }
  }

  async function fail(kind: string, message: string): Promise<DeliveryOutcome> {
    mark('failed');
    view.message = message;
    await bookkeeping.markDeliveryFailed({ deliveryId: input.deliveryId, kind, message });
    return { status: 'failed', kind, message };
  }
}
