import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface Tenant {
  id: string;
  name: string;
  customerNumber: string | null;
}

/** An API key as an operator sees it: never the key itself, only the prefix it starts with. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A new key: `apiKey` is shown once and never stored. */
export interface IssuedApiKey {
  id: string;
  tenantId: string;
  prefix: string;
  apiKey: string;
}

const hashKey = (apiKey: string) => createHash('sha256').update(apiKey).digest();
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createTenant(pool: pg.Pool, name: string, customerNumber?: string): Promise<Tenant> {
  const id = randomUUID();
  await pool.query('insert into tenants (id, name, customer_number) values ($1, $2, $3)', [
    id,
    name,
    customerNumber ?? null,
  ]);
  return { id, name, customerNumber: customerNumber ?? null };
}

export async function getTenant(pool: pg.Pool, id: string): Promise<Tenant | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const { rows } = await pool.query('select id, name, customer_number from tenants where id = $1', [id]);
  const row = rows[0];
  return row && { id: row.id, name: row.name, customerNumber: row.customer_number };
}

/**
 * Creates an API key for the tenant. Only its SHA-256 is stored (the key is 256 random bits, so a
 * plain hash cannot be reversed by guessing), with its first characters to tell keys apart.
 */
export async function issueApiKey(pool: pg.Pool, tenantId: string): Promise<IssuedApiKey> {
  if (!(await getTenant(pool, tenantId))) throw new Error(`There is no tenant with the id "${tenantId}".`);
  const apiKey = `rls_${randomBytes(32).toString('base64url')}`;
  const key = { id: randomUUID(), tenantId, prefix: apiKey.slice(0, 10), apiKey };
  await pool.query('insert into api_keys (id, tenant_id, key_hash, prefix) values ($1, $2, $3, $4)', [
    key.id,
    tenantId,
    hashKey(apiKey),
    key.prefix,
  ]);
  return key;
}

/** A new key for the tenant, for callers that only need the key itself. */
export async function createApiKey(pool: pg.Pool, tenantId: string): Promise<string> {
  return (await issueApiKey(pool, tenantId)).apiKey;
}

function keyFromRow(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    prefix: row.prefix as string,
    createdAt: row.created_at as Date,
    revokedAt: row.revoked_at as Date | null,
  };
}

export async function listApiKeys(pool: pg.Pool, tenantId: string): Promise<ApiKeyRecord[]> {
  if (!uuidPattern.test(tenantId)) return [];
  const { rows } = await pool.query(
    'select id, tenant_id, prefix, created_at, revoked_at from api_keys where tenant_id = $1 order by created_at',
    [tenantId],
  );
  return rows.map(keyFromRow);
}

/**
 * Revokes the active key with this id or prefix, effective on its next request (keys are looked up
 * on every request). Refuses a prefix that more than one active key starts with.
 */
export async function revokeApiKey(pool: pg.Pool, idOrPrefix: string): Promise<ApiKeyRecord> {
  const { rows: matches } = await pool.query(
    `select id from api_keys where revoked_at is null and ${uuidPattern.test(idOrPrefix) ? 'id = $1::uuid' : 'prefix = $1'}`,
    [idOrPrefix],
  );
  if (matches.length > 1) {
    throw new Error(
      `${matches.length} active keys start with "${idOrPrefix}": revoke one by its id (see "key list <tenantId>").`,
    );
  }
  const { rows } = await pool.query(
    `update api_keys set revoked_at = now() where id = $1 and revoked_at is null
      returning id, tenant_id, prefix, created_at, revoked_at`,
    [matches[0]?.id ?? null],
  );
  if (!rows[0]) throw new Error(`No active API key has the id or prefix "${idOrPrefix}".`);
  return keyFromRow(rows[0]);
}

export async function findTenantByApiKey(pool: pg.Pool, apiKey: string): Promise<Tenant | undefined> {
  const { rows } = await pool.query(
    `select t.id, t.name, t.customer_number from api_keys k join tenants t on t.id = k.tenant_id
      where k.key_hash = $1 and k.revoked_at is null`,
    [hashKey(apiKey)],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, customerNumber: row.customer_number };
}

export async function countTenants(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query('select count(*)::int as n from tenants');
  return rows[0].n;
}
