import type pg from 'pg';
import { cursorCreatedAtSql, type KeysetPosition, type KeysetRow } from './keyset';
import { deliveryFromRow, type DeliveryRecord, type DeliveryStatus } from './deliveries';

/* Questions about deliveries: the API's are scoped by tenant; the reconciler's spans all tenants. */

export interface DeliveryListFilter {
  status?: DeliveryStatus;
  connectionId?: string;
  documentId?: string;
  since?: string;
  until?: string;
  /** Keyset position: the last row of the previous page (createdAt with microseconds, id). */
  after?: KeysetPosition;
  order: 'oldest' | 'newest';
  limit: number;
}

/** One page of a tenant's deliveries, each with its createdAt in microseconds for the next cursor. */
export async function listDeliveries(
  db: pg.Pool,
  tenantId: string,
  filter: DeliveryListFilter,
): Promise<Array<KeysetRow<DeliveryRecord>>> {
  const [beyond, direction] = filter.order === 'newest' ? ['<', 'desc'] : ['>', 'asc'];
  const { rows } = await db.query(
    `select *, ${cursorCreatedAtSql('created_at')} as cursor_created_at
       from deliveries where tenant_id = $1
       and ($2::text is null or status = $2) and ($3::uuid is null or connection_id = $3)
       and ($4::uuid is null or document_id = $4) and ($5::timestamptz is null or created_at >= $5)
       and ($6::timestamptz is null or created_at < $6)
       and ($7::timestamptz is null or (created_at, id) ${beyond} ($7, $8::uuid))
     order by created_at ${direction}, id ${direction} limit $9`,
    [
      tenantId,
      filter.status ?? null,
      filter.connectionId ?? null,
      filter.documentId ?? null,
      filter.since ?? null,
      filter.until ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map((row) => ({ delivery: deliveryFromRow(row), createdAtMicros: row.cursor_created_at }));
}

/**
 * Queues a delivery again for a new workflow run, only if nobody did since `runs` was read (two
 * concurrent retries start one run). `newRun`: an earlier run existed, so `runs` counts one more.
 */
export async function requeueDelivery(
  db: pg.Pool,
  tenantId: string,
  input: { id: string; runsSeen: number; newRun: boolean },
): Promise<DeliveryRecord | undefined> {
  const { rows } = await db.query(
    `update deliveries set status = 'queued', runs = runs + $4, last_error = null, last_error_kind = null,
       next_attempt_at = null, updated_at = now()
     where id = $1 and tenant_id = $2 and runs = $3 returning *`,
    [input.id, tenantId, input.runsSeen, input.newRun ? 1 : 0],
  );
  return rows[0] ? deliveryFromRow(rows[0]) : undefined;
}

/** Queues deliveries again; those in `rerunIds` had a run before and count one more. */
export async function requeueDeliveries(
  db: pg.Pool,
  tenantId: string,
  ids: string[],
  rerunIds: string[],
): Promise<void> {
  await db.query(
    `update deliveries set status = 'queued', runs = runs + case when id = any($3::uuid[]) then 1 else 0 end,
       updated_at = now() where tenant_id = $1 and id = any($2::uuid[])`,
    [tenantId, ids, rerunIds],
  );
}

/** Documents of deliveries parked on a connection, waiting for its re-authorization. */
export async function parkedDocumentIds(
  db: pg.Pool,
  tenantId: string,
  connectionId: string,
): Promise<string[]> {
  const { rows } = await db.query(
    `select document_id from deliveries where tenant_id = $1 and connection_id = $2 and status = 'waiting-for-connection'`,
    [tenantId, connectionId],
  );
  return rows.map((row) => row.document_id as string);
}

/** A tenant's documents of one type accepted since a date, oldest first. */
export async function documentIdsSince(
  db: pg.Pool,
  tenantId: string,
  documentType: string,
  since: string,
): Promise<string[]> {
  const { rows } = await db.query(
    `select id from documents where tenant_id = $1 and document_type = $2 and created_at >= $3 order by created_at`,
    [tenantId, documentType, since],
  );
  return rows.map((row) => row.id as string);
}

/**
 * For the reconciler (all tenants): deliveries in a non-final status untouched for `afterSeconds`,
 * `queued` ones first (so long-parked running deliveries cannot crowd out unstarted ones), the others
 * in random order: a parked delivery's row does not change while its workflow waits, so "oldest first"
 * would examine the same `limit` parked rows every run and never reach a stranded row behind them.
 */
export async function deliveriesToReconcile(
  db: pg.Pool,
  afterSeconds: number,
  limit: number,
): Promise<DeliveryRecord[]> {
  const { rows } = await db.query(
    `select * from deliveries
      where status in ('queued', 'delivering', 'retrying', 'waiting-for-connection')
        and updated_at < now() - make_interval(secs => $1)
      order by status <> 'queued', random() limit $2`,
    [afterSeconds, limit],
  );
  return rows.map(deliveryFromRow);
}
