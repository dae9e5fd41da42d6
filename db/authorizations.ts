import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Account, Credentials } from '../connectors/types';
import type { Vault } from '../platform/vault';

export interface AuthorizationRecord {
  id: string;
  tenantId: string;
  connectorId: string;
  status: 'active' | 'needs-reauth' | 'revoked';
  accountName: string | null;
  scopes: string[];
  credentials: Credentials;
}

/** Binds a ciphertext to its row (also what `npm run rotate-keys` re-encrypts under). */
export const authorizationAad = (tenantId: string, id: string) => `authorization:${tenantId}:${id}`;

function expiresAt(credentials: Credentials): string | null {
  return credentials.kind === 'tokens' ? (credentials.tokens.expiresAt ?? null) : null;
}

/**
 * Stores credentials: updates `replaceId` in place (re-authorization keeps the id every connection
 * points at) or creates a new authorization.
 */
export async function saveAuthorization(
  pool: pg.Pool | pg.PoolClient,
  vault: Vault,
  input: {
    tenantId: string;
    connectorId: string;
    credentials: Credentials;
    account?: Account;
    scopes?: string[];
    replaceId?: string;
  },
): Promise<string> {
  const id = input.replaceId ?? randomUUID();
  const ciphertext = vault.encryptJson(input.credentials, authorizationAad(input.tenantId, id));
  const values = [
    id,
    input.tenantId,
    input.connectorId,
    input.credentials.kind,
    ciphertext,
    input.account?.id ?? null,
    input.account?.name ?? null,
    input.scopes ?? [],
    expiresAt(input.credentials),
  ];
  await pool.query(
    `insert into authorizations (id, tenant_id, connector_id, kind, ciphertext, account_id, account_name, scopes, access_expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (id) do update set kind = excluded.kind, ciphertext = excluded.ciphertext,
       account_id = coalesce(excluded.account_id, authorizations.account_id),
       account_name = coalesce(excluded.account_name, authorizations.account_name), scopes = excluded.scopes,
       access_expires_at = excluded.access_expires_at, status = 'active', version = authorizations.version + 1,
       updated_at = now()
     where authorizations.tenant_id = excluded.tenant_id`,
    values,
  );
  return id;
}

export async function loadAuthorization(
  pool: pg.Pool | pg.PoolClient,
  vault: Vault,
  tenantId: string,
  id: string,
): Promise<AuthorizationRecord | undefined> {
  const { rows } = await pool.query(
    `select id, tenant_id, connector_id, status, account_name, scopes, ciphertext from authorizations
      where id = $1 and tenant_id = $2`,
    [id, tenantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    connectorId: row.connector_id,
    status: row.status,
    accountName: row.account_name,
    scopes: row.scopes,
    credentials: vault.decryptJson(row.ciphertext, authorizationAad(tenantId, id)),
  };
}

/** The tenant's usable authorization for a connector whose grants are shared (newest first). */
export async function findSharedAuthorization(
  pool: pg.Pool,
  tenantId: string,
  connectorId: string,
): Promise<{ id: string; accountName: string | null } | undefined> {
  const { rows } = await pool.query(
    `select id, account_name from authorizations where tenant_id = $1 and connector_id = $2 and status = 'active'
      order by updated_at desc limit 1`,
    [tenantId, connectorId],
  );
  return rows[0] && { id: rows[0].id, accountName: rows[0].account_name };
}

/** Counts a token refresh of the authorization: done, or refused/failed at the provider. */
export async function countTokenRefresh(
  db: pg.Pool | pg.PoolClient,
  id: string,
  outcome: 'refreshed' | 'failed',
): Promise<void> {
  const column = outcome === 'refreshed' ? 'refreshes' : 'refresh_failures';
  await db.query(`update authorizations set ${column} = ${column} + 1 where id = $1`, [id]);
}
