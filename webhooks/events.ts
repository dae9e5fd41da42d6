import { z } from 'zod';

/** What a tenant's endpoint can subscribe to: a connection's status and a delivery's outcome. */
export const webhookEventTypes = [
  'connection.active',
  'connection.needs-reauth',
  'connection.disconnected',
  'delivery.delivered',
  'delivery.failed',
  'delivery.waiting-for-connection',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhookEventTypeSchema = z.enum(webhookEventTypes);

/** The `data` of a `connection.*` event: ids and status, never settings or credentials. */
export interface ConnectionEventData {
  connectionId: string;
  connectorId: string;
  documentType: string;
  status: string;
  /** Why, in words, when the status says something is wrong (e.g. the target refused the sign-in). */
  reason: string | null;
  /** Events of one connection (its own and its deliveries') are numbered 1, 2, ... in commit order. */
  sequence: number;
  occurredAt: string;
}

/** The `data` of a `delivery.*` event. */
export interface DeliveryEventData {
  deliveryId: string;
  documentId: string;
  connectionId: string;
  connectorId: string;
  status: string;
  attempts: number;
  reason: string | null;
  reasonKind: string | null;
  deliveredAt: string | null;
  sequence: number;
  occurredAt: string;
}

/** The JSON body every endpoint receives, signed as Standard Webhooks say (webhook-id is the event's id). */
export interface WebhookBody {
  type: WebhookEventType;
  timestamp: string;
  data: ConnectionEventData | DeliveryEventData;
}
