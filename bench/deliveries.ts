import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface DeliveryTiming {
  documentId: string;
  connectorId: string;
  status: string;
  attempts: number;
  /** Epoch milliseconds by PostgreSQL's clock: when the accepting request's transaction began. */
  createdAt: number;
  /** Epoch milliseconds by PostgreSQL's clock: when the worker recorded the receipt. */
  deliveredAt: number | null;
}

const endStates = ['delivered', 'failed'];

/** The deliveries of `documentIds` as the deliveries table mirrors them. */
export async function readDeliveries(pool: pg.Pool, documentIds: string[]): Promise<DeliveryTiming[]> {
  const { rows } = await pool.query(
    `select document_id, connector_id, status, attempts,
            extract(epoch from created_at)::float8 * 1000 as created_ms,
            extract(epoch from delivered_at)::float8 * 1000 as delivered_ms
       from deliveries where document_id = any($1::uuid[])`,
    [documentIds],
  );
  return rows.map((row) => ({
    documentId: row.document_id,
    connectorId: row.connector_id,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_ms,
    deliveredAt: row.delivered_ms,
  }));
}

/**
 * Polls the deliveries table until all `expected` deliveries of `documentIds` have ended (delivered or
 * failed), then returns them. Throws after `timeoutMs` with how far they got.
 */
export async function waitForDeliveries(
  pool: pg.Pool,
  documentIds: string[],
  options: { expected: number; timeoutMs: number; intervalMs: number; progress?: (ended: number) => void },
): Promise<DeliveryTiming[]> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const { rows } = await pool.query(
      `select status, count(*)::int as n from deliveries where document_id = any($1::uuid[]) group by status`,
      [documentIds],
    );
    const counts = Object.fromEntries(rows.map((row) => [row.status as string, row.n as number]));
    const ended = endStates.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
    options.progress?.(ended);
    if (ended >= options.expected) return readDeliveries(pool, documentIds);
    if (Date.now() > deadline) {
      throw new Error(
        `Only ${ended} of ${options.expected} deliveries ended within ${options.timeoutMs} ms: ${JSON.stringify(counts)}`,
      );
    }
    await sleep(options.intervalMs);
  }
}
