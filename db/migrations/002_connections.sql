-- Tenants, their API keys, authorizations, connections and the setup's supporting records.
-- Every row that belongs to a tenant carries tenant_id; every query filters on it.

create table tenants (
  id uuid primary key,
  name text not null,
  customer_number text,
  created_at timestamptz not null default now()
);

-- Only a hash of each key is stored; the key itself is shown once at creation.
create table api_keys (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  key_hash bytea not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Secrets submitted to a setup step, encrypted by the API; the workflow only ever sees the id.
-- Taken (deleted) by the activity that uses them.
create table submitted_secrets (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  ciphertext text not null,
  created_at timestamptz not null default now()
);

-- What a setup obtained to act at a target: tokens or a password/key, encrypted. Shareable between
-- connections of the same tenant and connector (Exact Online keeps only the latest grant valid).
create table authorizations (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  connector_id text not null,
  kind text not null check (kind in ('tokens', 'secrets')),
  ciphertext text not null,
  account_id text,
  account_name text,
  scopes text[] not null default '{}',
  access_expires_at timestamptz,
  status text not null default 'active' check (status in ('active', 'needs-reauth', 'revoked')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index authorizations_tenant_connector on authorizations (tenant_id, connector_id, status);

create table connections (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  connector_id text not null,
  document_type text not null,
  authorization_id uuid references authorizations (id),
  status text not null check (status in ('setting-up', 'active', 'needs-reauth', 'disconnected', 'expired', 'failed', 'cancelled')),
  status_message text,
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  activated_at timestamptz
);
create index connections_tenant on connections (tenant_id, document_type, status);

-- OAuth `state` values: random, single-use, expiring, bound to one connection and to the browser
-- that opened the start link (hash of a cookie nonce). The PKCE verifier is encrypted.
create table oauth_states (
  id text primary key,
  tenant_id uuid not null references tenants (id),
  connection_id uuid not null references connections (id),
  connector_id text not null,
  provider_url text not null,
  code_verifier_ciphertext text,
  redirect_uri text not null,
  return_url text not null,
  browser_nonce_hash bytea,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

-- Who accepted which terms for which connection, when, and what scopes were granted.
create table consents (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  connection_id uuid not null references connections (id),
  terms_version text not null,
  accepted_by text not null,
  accepted_at timestamptz not null,
  scopes text[] not null default '{}'
);

create table audit_events (
  id bigserial primary key,
  tenant_id uuid not null references tenants (id),
  connection_id uuid,
  kind text not null,
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index audit_events_tenant on audit_events (tenant_id, at);
