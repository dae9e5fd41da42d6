import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cursorCreatedAtSql, type KeysetPosition, type KeysetRow } from './keyset';
import { uuidSchema } from '../platform/ids';
import type { Vault } from '../platform/vault';
import type { WebhookBody, WebhookEventType } from '../webhooks/events';

/* A tenant's webhook endpoints and their deliveries: every statement is scoped by tenant, except the
 * reconciler's question, which spans them all. The events themselves are written by webhook-events.ts. */

/** Binds an endpoint's secret to its row (also what `npm run rotate-keys` re-encrypts under). */
export const webhookSecretAad = (tenantId: string, id: string) => `webhook-endpoint:${tenantId}:${id}`;

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  eventTypes: WebhookEventType[];
  description: string | null;
  createdAt: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookAttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  resendOf: string | null;
  status: WebhookDeliveryStatus;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  event: { id: string; type: WebhookEventType; timestamp: string; data: WebhookBody['data'] };
  attempts: WebhookAttemptRecord[];
}

/** What a webhook workflow carries: the delivery and its tenant, nothing else. */
export interface WebhookDeliveryRef {
  id: string;
  tenantId: string;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);

function endpointFromRow(row: Record<string, unknown>): WebhookEndpointRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    eventTypes: row.event_types as WebhookEventType[],
    description: row.description as string | null,
    createdAt: iso(row.created_at)!,
  };
}

export async function createWebhookEndpoint(
  pool: pg.Pool,
  vault: Vault,
  input: {
    tenantId: string;
    url: string;
    eventTypes: WebhookEventType[];
    description?: string;
    secret: string;
  },
): Promise<WebhookEndpointRecord> {
  const id = randomUUID();
  const { rows } = await pool.query(
    `insert into webhook_endpoints (id, tenant_id, url, event_types, description, secret_ciphertext)
     values ($1, $2, $3, $4, $5, $6) returning *`,
    [
      id,
      input.tenantId,
      input.url,
      input.eventTypes,
      input.description ?? null,
      vault.encrypt(input.secret, webhookSecretAad(input.tenantId, id)),
    ],
  );
  return endpointFromRow(rows[0]);
}

export async function countWebhookEndpoints(pool: pg.Pool, tenantId: string): Promise<number> {
  const { rows } = await pool.query(
    'select count(*)::int as n from webhook_endpoints where tenant_id = $1 and deleted_at is null',
    [tenantId],
  );
  return rows[0].n as number;
}

export async function listWebhookEndpoints(
  pool: pg.Pool,
  tenantId: string,
): Promise<WebhookEndpointRecord[]> {
  const { rows } = await pool.query(
    'select * from webhook_endpoints where tenant_id = $1 and deleted_at is null order by created_at, id',
    [tenantId],
  );
  return rows.map(endpointFromRow);
}

export async function getWebhookEndpoint(
  pool: pg.Pool,
  tenantId: string,
  id: string,
): Promise<WebhookEndpointRecord | undefined> {
  if (!uuidSchema.safeParse(id).success) return undefined;
  const { rows } = await pool.query(
    'select * from webhook_endpoints where id = $1 and tenant_id = $2 and deleted_at is null',
    [id, tenantId],
  );
  return rows[0] ? endpointFromRow(rows[0]) : undefined;
}

/**
 * Deletes an endpoint (its row stays, for its deliveries' history): it gets no new event, and what was
 * still to be sent to it ends `failed` now (its workflows stop at their next attempt). False: not found.
 */
export async function deleteWebhookEndpoint(pool: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  if (!uuidSchema.safeParse(id).success) return false;
  const { rows } = await pool.query(
    `with deleted as (
       update webhook_endpoints set deleted_at = now() where id = $1 and tenant_id = $2 and deleted_at is null
       returning id),
     stopped as (
       update webhook_deliveries set status = 'failed', next_attempt_at = null, updated_at = now(),
         last_error = 'The endpoint was deleted before this event reached it.'
        where endpoint_id in (select id from deleted) and tenant_id = $2 and status = 'pending')
     select id from deleted`,
    [id, tenantId],
  );
  return rows.length === 1;
}

const deliveryColumns = `d.id, d.endpoint_id, d.resend_of, d.status, d.last_status_code, d.last_error,
  d.next_attempt_at, d.created_at, d.updated_at, d.delivered_at,
  e.id as event_id, e.type as event_type, e.created_at as event_created_at, e.data as event_data,
  coalesce((select json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at,
      'durationMs', a.duration_ms, 'statusCode', a.status_code, 'error', a.error) order by a.attempt)
    from webhook_attempts a where a.delivery_id = d.id), '[]') as attempt_log`;

function deliveryFromRow(row: Record<string, unknown>): WebhookDeliveryRecord {
  const attempts = (row.attempt_log as Array<WebhookAttemptRecord & { startedAt: string }>).map((a) => ({
    ...a,
    // json_build_object writes timestamptz as PostgreSQL prints it; the API speaks ISO 8601 in UTC.
    startedAt: new Date(a.startedAt).toISOString(),
  }));
  return {
    id: row.id as string,
    endpointId: row.endpoint_id as string,
    resendOf: row.resend_of as string | null,
    status: row.status as WebhookDeliveryStatus,
    lastStatusCode: row.last_status_code as number | null,
    lastError: row.last_error as string | null,
    nextAttemptAt: iso(row.next_attempt_at),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    deliveredAt: iso(row.delivered_at),
    event: {
      id: row.event_id as string,
      type: row.event_type as WebhookEventType,
      timestamp: iso(row.event_created_at)!,
      data: row.event_data as WebhookBody['data'],
    },
    attempts,
  };
}

/**
 * One page of an endpoint's deliveries, newest first, each with its event, its attempts and its createdAt in microseconds for the
 * next cursor; `after` is the last row of the previous page.
 */
export async function listWebhookDeliveries(
  pool: pg.Pool,
  tenantId: string,
  endpointId: string,
  filter: { status?: WebhookDeliveryStatus; after?: KeysetPosition; limit: number },
): Promise<Array<KeysetRow<WebhookDeliveryRecord>>> {
  const { rows } = await pool.query(
    `select ${deliveryColumns}, ${cursorCreatedAtSql('d.created_at')} as cursor_created_at
       from webhook_deliveries d join webhook_events e on e.id = d.event_id
      where d.tenant_id = $1 and d.endpoint_id = $2 and ($3::text is null or d.status = $3)
        and ($4::timestamptz is null or (d.created_at, d.id) < ($4, $5::uuid))
      order by d.created_at desc, d.id desc limit $6`,
    [
      tenantId,
      endpointId,
      filter.status ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map((row) => ({ delivery: deliveryFromRow(row), createdAtMicros: row.cursor_created_at }));
}

export async function getWebhookDelivery(
  pool: pg.Pool,
  tenantId: string,
  endpointId: string,
  id: string,
): Promise<WebhookDeliveryRecord | undefined> {
  if (!uuidSchema.safeParse(id).success) return undefined;
  const { rows } = await pool.query(
    `select ${deliveryColumns} from webhook_deliveries d join webhook_events e on e.id = d.event_id
      where d.id = $1 and d.tenant_id = $2 and d.endpoint_id = $3`,
    [id, tenantId, endpointId],
  );
  return rows[0] ? deliveryFromRow(rows[0]) : undefined;
}

/** A new delivery of the same event to the same endpoint (its own workflow and attempts). */
export async function createWebhookResend(
  pool: pg.Pool,
  tenantId: string,
  original: { id: string; endpointId: string; eventId: string },
): Promise<WebhookDeliveryRef> {
  const id = randomUUID();
  await pool.query(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, resend_of, status)
     values ($1, $2, $3, $4, $5, 'pending')`,
    [id, tenantId, original.endpointId, original.eventId, original.id],
  );
  return { id, tenantId };
}

/** What the send activity needs: the delivery's state, its endpoint (secret decrypted) and its event. */
export interface WebhookTarget {
  status: WebhookDeliveryStatus;
  endpointDeleted: boolean;
  url: string;
  secret: string;
  body: WebhookBody;
  eventId: string;
}

export async function loadWebhookTarget(
  pool: pg.Pool,
  vault: Vault,
  tenantId: string,
  deliveryId: string,
): Promise<WebhookTarget | undefined> {
  const { rows } = await pool.query(
    `select d.status, w.id as endpoint_id, w.url, w.secret_ciphertext, w.deleted_at,
            e.id as event_id, e.type, e.created_at, e.data
       from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id
       join webhook_events e on e.id = d.event_id
      where d.id = $1 and d.tenant_id = $2`,
    [deliveryId, tenantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    status: row.status,
    endpointDeleted: row.deleted_at !== null,
    url: row.url,
    secret: vault
      .decrypt(row.secret_ciphertext, webhookSecretAad(tenantId, row.endpoint_id))
      .toString('utf8'),
    body: { type: row.type, timestamp: iso(row.created_at)!, data: row.data },
    eventId: row.event_id,
  };
}

/**
 * One attempt and what it leaves on the delivery, in one statement: `delivered` on a 2xx, else the last
 * status code or error and when the next attempt runs. Recording the same attempt twice (a retried
 * activity) keeps the first record; a delivery no longer pending is left as it is.
 */
export async function recordWebhookAttempt(
  pool: pg.Pool,
  input: {
    tenantId: string;
    deliveryId: string;
    attempt: number;
    startedAt: Date;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
    delivered: boolean;
    nextAttemptAt: Date | null;
  },
): Promise<void> {
  await pool.query(
    `with attempt as (
       insert into webhook_attempts (delivery_id, attempt, tenant_id, started_at, duration_ms, status_code, error)
       values ($1, $3, $2, $4, $5, $6, $7) on conflict (delivery_id, attempt) do nothing)
     update webhook_deliveries set attempts = greatest(attempts, $3), last_status_code = $6, last_error = $7,
       status = case when $8 then 'delivered' else status end,
       delivered_at = case when $8 then now() else delivered_at end,
       next_attempt_at = $9, updated_at = now()
      where id = $1 and tenant_id = $2 and status = 'pending'`,
    [
      input.deliveryId,
      input.tenantId,
      input.attempt,
      input.startedAt,
      input.durationMs,
      input.statusCode,
      input.error,
      input.delivered,
      input.nextAttemptAt,
    ],
  );
}

/** The end of a delivery that never got a 2xx (gave up, endpoint deleted, workflow ended); pending only. */
export async function markWebhookDeliveryFailed(
  pool: pg.Pool,
  tenantId: string,
  id: string,
  message: string,
): Promise<void> {
  await pool.query(
    `update webhook_deliveries set status = 'failed', next_attempt_at = null, updated_at = now(),
       last_error = $3
      where id = $1 and tenant_id = $2 and status = 'pending'`,
    [id, tenantId, message],
  );
}

/** A completed workflow's outcome, for the reconciler: delivered, or failed with its message. */
export async function markWebhookDeliveryDelivered(
  pool: pg.Pool,
  tenantId: string,
  id: string,
): Promise<void> {
  await pool.query(
    `update webhook_deliveries set status = 'delivered', delivered_at = coalesce(delivered_at, now()),
       next_attempt_at = null, updated_at = now()
      where id = $1 and tenant_id = $2 and status = 'pending'`,
    [id, tenantId],
  );
}

/**
 * For the reconciler (all tenants): pending deliveries untouched for `afterSeconds`, those never
 * attempted first (the ones a dead process never started), the others in random order (a delivery
 * retried for days looks the same every run: "oldest first" would examine the same rows again).
 */
export async function webhookDeliveriesToReconcile(
  pool: pg.Pool,
  afterSeconds: number,
  limit: number,
): Promise<WebhookDeliveryRef[]> {
  const { rows } = await pool.query(
    `select id, tenant_id from webhook_deliveries
      where status = 'pending' and updated_at < now() - make_interval(secs => $1)
      order by attempts > 0, random() limit $2`,
    [afterSeconds, limit],
  );
  return rows.map((row) => ({ id: row.id as string, tenantId: row.tenant_id as string }));
}
