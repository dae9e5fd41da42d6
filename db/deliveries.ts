import type pg from 'pg';
import { deterministicUuid, uuidSchema } from '../platform/ids';
import type { WebhookEventType } from '../webhooks/events';
import { inTransaction } from './transaction';
import { recordDeliveryWebhookEvent } from './webhook-events';
import type { WebhookDeliveryRef } from './webhooks';

export type DeliveryStatus =
  'queued' | 'delivering' | 'retrying' | 'waiting-for-connection' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: string;
  tenantId: string;
  documentId: string;
  connectionId: string;
  connectorId: string;
  status: DeliveryStatus;
  attempts: number;
  runs: number;
  lastError: string | null;
  lastErrorKind: string | null;
  nextAttemptAt: string | null;
  receipt: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);

export function deliveryFromRow(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    documentId: row.document_id as string,
    connectionId: row.connection_id as string,
    connectorId: row.connector_id as string,
    status: row.status as DeliveryStatus,
    attempts: row.attempts as number,
    runs: row.runs as number,
    lastError: row.last_error as string | null,
    lastErrorKind: row.last_error_kind as string | null,
    nextAttemptAt: iso(row.next_attempt_at),
    receipt: row.receipt as Record<string, unknown> | null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    deliveredAt: iso(row.delivered_at),
  };
}

/** One delivery id per (document, connection): the same pair always maps to the same delivery. */
export const deliveryIdFor = (documentId: string, connectionId: string) =>
  deterministicUuid(`delivery:${documentId}:${connectionId}`);

/** Creates the deliveries of a document that do not exist yet; returns all of them. */
export async function ensureDeliveries(
  db: pg.Pool | pg.PoolClient,
  input: { tenantId: string; documentId: string; connections: Array<{ id: string; connectorId: string }> },
): Promise<DeliveryRecord[]> {
  for (const connection of input.connections) {
    await db.query(
      `insert into deliveries (id, tenant_id, document_id, connection_id, connector_id, status)
       values ($1, $2, $3, $4, $5, 'queued') on conflict (document_id, connection_id) do nothing`,
      [
        deliveryIdFor(input.documentId, connection.id),
        input.tenantId,
        input.documentId,
        connection.id,
        connection.connectorId,
      ],
    );
  }
  const { rows } = await db.query(
    'select * from deliveries where document_id = $1 and tenant_id = $2 order by created_at, id',
    [input.documentId, input.tenantId],
  );
  return rows.map(deliveryFromRow);
}

export async function getDelivery(
  db: pg.Pool,
  tenantId: string,
  id: string,
): Promise<DeliveryRecord | undefined> {
  if (!uuidSchema.safeParse(id).success) return undefined;
  const { rows } = await db.query('select * from deliveries where id = $1 and tenant_id = $2', [
    id,
    tenantId,
  ]);
  return rows[0] ? deliveryFromRow(rows[0]) : undefined;
}

export interface DeliveryStatusUpdate {
  status: DeliveryStatus;
  attempts?: number;
  lastError?: string | null;
  lastErrorKind?: string | null;
  nextAttemptAt?: Date | null;
  receipt?: Record<string, unknown>;
}

/** The statuses a tenant's webhooks hear about (on the change into them, not on a repeat). */
const eventOfStatus: Partial<Record<DeliveryStatus, WebhookEventType>> = {
  delivered: 'delivery.delivered',
  failed: 'delivery.failed',
  'waiting-for-connection': 'delivery.waiting-for-connection',
};

/**
 * Mirrors the workflow's view of a delivery; `attempts` only ever grows. A change into a status webhooks
 * hear about records its event in the same transaction; returns the webhook deliveries to start once
 * committed (none for other statuses, or when nobody subscribed). `statement` is the update to run when
 * a caller writes more with it (a timeline event, db/delivery-events.ts).
 */
export async function setDeliveryStatus(
  db: pg.Pool,
  id: string,
  update: DeliveryStatusUpdate,
  statement: { text: string; values: unknown[] } = deliveryStatusStatement(id, update),
): Promise<WebhookDeliveryRef[]> {
  const write = (client: pg.Pool | pg.PoolClient) => client.query(statement.text, statement.values);
  const type = eventOfStatus[update.status];
  if (!type) {
    await write(db);
    return [];
  }
  return inTransaction(db, async (client) => {
    const { rows } = await client.query('select status from deliveries where id = $1 for update', [id]);
    await write(client);
    if (!rows[0] || rows[0].status === update.status) return [];
    return recordDeliveryWebhookEvent(client, { deliveryId: id, type });
  });
}

/**
 * The statement of setDeliveryStatus, for a caller that writes more in the same statement (a delivery
 * event, db/delivery-events.ts): its parameters are $1 (the id) to $8.
 */
export function deliveryStatusStatement(id: string, update: DeliveryStatusUpdate) {
  return {
    text: `update deliveries set status = $2,
       attempts = greatest(attempts, coalesce($3, attempts)),
       last_error = case when $4::boolean then $5 else last_error end,
       last_error_kind = case when $4::boolean then $6 else last_error_kind end,
       next_attempt_at = $7,
       receipt = coalesce($8, receipt),
       delivered_at = case when $2 = 'delivered' then now() else delivered_at end,
       updated_at = now()
     where id = $1`,
    values: [
      id,
      update.status,
      update.attempts ?? null,
      update.lastError !== undefined,
      update.lastError ?? null,
      update.lastErrorKind ?? null,
      update.nextAttemptAt ?? null,
      update.receipt ? JSON.stringify(update.receipt) : null,
    ] as unknown[],
  };
}
