-- Written by the probe workflow's activity: proves a worker can reach the store end to end.
create table probes (
  id text primary key,
  worker_identity text not null,
  created_at timestamptz not null default now()
);
