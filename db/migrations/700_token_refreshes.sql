-- Token refreshes per authorization, for the metrics endpoint: counted where they happen (any worker),
-- read at scrape time by any API process.
alter table authorizations
  add column refreshes integer not null default 0,
  add column refresh_failures integer not null default 0;
