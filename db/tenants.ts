import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface Tenant {
  id: string;
  name: string;
  customerNumber: string | null;
}

const hashKey = (apiKey: string) => createHash('sha256').update(apiKey).digest();

export async function createTenant(pool: pg.Pool, name: string, customerNumber?: string): Promise<Tenant> {
  const id = randomUUID();
  await pool.query('insert into tenants (id, name, customer_number) values ($1, $2, $3)', [
    id,
    name,
    customerNumber ?? null,
  ]);
  return { id, name, customerNumber: customerNumber ?? null };
}

/** Creates an API key for the tenant; the key is returned once, only its SHA-256 is stored. */
export async function createApiKey(pool: pg.Pool, tenantId: string): Promise<string> {
  const apiKey = `rls_${randomBytes(32).toString('base64url')}`;
  await pool.query('insert into api_keys (id, tenant_id, key_hash, prefix) values ($1, $2, $3, $4)', [
    randomUUID(),
    tenantId,
    hashKey(apiKey),
    apiKey.slice(0, 10),
  ]);
  return apiKey;
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
