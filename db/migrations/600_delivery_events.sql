-- What a delivery went through, one row per event (an attempt's outcome, parked, resumed, delivered,
-- failed, sent again), written in the same transaction as the deliveries row it explains. `event_key`
-- names the activity execution that wrote it (workflow run, activity id, attempt), so an activity that
-- Temporal runs again after it wrote does not write the event twice.
create table delivery_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id),
  delivery_id uuid not null references deliveries (id),
  event_key text not null,
  type text not null check (type in ('attempt', 'parked', 'resumed', 'awaiting-confirmation', 'delivered', 'failed', 'retried')),
  -- An attempt's outcome: delivered, retrying, rejected (not retried), parked, awaiting-confirmation.
  outcome text,
  attempt integer,
  run integer not null,
  -- A stable code the reader translates: the error kind (unavailable, rate-limited, auth-expired, ...)
  -- or the failure type (DocumentRejected, GaveUp, ParkedTooLong, ...).
  code text,
  -- The target's own words (as its connector relays them); null when the text is Relais's own.
  target_message text,
  receipt jsonb,
  next_attempt_at timestamptz,
  at timestamptz not null default clock_timestamp(),
  unique (delivery_id, event_key)
);
create index delivery_events_delivery on delivery_events (tenant_id, delivery_id, at, id);
-- A connection's deliveries per day (GET /v1/connections/:id/stats).
create index deliveries_connection_created on deliveries (tenant_id, connection_id, created_at);
