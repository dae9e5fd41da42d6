-- A document is guarded by its own identity (supplier + kind + number) as well as by the caller's
-- Idempotency-Key. The identity is unbounded text (a number may be thousands of characters), so the
-- unique index holds its SHA-256, never the text; the number stays in its own column. The
-- Idempotency-Key is bounded by the API (255 characters) and null when the caller sent none.

alter table documents add column identity_sha256 bytea;

-- The identity as the API computes it: ubl:<supplier>:<kind>:<number>, supplier being the VAT
-- number, else the enterprise number, else the endpoint id, else the name.
update documents set identity_sha256 = sha256(convert_to(
  'ubl:' || coalesce(summary -> 'supplier' ->> 'vatNumber', summary -> 'supplier' ->> 'enterpriseNumber',
    summary -> 'supplier' ->> 'endpointId', summary -> 'supplier' ->> 'name') || ':' || kind || ':' || number,
  'UTF8'));

-- Documents stored before under their own identity had it as their key: they have no caller key.
alter table documents alter column idempotency_key drop not null;
update documents set idempotency_key = null where sha256(convert_to(idempotency_key, 'UTF8')) = identity_sha256;

-- The same invoice accepted twice under two keys before this migration: the oldest keeps the identity.
update documents d set identity_sha256 = null
  where exists (select 1 from documents o where o.tenant_id = d.tenant_id and o.identity_sha256 = d.identity_sha256
                 and (o.created_at, o.id) < (d.created_at, d.id));

create unique index documents_tenant_identity on documents (tenant_id, identity_sha256);
