-- Outbound webhooks (issue 15.1): a tenant's endpoints; the events its state changes record, written in
-- the transaction of the change (an outbox: no event is lost when the process dies right after the
-- commit); one delivery per event and endpoint, sent by its own workflow; and every attempt to send it.

create table webhook_endpoints (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  url text not null,
  event_types text[] not null,
  description text,
  -- whsec_..., encrypted by the vault (associated data `webhook-endpoint:<tenant>:<id>`); shown once.
  secret_ciphertext text not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index webhook_endpoints_tenant on webhook_endpoints (tenant_id) where deleted_at is null;

-- The last sequence number given to an event of each connection. Taking the next one locks the row
-- until the change commits, so a connection's events are numbered in the order their changes committed.
create table webhook_sequences (
  connection_id uuid primary key references connections (id),
  tenant_id uuid not null references tenants (id),
  last_sequence bigint not null
);

create table webhook_events (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  type text not null,
  connection_id uuid not null references connections (id),
  sequence bigint not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);

create table webhook_deliveries (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  endpoint_id uuid not null references webhook_endpoints (id),
  event_id uuid not null references webhook_events (id),
  -- A resend is a delivery of its own (its own workflow and attempts) of the same event.
  resend_of uuid references webhook_deliveries (id),
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_status_code integer,
  last_error text,
  next_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at);
create index webhook_deliveries_pending on webhook_deliveries (updated_at) where status = 'pending';

create table webhook_attempts (
  delivery_id uuid not null references webhook_deliveries (id),
  -- Temporal's attempt number: a retried activity that recorded its attempt records it once.
  attempt integer not null,
  tenant_id uuid not null references tenants (id),
  started_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  primary key (delivery_id, attempt)
);
