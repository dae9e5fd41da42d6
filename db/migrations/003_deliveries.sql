-- Documents accepted for delivery (stored once, by reference: workflows carry the id) and one
-- delivery per (document, connection), its status mirrored from the delivery workflow.

create table documents (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  idempotency_key text not null,
  sha256 bytea not null,
  document_type text not null,
  kind text not null,
  flavour text not null,
  number text not null,
  issue_date date not null,
  xml bytea not null,
  pdf bytea,
  summary jsonb not null,
  created_at timestamptz not null default now(),
  unique (tenant_id, idempotency_key)
);
create index documents_tenant_created on documents (tenant_id, document_type, created_at);

create table deliveries (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  document_id uuid not null references documents (id),
  connection_id uuid not null references connections (id),
  connector_id text not null,
  status text not null check (status in ('queued', 'delivering', 'retrying', 'waiting-for-connection', 'delivered', 'failed')),
  attempts integer not null default 0,
  runs integer not null default 1,
  last_error text,
  last_error_kind text,
  next_attempt_at timestamptz,
  receipt jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  delivered_at timestamptz,
  unique (document_id, connection_id)
);
create index deliveries_tenant_status on deliveries (tenant_id, status, created_at);
create index deliveries_connection on deliveries (connection_id, status);
