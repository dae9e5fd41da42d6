import type pg from 'pg';
import { deliveryStatusStatement, setDeliveryStatus, type DeliveryStatusUpdate } from './deliveries';
import type { WebhookDeliveryRef } from './webhooks';

/*
 * What a delivery went through (its timeline): each attempt's outcome, parked, resumed, delivered,
 * failed. Written by the activities that write the deliveries row, in the same transaction, and keyed by
 * the activity execution that wrote them, so a retried activity does not write an event twice.
 */

export type DeliveryEventType = 'attempt' | 'parked' | 'resumed' | 'delivered' | 'failed';
export type AttemptOutcome = 'delivered' | 'retrying' | 'rejected' | 'awaiting-confirmation';

export interface DeliveryEventInput {
  /** Names the activity execution that writes it (workflow run, activity id, attempt): unique per delivery. */
  key: string;
  type: DeliveryEventType;
  outcome?: AttemptOutcome;
  attempt?: number;
  /** A stable code for the reader to translate: an error kind or a failure type. */
  code?: string;
  /** The target's own words, as its connector relays them; none when the text is Relais's own. */
  targetMessage?: string;
  receipt?: Record<string, unknown>;
  nextAttemptAt?: Date;
}

export interface DeliveryEventRecord {
  type: DeliveryEventType;
  outcome: AttemptOutcome | null;
  attempt: number | null;
  /** The workflow run (the delivery's `runs` when it was written): a retry by hand starts the next. */
  run: number;
  code: string | null;
  targetMessage: string | null;
  receipt: Record<string, unknown> | null;
  nextAttemptAt: string | null;
  at: string;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);

/**
 * Inserts the event of the delivery $1, once per key; its own parameters are numbered from `first`
 * (after a status update's $1 to $8 when both run as one statement).
 */
function eventInsert(event: DeliveryEventInput, first: number) {
  const [key, type, outcome, attempt, code, message, receipt, next] = Array.from(
    { length: 8 },
    (_, i) => `$${first + i}`,
  );
  return {
    text: `insert into delivery_events
         (tenant_id, delivery_id, event_key, type, outcome, attempt, run, code, target_message, receipt, next_attempt_at)
       select tenant_id, id, ${key}, ${type}, ${outcome}, ${attempt}, runs, ${code}, ${message}, ${receipt}, ${next}
         from deliveries where id = $1
       on conflict (delivery_id, event_key) do nothing`,
    values: [
      event.key,
      event.type,
      event.outcome ?? null,
      event.attempt ?? null,
      event.code ?? null,
      event.targetMessage ?? null,
      event.receipt ? JSON.stringify(event.receipt) : null,
      event.nextAttemptAt ?? null,
    ] as unknown[],
  };
}

/**
 * Mirrors the workflow's view of a delivery (as setDeliveryStatus) and records why, in one statement:
 * atomic. Returns the webhook deliveries the change caused, as setDeliveryStatus does.
 */
export function setDeliveryStatusWithEvent(
  db: pg.Pool,
  deliveryId: string,
  update: DeliveryStatusUpdate,
  event: DeliveryEventInput,
): Promise<WebhookDeliveryRef[]> {
  const status = deliveryStatusStatement(deliveryId, update);
  const insert = eventInsert(event, status.values.length + 1);
  return setDeliveryStatus(db, deliveryId, update, {
    text: `with recorded as (${insert.text}) ${status.text}`,
    values: [...status.values, ...insert.values],
  });
}

/** Records an event that changes nothing of the deliveries row (an attempt refused for good). */
export async function recordDeliveryEvent(
  db: pg.Pool,
  deliveryId: string,
  event: DeliveryEventInput,
): Promise<void> {
  const insert = eventInsert(event, 2);
  await db.query(insert.text, [deliveryId, ...insert.values]);
}

/**
 * An attempt begins (status `delivering`); when the delivery was parked, it resumes, and that is
 * recorded once per park: the event is keyed by the park it ends, so a repeated start adds nothing.
 * One statement: the insert sees the status from before the update.
 */
export async function startAttempt(db: pg.Pool, deliveryId: string, attempt: number): Promise<void> {
  const status = deliveryStatusStatement(deliveryId, { status: 'delivering', attempts: attempt });
  await db.query(
    `with resumed as (
       insert into delivery_events (tenant_id, delivery_id, event_key, type, run)
       select d.tenant_id, d.id, 'resumed-after:' || coalesce(p.id::text, 'start'), 'resumed', d.runs
         from deliveries d
         left join lateral (select id from delivery_events e where e.delivery_id = d.id and e.type = 'parked'
                             order by e.id desc limit 1) p on true
        where d.id = $1 and d.status = 'waiting-for-connection'
       on conflict (delivery_id, event_key) do nothing)
     ${status.text}`,
    status.values,
  );
}

/** A tenant's delivery's events, in the order they happened. */
export async function deliveryEvents(
  db: pg.Pool,
  tenantId: string,
  deliveryId: string,
): Promise<DeliveryEventRecord[]> {
  const { rows } = await db.query(
    `select * from delivery_events where tenant_id = $1 and delivery_id = $2 order by at, id`,
    [tenantId, deliveryId],
  );
  return rows.map((row) => ({
    type: row.type,
    outcome: row.outcome,
    attempt: row.attempt,
    run: row.run,
    code: row.code,
    targetMessage: row.target_message,
    receipt: row.receipt,
    nextAttemptAt: iso(row.next_attempt_at),
    at: iso(row.at)!,
  }));
}

export interface DailyDeliveryCounts {
  /** The day (UTC), YYYY-MM-DD. */
  date: string;
  delivered: number;
  failed: number;
  /** Not ended yet: queued, delivering, retrying or waiting for the connection. */
  waiting: number;
}

/**
 * A connection's deliveries of each of the last `days` days (UTC, today included), by where they stand
 * now; days without any count zero.
 */
export async function dailyDeliveryCounts(
  db: pg.Pool,
  tenantId: string,
  connectionId: string,
  days: number,
): Promise<DailyDeliveryCounts[]> {
  const { rows } = await db.query(
    `with days as (
       select generate_series((now() at time zone 'UTC')::date - ($3::int - 1), (now() at time zone 'UTC')::date, '1 day')::date as day
     )
     select to_char(days.day, 'YYYY-MM-DD') as date,
            count(d.id) filter (where d.status = 'delivered')::int as delivered,
            count(d.id) filter (where d.status = 'failed')::int as failed,
            count(d.id) filter (where d.status not in ('delivered', 'failed'))::int as waiting
       from days
       left join deliveries d
         on d.tenant_id = $1 and d.connection_id = $2
        and d.created_at >= days.day::timestamp at time zone 'UTC'
        and d.created_at < (days.day + 1)::timestamp at time zone 'UTC'
      group by days.day order by days.day`,
    [tenantId, connectionId, days],
  );
  return rows.map((row) => ({
    date: row.date,
    delivered: row.delivered,
    failed: row.failed,
    waiting: row.waiting,
  }));
}
