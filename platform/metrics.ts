/*
 * Prometheus metrics of the API process (prom-client). What happened to documents, deliveries and
 * connections is read from PostgreSQL at each scrape, not counted in memory: the store is shared by
 * every API and worker process, survives restarts, and a delivery's end is recorded there by whichever
 * worker ran it, so one scrape of any API process gives the whole system's figures. Each scrape runs a
 * few aggregate queries over the deliveries and documents tables: fine at the usual 15–60 s interval.
 * HTTP requests are counted in memory, per API process.
 */
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { Counter, Histogram, Registry, type Metric } from 'prom-client';

/** Seconds from accept to delivered: from an idle delivery (0.1 s) to one parked for days. */
export const ACCEPT_TO_DELIVERED_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400, 604_800,
];

export interface RelaisMetrics {
  registry: Registry;
  /** Counts each API request by method, route pattern and status. */
  httpRequests: RequestHandler;
  /** Counts a setup step submitted through this API process, by connector, step and outcome. */
  countSetupStep(labels: {
    connector: string;
    step: string;
    outcome: 'accepted' | 'refused' | 'error';
  }): void;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * A metric whose samples are read at scrape time. prom-client's registry only calls `get()` on what it
 * holds, so an object of that shape stands in for its own classes (which keep values in memory).
 */
function storedMetric(
  registry: Registry,
  metric: { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; read(): Promise<Sample[]> },
): void {
  const { name, help, type } = metric;
  const stand: unknown = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: await metric.read() }),
  };
  registry.registerMetric(stand as Metric);
}

async function rows<T>(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await pool.query(sql, values)).rows as T[];
}

/** Samples from a query whose rows hold the label columns named in `labels` and the value in `n`. */
function grouped(pool: pg.Pool, sql: string, labels: Record<string, string>): () => Promise<Sample[]> {
  return async () =>
    (await rows<Record<string, string>>(pool, sql)).map((row) => ({
      labels: Object.fromEntries(Object.entries(labels).map(([label, column]) => [label, row[column]!])),
      value: Number(row.n),
    }));
}

const byConnectorAndStatus = { connector: 'connector_id', status: 'status' };

export function createMetrics(pool: pg.Pool): RelaisMetrics {
  const registry = new Registry();

  storedMetric(registry, {
    name: 'relais_documents_accepted_total',
    help: 'Documents accepted by the API, by document type.',
    type: 'counter',
    read: grouped(pool, 'select document_type, count(*) as n from documents group by document_type', {
      document_type: 'document_type',
    }),
  });

  storedMetric(registry, {
    name: 'relais_deliveries_ended_total',
    help: 'Deliveries that reached their end, by connector and status (delivered or failed).',
    type: 'counter',
    read: grouped(
      pool,
      `select connector_id, status, count(*) as n from deliveries
        where status in ('delivered', 'failed') group by connector_id, status`,
      byConnectorAndStatus,
    ),
  });

  storedMetric(registry, {
    name: 'relais_deliveries_open',
    help: 'Deliveries not ended yet, by connector and status; waiting-for-connection ones are parked.',
    type: 'gauge',
    read: grouped(
      pool,
      `select connector_id, status, count(*) as n from deliveries
        where status not in ('delivered', 'failed') group by connector_id, status`,
      byConnectorAndStatus,
    ),
  });

  storedMetric(registry, {
    name: 'relais_delivery_attempts_total',
    help: 'Delivery attempts made, by connector.',
    type: 'counter',
    read: grouped(pool, 'select connector_id, sum(attempts) as n from deliveries group by connector_id', {
      connector: 'connector_id',
    }),
  });

  storedMetric(registry, {
    name: 'relais_accept_to_delivered_seconds',
    help: 'Time from accepting a document to its delivery, by connector.',
    type: 'histogram',
    read: async () => {
      const found = await rows<{ connector_id: string; buckets: string[]; n: string; total: string }>(
        pool,
        `with delivered as (
           select connector_id, extract(epoch from delivered_at - created_at)::float8 as seconds
             from deliveries where status = 'delivered' and delivered_at is not null),
         counted as (
           select connector_id, bound, count(*) filter (where seconds <= bound) as n
             from delivered cross join unnest($1::float8[]) as bound group by connector_id, bound)
         select connector_id, count(*) as n, coalesce(sum(seconds), 0) as total,
                (select array_agg(counted.n order by bound) from counted
                  where counted.connector_id = delivered.connector_id) as buckets
           from delivered group by connector_id`,
        [ACCEPT_TO_DELIVERED_BUCKETS],
      );
      return found.flatMap((row): Sample[] => {
        const connector = row.connector_id;
        return [
          ...ACCEPT_TO_DELIVERED_BUCKETS.map((le, index) => ({
            metricName: 'relais_accept_to_delivered_seconds_bucket',
            labels: { connector, le },
            value: Number(row.buckets[index]),
          })),
          {
            metricName: 'relais_accept_to_delivered_seconds_bucket',
            labels: { connector, le: '+Inf' },
            value: Number(row.n),
          },
          {
            metricName: 'relais_accept_to_delivered_seconds_sum',
            labels: { connector },
            value: Number(row.total),
          },
          {
            metricName: 'relais_accept_to_delivered_seconds_count',
            labels: { connector },
            value: Number(row.n),
          },
        ];
      });
    },
  });

  storedMetric(registry, {
    name: 'relais_connections',
    help: 'Connections by connector and status (setting-up, active, needs-reauth, ...).',
    type: 'gauge',
    read: grouped(
      pool,
      'select connector_id, status, count(*) as n from connections group by connector_id, status',
      byConnectorAndStatus,
    ),
  });

  storedMetric(registry, {
    name: 'relais_token_refreshes_total',
    help: 'OAuth token refreshes, by connector and outcome (refreshed, or failed: refused or unanswered).',
    type: 'counter',
    read: async () =>
      (
        await rows<{ connector_id: string; refreshed: string; failed: string }>(
          pool,
          `select connector_id, sum(refreshes) as refreshed, sum(refresh_failures) as failed
             from authorizations group by connector_id`,
        )
      ).flatMap((row) => [
        { labels: { connector: row.connector_id, outcome: 'refreshed' }, value: Number(row.refreshed) },
        { labels: { connector: row.connector_id, outcome: 'failed' }, value: Number(row.failed) },
      ]),
  });

  const setupSteps = new Counter({
    name: 'relais_setup_steps_total',
    help: 'Setup steps submitted to this API process, by connector, step and outcome (accepted, refused, error).',
    labelNames: ['connector', 'step', 'outcome'] as const,
    registers: [registry],
  });

  const requests = new Counter({
    name: 'relais_http_requests_total',
    help: 'API requests, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'relais_http_request_duration_seconds',
    help: 'API request durations, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const httpRequests: RequestHandler = (req, res, next) => {
    const stop = durations.startTimer();
    res.on('finish', () => {
      // The pattern that matched (never the path itself: ids would make a series per request).
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return { registry, httpRequests, countSetupStep: (labels) => setupSteps.inc(labels) };
}
