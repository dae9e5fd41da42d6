-- A document rendered in a target's format, once: every attempt and every delivery in that format
-- sends these bytes, so a retry after an upgrade (the UBL.BE reference names our version) still
-- finds "the same file" at the target instead of something else under its name.
create table renditions (
  tenant_id uuid not null references tenants (id),
  document_id uuid not null references documents (id),
  format text not null,
  content bytea not null,
  software_version text not null,
  created_at timestamptz not null default now(),
  primary key (document_id, format)
);
