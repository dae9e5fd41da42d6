import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/delivery';
import {
  connectionChangedSignal,
  deliveryFailureTypes,
  deliveryRetry,
  deliveryStateQuery,
  defaultConfirmTiming,
  type DeliveryConfirming,
  type DeliveryInput,
  type DeliveryOutcome,
  type DeliveryPark,
  type DeliveryView,
} from './delivery-messages';
import { deliveryStatusKey } from './search-attributes';

const bookkeeping = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** Marks the histories whose parking waits on the signal with a rare safety check (issue 9.1). */
export const boundedParkPatch = 'bounded-park';
/** A parked delivery looks at its connection this often, in case a signal raced the parking. */
const parkCheckMs = 12 * 3_600_000;
/** A parked run continues as new past this many events (a 30-day park takes ~700 events). */
const parkHistoryLimit = 400;
const defaultParkMaxDays = 30;
const dayMs = 24 * 3_600_000;
/** Marks the histories that wait for a target's confirmation of a pending receipt (issue 12, Onea). */
export const confirmLaterPatch = 'confirm-later';
/** A confirming run continues as new past this many events (a check costs ~11). */
const confirmHistoryLimit = 400;

/** "7 days", "5 hours", "2 minutes": the longest wait as a person reads it. */
function spelledDuration(ms: number): string {
  const [amount, unit] =
    ms >= 2 * dayMs
      ? [ms / dayMs, 'days']
      : ms >= 2 * 3_600_000
        ? [ms / 3_600_000, 'hours']
        : [ms / 60_000, 'minutes'];
  const rounded = Math.round(amount * 10) / 10;
  return `${rounded} ${unit}`;
}

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
    startToCloseTimeout: input.attemptTimeoutMs ?? '2 minutes',
    // The attempt heartbeats every few seconds: a dead worker's attempt is handed on within this.
    heartbeatTimeout: input.heartbeatTimeoutMs ?? '20 seconds',
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
  const { park: carriedPark, confirming: carriedConfirming, ...delivery } = input;
  const timing = input.confirmTiming ?? defaultConfirmTiming;
  if (carriedConfirming) {
    // Continued as new while waiting for the target's confirmation: ask on, within the same deadline.
    mark('delivering');
    return awaitConfirmation(carriedConfirming);
  }
  if (carriedPark) {
    // Continued as new while parked: look at the connection once, then deliver or wait on.
    mark('waiting-for-connection');
    view.message = carriedPark.message;
    await lookAtConnection();
    const outcome = await waitWhileParked(carriedPark);
    if (outcome) return outcome;
  } else {
    mark('delivering');
  }

  for (;;) {
    try {
      const receipt = await deliverDocument(delivery);
      if (receipt.pending && patched(confirmLaterPatch)) {
        return await awaitConfirmation({
          reference: receipt.pending.reference,
          deadline: Date.now() + timing.maxWaitMs,
          nextCheckMs: timing.firstCheckMs,
          message: `The target accepted the document (reference ${receipt.pending.reference}); waiting for it to confirm.`,
        });
      }
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
        if (patched(boundedParkPatch)) {
          const outcome = await waitWhileParked({
            deadline: Date.now() + (input.parkMaxDays ?? defaultParkMaxDays) * dayMs,
            message: failure.message,
          });
          if (outcome) return outcome;
          continue;
        }
        // Histories from before the patch: a look every 10 minutes, without end.
        while (!(await condition(() => connection.change !== undefined, '10 minutes'))) {
          await lookAtConnection();
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

  /**
   * Waits for the re-authorization: woken by the connectionChanged signal, with a look at the
   * connection every 12 hours in case a signal raced the parking. Bounded twice: past the park's
   * deadline the delivery fails visibly, and a long wait continues as new before its history grows
   * large. Returns nothing when the connection is active again (deliver), else the failed outcome.
   */
  async function waitWhileParked(park: DeliveryPark): Promise<DeliveryOutcome | undefined> {
    while (connection.change === undefined) {
      const remaining = park.deadline - Date.now();
      if (remaining <= 0) {
        const days = input.parkMaxDays ?? defaultParkMaxDays;
        return fail(
          'ParkedTooLong',
          `The connection was not re-authorized within ${days} days; the delivery was given up. ` +
            'Retry it once the connection is re-authorized.',
        );
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > parkHistoryLimit) {
        await continueAsNew<typeof documentDeliveryWorkflow>({ ...delivery, park });
      }
      if (!(await condition(() => connection.change !== undefined, Math.min(remaining, parkCheckMs)))) {
        await lookAtConnection();
      }
    }
    if (connection.change === 'active') {
      mark('delivering');
      delete view.message;
      return undefined;
    }
    return fail(
      deliveryFailureTypes.connectionClosed,
      'The connection was disconnected before the document could be delivered.',
    );
  }

  /**
   * The target accepted the document and processes it later: ask it after a timer, each wait twice the
   * last up to a longest gap, until it confirms (delivered), refuses (failed with its reason) or the
   * longest wait ends (failed visibly; the reference is kept, so a retry asks again and sends nothing).
   */
  async function awaitConfirmation(start: DeliveryConfirming): Promise<DeliveryOutcome> {
    const { confirmDelivery } = proxyActivities<DeliveryActivities>({
      taskQueue: input.activityTaskQueue,
      startToCloseTimeout: '1 minute',
      // Only Relais's own trouble (database) is retried here; the target's is a "not yet" answer.
      scheduleToCloseTimeout: '1 day',
      retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
    });
    let confirming = start;
    view.message = confirming.message;
    for (;;) {
      const remaining = confirming.deadline - Date.now();
      if (remaining <= 0) {
        return fail(
          'NotConfirmed',
          `The target accepted the document (reference ${confirming.reference}) but did not confirm it ` +
            `within ${spelledDuration(timing.maxWaitMs)}; the delivery was given up. Check the document at the target: retrying ` +
            'the delivery asks about the same reference again and does not send it twice.',
        );
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > confirmHistoryLimit) {
        await continueAsNew<typeof documentDeliveryWorkflow>({ ...delivery, confirming });
      }
      await sleep(Math.min(confirming.nextCheckMs, remaining));
      try {
        const answer = await confirmDelivery({ ...delivery, reference: confirming.reference });
        if (answer.done) {
          mark('delivered');
          delete view.message;
          return { status: 'delivered', receipt: answer.receipt };
        }
        view.message = answer.message;
        confirming = {
          ...confirming,
          message: answer.message,
          nextCheckMs: Math.min(confirming.nextCheckMs * 2, timing.maxCheckMs),
        };
      } catch (error) {
        const failure = error instanceof ActivityFailure ? error.cause : error;
        if (failure instanceof ApplicationFailure) return fail(failure.type ?? 'Error', failure.message);
        if (failure instanceof TimeoutFailure) {
          return fail('GaveUp', 'Relais could not check the delivery with the target for a day; retry it.');
        }
        throw error;
      }
    }
  }

  /** The connection's stored status, for a signal that may have raced the parking. */
  async function lookAtConnection(): Promise<void> {
    const status = await bookkeeping.connectionStatus(delivery);
    if (status === 'active') connection.change = 'active';
    else if (status !== 'needs-reauth') connection.change = 'disconnected';
  }

  async function fail(kind: string, message: string): Promise<DeliveryOutcome> {
    mark('failed');
    view.message = message;
    await bookkeeping.markDeliveryFailed({ deliveryId: input.deliveryId, kind, message });
    return { status: 'failed', kind, message };
  }
}
