/** How a webhook delivery is retried: exponential back-off from the first wait up to the longest, for a bounded time. */
export interface WebhookRetry {
  firstIntervalMs: number;
  maximumIntervalMs: number;
  /** After this long since the first attempt, no further attempt: the delivery ends `failed`. */
  giveUpAfterMs: number;
}

/** What a webhook workflow carries: ids and timings only (the secret, the URL and the event stay in the store). */
export interface WebhookDeliveryInput {
  webhookDeliveryId: string;
  tenantId: string;
  retry: WebhookRetry;
}

export type WebhookDeliveryOutcome = { status: 'delivered' } | { status: 'failed'; message: string };

/** Failure types of the send activity; every other failure (non-2xx, network) is retried. */
export const webhookFailureTypes = {
  /** The endpoint was deleted, or the delivery is gone: nothing more to send. */
  endpointGone: 'WebhookEndpointGone',
  /** The endpoint answered something other than 2xx, or could not be reached. */
  notAccepted: 'WebhookNotAccepted',
} as const;

export const webhookDeliveryWorkflowId = (webhookDeliveryId: string) =>
  `webhook-delivery-${webhookDeliveryId}`;
