import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DocumentType, Settings } from '../connectors/types';
import { uuidSchema } from '../platform/ids';
import { inTransaction } from './transaction';
import { recordConnectionWebhookEvent } from './webhook-events';
import type { WebhookDeliveryRef } from './webhooks';

export type ConnectionStatus =
  'setting-up' | 'active' | 'needs-reauth' | 'disconnected' | 'expired' | 'failed' | 'cancelled';

export interface ConnectionRecord {
  id: string;
  tenantId: string;
  connectorId: string;
  documentType: DocumentType;
  authorizationId: string | null;
  status: ConnectionStatus;
  statusMessage: string | null;
  settings: Settings;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
}

const columns = `id, tenant_id, connector_id, document_type, authorization_id, status, status_message, settings,
  created_at, updated_at, activated_at`;

function fromRow(row: Record<string, unknown>): ConnectionRecord {
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    connectorId: row.connector_id as string,
    documentType: row.document_type as DocumentType,
    authorizationId: row.authorization_id as string | null,
    status: row.status as ConnectionStatus,
    statusMessage: row.status_message as string | null,
    settings: row.settings as Settings,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    activatedAt: iso(row.activated_at),
  };
}

export async function createConnection(
  pool: pg.Pool | pg.PoolClient,
  input: { tenantId: string; connectorId: string; documentType: DocumentType },
): Promise<ConnectionRecord> {
  const { rows } = await pool.query(
    `insert into connections (id, tenant_id, connector_id, document_type, status)
     values ($1, $2, $3, $4, 'setting-up') returning ${columns}`,
    [randomUUID(), input.tenantId, input.connectorId, input.documentType],
  );
  return fromRow(rows[0]);
}

export async function getConnection(
  pool: pg.Pool | pg.PoolClient,
  tenantId: string,
  id: string,
): Promise<ConnectionRecord | undefined> {
  // A malformed id is simply not found (ids do not leak through 400 vs 404 differences).
  if (!uuidSchema.safeParse(id).success) return undefined;
  const { rows } = await pool.query(`select ${columns} from connections where id = $1 and tenant_id = $2`, [
    id,
    tenantId,
  ]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listConnections(
  pool: pg.Pool | pg.PoolClient,
  tenantId: string,
  filter: { documentType?: DocumentType; status?: ConnectionStatus } = {},
): Promise<ConnectionRecord[]> {
  const { rows } = await pool.query(
    `select ${columns} from connections where tenant_id = $1
       and ($2::text is null or document_type = $2) and ($3::text is null or status = $3)
     order by created_at`,
    [tenantId, filter.documentType ?? null, filter.status ?? null],
  );
  return rows.map(fromRow);
}

export async function setConnectionStatus(
  db: pg.Pool | pg.PoolClient,
  tenantId: string,
  id: string,
  status: ConnectionStatus,
  message: string | null = null,
): Promise<void> {
  await db.query(
    `update connections set status = $3, status_message = $4, updated_at = now() where id = $1 and tenant_id = $2`,
    [id, tenantId, status, message],
  );
}

/** The connection's status, its row locked until the transaction ends (to tell a change from a repeat). */
export async function lockConnectionStatus(
  db: pg.PoolClient,
  tenantId: string,
  id: string,
): Promise<ConnectionStatus | undefined> {
  const { rows } = await db.query(
    'select status from connections where id = $1 and tenant_id = $2 for update',
    [id, tenantId],
  );
  return rows[0]?.status as ConnectionStatus | undefined;
}

/**
 * The user's disconnect, with its `connection.disconnected` webhook event in the same transaction (on the
 * change only). Returns the webhook deliveries to start once committed.
 */
export async function disconnectConnection(
  pool: pg.Pool,
  tenantId: string,
  id: string,
  message: string,
): Promise<WebhookDeliveryRef[]> {
  return inTransaction(pool, async (db) => {
    const previous = await lockConnectionStatus(db, tenantId, id);
    if (!previous) return [];
    await setConnectionStatus(db, tenantId, id, 'disconnected', message);
    if (previous === 'disconnected') return [];
    return recordConnectionWebhookEvent(db, { tenantId, connectionId: id, type: 'connection.disconnected' });
  });
}

/**
 * Activation: settings, authorization and status in one statement, from a legal state only: a new
 * connection from `setting-up`, a re-authorization from `active` or `needs-reauth`. A connection
 * the user disconnected or cancelled meanwhile never becomes active again: false then.
 */
export async function activateConnection(
  db: pg.Pool | pg.PoolClient,
  input: {
    tenantId: string;
    id: string;
    mode: 'create' | 'reauthorize';
    authorizationId: string | null;
    settings: Settings;
  },
): Promise<boolean> {
  const from = input.mode === 'create' ? ['setting-up'] : ['active', 'needs-reauth'];
  const { rowCount } = await db.query(
    `update connections set status = 'active', status_message = null, authorization_id = $3, settings = $4,
       activated_at = coalesce(activated_at, now()), updated_at = now()
     where id = $1 and tenant_id = $2 and status = any($5::text[])`,
    [input.id, input.tenantId, input.authorizationId, JSON.stringify(input.settings), from],
  );
  return rowCount === 1;
}

/** How a new connection's setup ended (cancelled, expired, failed): only while it is still being set up. */
export async function endConnectionSetup(
  db: pg.Pool | pg.PoolClient,
  input: { tenantId: string; id: string; status: 'cancelled' | 'expired' | 'failed'; message: string },
): Promise<void> {
  await db.query(
    `update connections set status = $3, status_message = $4, updated_at = now()
      where id = $1 and tenant_id = $2 and status = 'setting-up'`,
    [input.id, input.tenantId, input.status, input.message],
  );
}
