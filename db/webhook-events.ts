import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { WebhookDeliveryRef } from './webhooks';
import type { ConnectionEventData, DeliveryEventData, WebhookEventType } from '../webhooks/events';

/*
 * The webhook outbox. A state change that a tenant's endpoints may subscribe to calls one of these with
 * the client of its own transaction: the event and one pending delivery per subscribed endpoint commit
 * (or roll back) with the change itself. Their workflows start after the commit; what a dead process
 * never started, the reconciler starts. Callers start the returned delivery ids.
 */

/** Endpoints of the tenant subscribed to `type` now; none: no event is recorded. */
async function subscribedEndpoints(
  db: pg.PoolClient,
  tenantId: string,
  type: WebhookEventType,
): Promise<string[]> {
  const { rows } = await db.query(
    `select id from webhook_endpoints where tenant_id = $1 and deleted_at is null and $2 = any(event_types)
      order by created_at, id`,
    [tenantId, type],
  );
  return rows.map((row) => row.id as string);
}

/**
 * The connection's next event number, and the transaction's time (the instant the change's rows show as
 * updated_at). The upsert locks the connection's sequence row until the transaction ends, so two changes
 * of one connection get their numbers in the order they commit.
 */
async function nextSequence(
  db: pg.PoolClient,
  tenantId: string,
  connectionId: string,
): Promise<{ sequence: number; occurredAt: string }> {
  const { rows } = await db.query(
    `insert into webhook_sequences (connection_id, tenant_id, last_sequence) values ($1, $2, 1)
     on conflict (connection_id) do update set last_sequence = webhook_sequences.last_sequence + 1
     returning last_sequence, now() as now`,
    [connectionId, tenantId],
  );
  return { sequence: rows[0].last_sequence as number, occurredAt: (rows[0].now as Date).toISOString() };
}

/** Records the event and its deliveries; returns the new deliveries (none when nobody subscribed). */
async function recordEvent(
  db: pg.PoolClient,
  input: {
    tenantId: string;
    connectionId: string;
    type: WebhookEventType;
    data: (sequence: number, occurredAt: string) => ConnectionEventData | DeliveryEventData;
  },
): Promise<WebhookDeliveryRef[]> {
  const endpoints = await subscribedEndpoints(db, input.tenantId, input.type);
  if (endpoints.length === 0) return [];
  const { sequence, occurredAt } = await nextSequence(db, input.tenantId, input.connectionId);
  const eventId = randomUUID();
  await db.query(
    `insert into webhook_events (id, tenant_id, type, connection_id, sequence, data, created_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      eventId,
      input.tenantId,
      input.type,
      input.connectionId,
      sequence,
      JSON.stringify(input.data(sequence, occurredAt)),
      occurredAt,
    ],
  );
  const deliveryIds = endpoints.map(() => randomUUID());
  await db.query(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, status)
     select unnest($1::uuid[]), $2, unnest($3::uuid[]), $4, 'pending'`,
    [deliveryIds, input.tenantId, endpoints, eventId],
  );
  return deliveryIds.map((id) => ({ id, tenantId: input.tenantId }));
}

/** A connection's event, from its row as the transaction left it. */
export async function recordConnectionWebhookEvent(
  db: pg.PoolClient,
  input: { tenantId: string; connectionId: string; type: WebhookEventType },
): Promise<WebhookDeliveryRef[]> {
  const { rows } = await db.query(
    `select connector_id, document_type, status, status_message from connections where id = $1 and tenant_id = $2`,
    [input.connectionId, input.tenantId],
  );
  const row = rows[0];
  if (!row) return [];
  return recordEvent(db, {
    ...input,
    data: (sequence, occurredAt) => ({
      connectionId: input.connectionId,
      connectorId: row.connector_id,
      documentType: row.document_type,
      status: row.status,
      reason: row.status_message,
      sequence,
      occurredAt,
    }),
  });
}

/** A delivery's event, from its row as the transaction left it. */
export async function recordDeliveryWebhookEvent(
  db: pg.PoolClient,
  input: { deliveryId: string; type: WebhookEventType },
): Promise<WebhookDeliveryRef[]> {
  const { rows } = await db.query('select * from deliveries where id = $1', [input.deliveryId]);
  const row = rows[0];
  if (!row) return [];
  return recordEvent(db, {
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    type: input.type,
    data: (sequence, occurredAt) => ({
      deliveryId: row.id,
      documentId: row.document_id,
      connectionId: row.connection_id,
      connectorId: row.connector_id,
      status: row.status,
      attempts: row.attempts,
      reason: row.last_error,
      reasonKind: row.last_error_kind,
      deliveredAt: row.delivered_at instanceof Date ? row.delivered_at.toISOString() : null,
      sequence,
      occurredAt,
    }),
  });
}
