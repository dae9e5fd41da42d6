import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import {
  webhookFailureTypes,
  type WebhookDeliveryInput,
  type WebhookDeliveryOutcome,
} from './webhook-messages';

const bookkeeping = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** "3 days", "5 hours", "40 seconds": the retry period as a person reads it. */
function spelledDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'days'],
    [3_600_000, 'hours'],
    [60_000, 'minutes'],
  ];
  for (const [size, name] of units) if (ms >= 2 * size) return `${Math.round((ms / size) * 10) / 10} ${name}`;
  return `${Math.round(ms / 1000)} seconds`;
}

/**
 * Sends one event to one endpoint (Standard Webhooks signature), once it answers 2xx: every other answer
 * or a network failure is retried with exponential back-off, after the endpoint's Retry-After when it
 * sends one (429, 503), until `giveUpAfterMs` (3 days by default) since the first attempt; then the
 * delivery ends `failed` with the last answer. Each attempt is recorded by the send activity itself.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryOutcome> {
  const { sendWebhook } = proxyActivities<WebhookActivities>({
    // The request itself is bounded at 10 seconds; the rest is reading the store.
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.retry.giveUpAfterMs,
    retry: {
      initialInterval: input.retry.firstIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: input.retry.maximumIntervalMs,
      nonRetryableErrorTypes: [webhookFailureTypes.endpointGone],
    },
  });
  const ref = { webhookDeliveryId: input.webhookDeliveryId, tenantId: input.tenantId };
  try {
    await sendWebhook(input);
    return { status: 'delivered' };
  } catch (error) {
    const failure = error instanceof ActivityFailure ? error.cause : error;
    let message: string;
    if (failure instanceof ApplicationFailure && failure.type === webhookFailureTypes.endpointGone) {
      message = failure.message;
    } else if (failure instanceof ApplicationFailure || failure instanceof TimeoutFailure) {
      // Past the retry period: the server ends the retries with the last failure or a timeout.
      const last =
        failure instanceof ApplicationFailure && failure.type === webhookFailureTypes.notAccepted
          ? ` Last attempt: ${failure.message}`
          : '';
      message = `No 2xx answer within ${spelledDuration(input.retry.giveUpAfterMs)}; Relais gave up.${last}`;
    } else {
      throw error;
    }
    await bookkeeping.markWebhookFailed({ ...ref, message });
    return { status: 'failed', message };
  }
}
